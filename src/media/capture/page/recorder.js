/*
 * Evaluated in the page as `(<this file>)(key)` once the bot is in the call; needs peer-tap.js
 * to have run before the page loaded. Adds recorder.start(opts) / recorder.stop() to the hidden
 * registry. Mixes every remote audio track (present and future) through WebAudio into one track,
 * adds the tab's own video for audio_video, records with MediaRecorder and ships each chunk as a
 * binary WebSocket message. recorder.pause()/resume() keep the recording running but cut the
 * meeting out of it: the mix's master gain goes to 0 (exact zeros) and the video track is
 * disabled (Chromium encodes black frames), so playback keeps the meeting's timing and nothing of
 * the paused span leaves the page. Text messages report state and errors to Node:
 *   {type:'started', mimeType}  {type:'error'|'warning', message}  {type:'end', chunks, bytes}
 */
(function meetcapRecorder(key) {
  'use strict';
  const registry = window[Symbol.for(key)];
  if (!registry) throw new Error('meetcap: peer tap missing (installTap must run before navigation)');
  if (registry.recorder) return;

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
    if (s.ws.readyState === WebSocket.OPEN) s.ws.send(JSON.stringify(message));
  };

  const openSocket = (url) =>
    new Promise((resolve, reject) => {
      const ws = new WebSocket(url);
      ws.binaryType = 'arraybuffer';
      ws.onopen = () => resolve(ws);
      ws.onerror = () => reject(new Error('capture socket failed to open'));
    });

  // Remote tracks feed the mix; a muted media element per track keeps Chromium pulling
  // decoded audio for WebAudio (remote WebRTC audio can stay silent in WebAudio otherwise).
  const attachTrack = (s, track) => {
    if (s.inputs.has(track) || track.readyState !== 'live') return;
    const stream = new MediaStream([track]);
    const sink = new Audio();
    sink.muted = true;
    sink.srcObject = stream;
    sink.play().catch(() => undefined);
    const node = s.ctx.createMediaStreamSource(stream);
    node.connect(s.master);
    s.inputs.set(track, { node, sink });
  };

  const detachTrack = (s, track) => {
    const input = s.inputs.get(track);
    if (!input) return;
    s.inputs.delete(track);
    input.node.disconnect();
    input.sink.srcObject = null;
  };

  const buildMix = async (s) => {
    s.ctx = new AudioContext({ sampleRate: 48000 });
    await s.ctx.resume();
    s.dest = s.ctx.createMediaStreamDestination();
    s.master = s.ctx.createGain();
    s.master.connect(s.dest);
    // A silent constant source keeps the mix producing samples even with nobody talking yet.
    const keepAlive = s.ctx.createConstantSource();
    keepAlive.offset.value = 0;
    keepAlive.connect(s.dest);
    keepAlive.start();
    for (const t of registry.tracks()) attachTrack(s, t);
    s.unsubscribe = registry.subscribe((event, track) => (event === 'added' ? attachTrack(s, track) : detachTrack(s, track)));
  };

  const captureTab = async (s, opts) => {
    const display = await navigator.mediaDevices.getDisplayMedia({
      video: { width: 1280, height: 720, frameRate: opts.frameRate || 30 },
      audio: false,
      preferCurrentTab: true,
    });
    const video = display.getVideoTracks()[0];
    if (!video) throw new Error('tab capture returned no video track');
    video.addEventListener('ended', () => {
      if (!s.stopping) send(s, { type: 'error', message: 'tab capture ended unexpectedly' });
    });
    s.video = video;
  };

  const makeRecorder = (s, opts) => {
    const tracks = [...(s.video ? [s.video] : []), ...s.dest.stream.getAudioTracks()];
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
    if (s.unsubscribe) s.unsubscribe();
    for (const track of [...s.inputs.keys()]) detachTrack(s, track);
    if (s.video) s.video.stop();
    if (s.ctx && s.ctx.state !== 'closed') s.ctx.close().catch(() => undefined);
  };

  const start = async (opts) => {
    if (session) throw new Error('recorder already started');
    const s = { inputs: new Map(), chunks: 0, bytes: 0, lost: 0, stopping: false, paused: false, video: null, ws: null };
    session = s;
    try {
      s.mimeType = pickMime(opts.mode);
      await buildMix(s);
      if (opts.mode === 'audio_video') await captureTab(s, opts);
      s.ws = await openSocket(opts.wsUrl);
      s.ws.onclose = () => {
        if (!s.stopping) s.rec && s.rec.state !== 'inactive' && s.rec.stop();
      };
      s.rec = makeRecorder(s, opts);
      const started = new Promise((resolve) => s.rec.addEventListener('start', resolve, { once: true }));
      send(s, { type: 'started', mimeType: s.mimeType, tracks: s.inputs.size, video: !!s.video });
      s.rec.start(opts.timesliceMs || 1000);
      await started;
      return { mimeType: s.mimeType, audioTracks: s.inputs.size, video: !!s.video, at: Date.now() };
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
      s.master.gain.setValueAtTime(paused ? 0 : 1, s.ctx.currentTime);
      if (s.video) s.video.enabled = !paused;
    }
    return { paused: s.paused, at: Date.now() };
  };

  registry.recorder = { start, stop, pause: () => setPaused(true), resume: () => setPaused(false) };
});
