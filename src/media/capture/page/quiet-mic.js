/*
 * Installed before any meeting page's own script runs (Page.addScriptToEvaluateOnNewDocument).
 * The bot never speaks: its microphone is muted on every platform, yet the pages open it and
 * keep it open, and ask Chromium for echo cancellation, noise suppression and gain control on
 * it. Echo cancellation runs in the audio service with a copy of everything the tab plays as
 * its reference, for the whole meeting: about 1.2-1.8 CPU-s per minute measured on the 2-core
 * machine (docs/benchmarks.md), to clean a signal nobody hears. This asks for the microphone
 * unprocessed instead. The recording is untouched: it is the tab's sound, captured with
 * processing off already (recorder.js, beside this file).
 *
 * Only the audio part of a request changes; video, device choice and every other constraint
 * pass through. Chrome's legacy `mandatory`/`optional` syntax cannot be mixed with standard
 * constraints (getUserMedia rejects the mix), so such a request passes through unchanged. The
 * wrapper never makes a request fail that would have succeeded: if rewriting throws, the
 * page's own request goes through as it was.
 */
(function meetcapQuietMic() {
  'use strict';
  const devices = navigator.mediaDevices;
  if (!devices || typeof devices.getUserMedia !== 'function') return;
  const OFF = { echoCancellation: false, noiseSuppression: false, autoGainControl: false, voiceIsolation: false };
  const keys = Object.keys(OFF);

  const quiet = (set) => {
    const out = { ...set };
    for (const k of keys) delete out[k];
    return out;
  };

  const rewriteAudio = (audio) => {
    if (audio === true) return { ...OFF };
    if (!audio || typeof audio !== 'object') return audio;
    if ('mandatory' in audio || 'optional' in audio) return audio;
    const out = { ...quiet(audio), ...OFF };
    if (Array.isArray(audio.advanced)) out.advanced = audio.advanced.map((set) => (set && typeof set === 'object' ? quiet(set) : set));
    return out;
  };

  const rewrite = (constraints) => {
    try {
      if (!constraints || typeof constraints !== 'object' || !constraints.audio) return constraints;
      return { ...constraints, audio: rewriteAudio(constraints.audio) };
    } catch {
      return constraints;
    }
  };

  const original = devices.getUserMedia;
  // A method shorthand has no prototype and no construct behaviour, and a rest parameter keeps
  // `length` at 0, as on the native method.
  const wrapped = {
    getUserMedia(...args) {
      return original.call(this, rewrite(args[0]));
    },
  }.getUserMedia;
  Object.defineProperty(MediaDevices.prototype, 'getUserMedia', { value: wrapped, writable: true, enumerable: true, configurable: true });

  // The prefixed callback form is a separate native path; a page that still uses it gets the same.
  const legacy = Navigator.prototype.webkitGetUserMedia;
  if (typeof legacy === 'function') {
    const wrappedLegacy = {
      webkitGetUserMedia(constraints, ok, fail) {
        return legacy.call(this, rewrite(constraints), ok, fail);
      },
    }.webkitGetUserMedia;
    Object.defineProperty(Navigator.prototype, 'webkitGetUserMedia', { value: wrappedLegacy, writable: true, enumerable: true, configurable: true });
  }
})();
