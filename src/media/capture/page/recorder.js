/*
 * Evaluated in the page as `(<this file>)(key)` once the bot is in the call. Adds
 * recorder.start(opts) / stop() / pause() / resume() under a hidden window slot
 * (Symbol.for(key), non-enumerable, key random per session). Records the tab itself with
 * MediaRecorder: one getDisplayMedia capture gives the tab's picture and the tab's sound, i.e.
 * what the meeting looks and sounds like to someone in it, whoever produces the sound (media
 * elements, WebAudio, any frame). Audio and picture come from the same rendering, so their
 * timing agrees; a WebAudio mix of the remote tracks ran on its own clock and drifted against
 * the picture by 100 ms and more in under a minute (docs/quality.md). audio_only stops the picture
 * before recording, so no video is encoded, and hides the page's videos, so none is composited.
 * Chunks go out as binary WebSocket messages.
 * pause()/resume() keep the recording running but disable both tracks (Chromium then delivers
 * digital silence and black frames), so playback keeps the meeting's timing and nothing of the
 * paused span leaves the page. Text messages report state and errors to Node:
 *   {type:'started', mimeType}  {type:'error'|'warning', message}  {type:'end', chunks, bytes}
 */
(function meetcapRecorder(key) {
  'use strict';
  const slot = Symbol.for(key);
  if (Object.prototype.hasOwnProperty.call(window, slot)) return;

  const VIDEO_MIMES = ['video/mp4;codecs=avc1,opus', 'video/mp4;codecs=avc1.42E01F,opus', 'video/mp4;codecs=avc1,mp4a.40.2', 'video/mp4'];
  const AUDIO_MIMES = ['audio/mp4;codecs=opus', 'audio/webm;codecs=opus', 'audio/webm', 'audio/mp4'];
  let session = null;

  const pickMime = (mode) => {
    const list = mode === 'audio_only' ? AUDIO_MIMES : VIDEO_MIMES;
    const found = list.find((m) => MediaRecorder.isTypeSupported(m));
    if (!found) throw new Error(`no supported MediaRecorder type for ${mode}`);
    return found;
  };

  const send = (s, message) => {
    if (s.ws && s.ws.readyState === WebSocket.OPEN) s.ws.send(JSON.stringify(message));
  };

  const openSocket = (url) =>
    new Promise((resolve, reject) => {
      const ws = new WebSocket(url);
      ws.binaryType = 'arraybuffer';
      ws.onopen = () => resolve(ws);
      ws.onerror = () => reject(new Error('capture socket failed to open'));
    });

  // The page's sound as it is, not as a call would process a microphone: noise suppression
  // treats a steady tone (or music) as noise and removes it, AGC pumps levels. Local playback is
  // suppressed while capturing, so a bot never plays the meeting out of a host's speakers.
  const TAB_AUDIO = { echoCancellation: false, noiseSuppression: false, autoGainControl: false, suppressLocalAudioPlayback: true };

  const watchEnded = (s, track, what) =>
    track.addEventListener('ended', () => {
      if (!s.stopping) send(s, { type: 'error', message: `tab ${what} capture ended unexpectedly` });
    });

  // An audio-only bot has no one to show the meeting to: hidden <video> elements are not
  // composited or presented (the page still receives and decodes them). visibility, not display,
  // so the layout, and with it the tile sizes a platform uses to choose stream quality, stays
  // as it is; an adopted sheet adds nothing to the DOM the page sees.
  const hidePictures = () => {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync('video { visibility: hidden !important; }');
    document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
  };

  const captureTab = async (s, opts) => {
    const display = await navigator.mediaDevices.getDisplayMedia({
      video: { width: 1280, height: 720, frameRate: opts.frameRate || 30 },
      audio: TAB_AUDIO,
      preferCurrentTab: true,
    });
    const [video] = display.getVideoTracks();
    const [audio] = display.getAudioTracks();
    if (!audio) {
      for (const t of display.getTracks()) t.stop();
      throw new Error('tab capture returned no audio track');
    }
    s.audio = audio;
    watchEnded(s, audio, 'audio');
    if (opts.mode === 'audio_only') {
      if (video) video.stop();
      hidePictures();
      return;
    }
    if (!video) throw new Error('tab capture returned no video track');
    s.video = video;
    watchEnded(s, video, 'video');
  };

  const makeRecorder = (s, opts) => {
    const tracks = [...(s.video ? [s.video] : []), s.audio];
    const options = { mimeType: s.mimeType, audioBitsPerSecond: 128000 };
    if (s.video) Object.assign(options, { videoBitsPerSecond: opts.videoBitsPerSecond || 2500000, videoKeyFrameIntervalDuration: 2000 });
    const rec = new MediaRecorder(new MediaStream(tracks), options);
    rec.ondataavailable = (e) => {
      if (!e.data || e.data.size === 0) return;
      s.chunks += 1;
      s.bytes += e.data.size;
      if (s.ws.readyState === WebSocket.OPEN) s.ws.send(e.data);
      else if (!s.stopping) s.lost += e.data.size;
    };
    rec.onerror = (e) => send(s, { type: 'error', message: `MediaRecorder: ${(e.error && e.error.message) || 'error'}` });
    return rec;
  };

  const teardown = (s) => {
    if (s.video) s.video.stop();
    if (s.audio) s.audio.stop();
  };

  const start = async (opts) => {
    if (session) throw new Error('recorder already started');
    const s = { chunks: 0, bytes: 0, lost: 0, stopping: false, paused: false, video: null, audio: null, ws: null };
    session = s;
    try {
      s.mimeType = pickMime(opts.mode);
      await captureTab(s, opts);
      s.ws = await openSocket(opts.wsUrl);
      s.ws.onclose = () => {
        if (!s.stopping) s.rec && s.rec.state !== 'inactive' && s.rec.stop();
      };
      s.rec = makeRecorder(s, opts);
      const started = new Promise((resolve) => s.rec.addEventListener('start', resolve, { once: true }));
      send(s, { type: 'started', mimeType: s.mimeType, video: !!s.video });
      // The file's time zero: the recorder takes frames from the capture threads from here on,
      // while its 'start' event waits for a busy main thread (hundreds of ms under load).
      const at = Date.now();
      s.rec.start(opts.timesliceMs || 1000);
      await started;
      return { mimeType: s.mimeType, video: !!s.video, at };
    } catch (err) {
      const message = (err && err.message) || String(err);
      if (s.ws) send(s, { type: 'error', message });
      teardown(s);
      if (s.ws) s.ws.close(1011, 'start failed');
      session = null;
      throw new Error(`meetcap recorder start failed: ${message}`);
    }
  };

  const stop = async () => {
    const s = session;
    if (!s) return { chunks: 0, bytes: 0 };
    if (s.stopping) return s.stopped;
    s.stopping = true;
    s.stopped = (async () => {
      if (s.rec.state !== 'inactive') {
        // The final dataavailable is dispatched before 'stop'.
        const stopped = new Promise((resolve) => s.rec.addEventListener('stop', resolve, { once: true }));
        s.rec.stop();
        await stopped;
      }
      teardown(s);
      const summary = { chunks: s.chunks, bytes: s.bytes, lost: s.lost };
      if (s.ws.readyState === WebSocket.OPEN) {
        // Messages go out in order, so 'end' follows the last chunk; Node closes once it has it all.
        const closed = new Promise((resolve) => s.ws.addEventListener('close', resolve, { once: true }));
        send(s, { type: 'end', ...summary });
        await closed;
      }
      session = null;
      return summary;
    })();
    return s.stopped;
  };

  // Returns the page's wall-clock time of the switch, so Node can place the span in the file.
  const setPaused = (paused) => {
    const s = session;
    if (!s || s.stopping) throw new Error('recorder is not running');
    if (s.paused !== paused) {
      s.paused = paused;
      s.audio.enabled = !paused;
      if (s.video) s.video.enabled = !paused;
    }
    return { paused: s.paused, at: Date.now() };
  };

  const recorder = { start, stop, pause: () => setPaused(true), resume: () => setPaused(false) };
  Object.defineProperty(window, slot, { value: { recorder }, enumerable: false, configurable: false, writable: false });
});
