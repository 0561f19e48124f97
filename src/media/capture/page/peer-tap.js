/*
 * Runs before any page script (page.evaluateOnNewDocument), as `(<this file>)(key)`.
 * Wraps window.RTCPeerConnection so every remote audio track (including ones that arrive after
 * recording started) lands in a registry the recorder reads. Plain browser JS on purpose: tsx
 * and esbuild inject helpers (__name) into TS functions that break page.evaluate serialisation.
 *
 * Transparency: the constructor is a Proxy (instanceof, statics, subclassing, `pc.constructor`
 * and the prototype are the native ones), we listen with the native addEventListener so the
 * page's ontrack/addEventListener('track') are untouched, and Function.prototype.toString
 * reports native code for what we replaced. The registry sits on window under
 * Symbol.for(<per-session random key>), non-enumerable: visible only to
 * Object.getOwnPropertySymbols(window), and not guessable.
 *
 * Frames: this runs in every frame. A same-origin child frame (Zoom's `iframe#webclient`, where
 * the meeting's peer connections live) feeds its tracks into the top window's registry, which is
 * the one the recorder reads; same-origin frames share one event loop, so the tracks are usable
 * there. A cross-origin frame keeps its own registry and is not recorded.
 */
(function meetcapPeerTap(key) {
  'use strict';
  const slot = Symbol.for(key);
  const Native = window.RTCPeerConnection;
  if (typeof Native !== 'function' || Object.prototype.hasOwnProperty.call(window, slot)) return;

  const nativeToString = Function.prototype.toString;
  const addListener = EventTarget.prototype.addEventListener;
  const defineProperty = Object.defineProperty;
  const disguised = new WeakMap();

  const tracks = new Set();
  const subscribers = new Set();
  const notify = (event, track) => {
    for (const fn of subscribers) {
      try {
        fn(event, track);
      } catch {
        // A failing subscriber must never break the page's own track handling.
      }
    }
  };

  const addTrack = (track) => {
    if (!track || track.kind !== 'audio' || tracks.has(track)) return;
    tracks.add(track);
    addListener.call(track, 'ended', () => {
      if (tracks.delete(track)) notify('removed', track);
    });
    notify('added', track);
  };

  const topRegistry = (() => {
    try {
      return window.top !== window && window.top[slot] ? window.top[slot] : null;
    } catch {
      return null; // cross-origin parent
    }
  })();
  const onTrack = (event) => (topRegistry ? topRegistry.add(event.track) : addTrack(event.track));

  const tap = (pc) => {
    addListener.call(pc, 'track', onTrack);
    return pc;
  };

  const Wrapped = new Proxy(Native, {
    construct(target, args, newTarget) {
      return tap(Reflect.construct(target, args, newTarget === Wrapped ? target : newTarget));
    },
  });

  const toStringProxy = new Proxy(nativeToString, {
    apply(target, thisArg, args) {
      if (disguised.has(thisArg)) return disguised.get(thisArg);
      return Reflect.apply(target, thisArg, args);
    },
  });
  disguised.set(Wrapped, nativeToString.call(Native));
  disguised.set(toStringProxy, nativeToString.call(nativeToString));

  const replace = (obj, name, value) => {
    const desc = Object.getOwnPropertyDescriptor(obj, name);
    if (desc && 'value' in desc) defineProperty(obj, name, { ...desc, value });
  };
  replace(Function.prototype, 'toString', toStringProxy);
  replace(Native.prototype, 'constructor', Wrapped);
  replace(window, 'RTCPeerConnection', Wrapped);
  if (window.webkitRTCPeerConnection === Native) replace(window, 'webkitRTCPeerConnection', Wrapped);

  const registry = {
    version: 1,
    tracks: () => [...tracks].filter((t) => t.readyState === 'live'),
    /** fn('added' | 'removed', track); returns an unsubscribe function. */
    subscribe(fn) {
      subscribers.add(fn);
      return () => subscribers.delete(fn);
    },
    recorder: null,
    /** Child frames hand their tracks to the top window's registry through this. */
    add: addTrack,
  };
  defineProperty(window, slot, { value: registry, enumerable: false, configurable: false, writable: false });
});
