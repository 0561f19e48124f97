// A synthetic meeting participant: a sine tone (gain 0 while silent) and a canvas with its name
// and a frame counter (1280x720 unless the sandbox says otherwise; always drawn as 1280x720 and
// scaled), sent to every joiner over its own RTCPeerConnection.
// In flash mode (cfg.flashPeriodMs) the canvas is black, and every period it turns white for
// FLASH_MS while the tone beeps for FLASH_MS: an A/V sync test pattern.
'use strict';

(async () => {
  const cfg = JSON.parse(document.getElementById('sandbox-config').textContent);
  const peers = new Map(); // joinerId -> { pc, chain }
  const GAIN_ON = 0.5;
  const FLASH_MS = 100;
  const flashing = cfg.flashPeriodMs > 0;
  let ws;

  function send(msg) {
    if (ws && ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(msg));
  }

  // The camera/microphone grant (one getUserMedia call) is what lets Chromium gather ICE
  // candidates in a lo-only network namespace; the fake devices themselves are not sent.
  try {
    const probe = await navigator.mediaDevices.getUserMedia({ audio: true, video: true });
    for (const t of probe.getTracks()) t.stop();
  } catch (err) {
    console.warn('getUserMedia failed; ICE may gather no candidates:', err && err.name);
  }

  const audio = new AudioContext();
  const osc = new OscillatorNode(audio, { type: 'sine', frequency: cfg.toneHz });
  const gain = new GainNode(audio, { gain: cfg.speaking && !flashing ? GAIN_ON : 0 });
  const dest = audio.createMediaStreamDestination();
  osc.connect(gain).connect(dest);
  osc.start();
  await audio.resume();

  const canvas = document.querySelector('canvas');
  canvas.width = cfg.videoWidth;
  canvas.height = cfg.videoHeight;
  const g = canvas.getContext('2d');
  g.setTransform(cfg.videoWidth / 1280, 0, 0, cfg.videoHeight / 720, 0, 0);
  let frame = 0;
  let speaking = !!cfg.speaking;
  function draw() {
    frame += 1;
    if (flashing) return drawFlash();
    g.fillStyle = cfg.color;
    g.fillRect(0, 0, 1280, 720);
    g.fillStyle = '#fff';
    g.font = 'bold 64px sans-serif';
    g.fillText(cfg.name, 48, 96);
    g.font = 'bold 240px monospace';
    g.fillText(String(frame).padStart(6, '0'), 80, 460);
    g.font = '40px sans-serif';
    g.fillText(`${cfg.toneHz} Hz ${speaking ? 'speaking' : 'silent'}  ${new Date().toISOString()}`, 48, 660);
  }

  // Simultaneity at the source: the white paint and the gain change happen in the same task.
  // The gain switches at the next 128-sample render quantum (< 3 ms at 48 kHz) and reaches the
  // track when that quantum is rendered; the canvas frame is captured at the page's next
  // rendering update (< 1 frame). Measured at the source (a MediaRecorder on this page's own
  // stream, analysed like a recording): docs/quality.md.
  let nextFlash = performance.now() + cfg.flashPeriodMs;
  let flashUntil = 0;
  function drawFlash() {
    const now = performance.now();
    if (now >= nextFlash) {
      while (nextFlash <= now) nextFlash += cfg.flashPeriodMs;
      flashUntil = now + FLASH_MS;
      const t = audio.currentTime;
      gain.gain.setValueAtTime(GAIN_ON, t);
      gain.gain.setValueAtTime(0, t + FLASH_MS / 1000);
    }
    g.fillStyle = now < flashUntil ? '#fff' : '#000';
    g.fillRect(0, 0, 1280, 720);
    g.fillStyle = '#444'; // dim: the picture's mean must stay black between flashes
    g.font = '40px sans-serif';
    g.fillText(`${cfg.name} ${String(frame).padStart(6, '0')}`, 48, 660);
  }

  draw();
  setInterval(draw, 33);
  // A rate cap drops paints that come < 1/30 s after the last captured one (timer jitter), which
  // would hold a flash back a whole tick; flash mode captures every paint instead.
  const video = (flashing ? canvas.captureStream() : canvas.captureStream(30)).getVideoTracks()[0];
  const stream = new MediaStream([dest.stream.getAudioTracks()[0], video]);

  // A joiner that asked for no video still gets the video m-line, with nothing sent on it, as an
  // SFU that stops forwarding a stream: turning video back on needs no renegotiation.
  function connect(joinerId, videoOn) {
    close(joinerId);
    const pc = new RTCPeerConnection({ iceServers: [] });
    const peer = { pc, chain: Promise.resolve() };
    peers.set(joinerId, peer);
    pc.addTrack(stream.getAudioTracks()[0], stream);
    peer.videoSender = pc.addTrack(video, stream);
    setVideo(joinerId, videoOn !== false);
    pc.addEventListener('icecandidate', (ev) => {
      if (ev.candidate) send({ type: 'signal', to: joinerId, data: { candidate: ev.candidate.toJSON() } });
    });
    pc.addEventListener('connectionstatechange', () => {
      send({ type: 'pc_state', joinerId, state: pc.connectionState });
    });
    peer.chain = peer.chain.then(async () => {
      await pc.setLocalDescription(await pc.createOffer());
      send({ type: 'signal', to: joinerId, data: { description: pc.localDescription } });
    }).catch((err) => console.warn('offer to', joinerId, 'failed:', err && err.message));
  }

  function setVideo(joinerId, on) {
    const peer = peers.get(joinerId);
    if (!peer) return;
    peer.chain = peer.chain.then(async () => {
      await peer.videoSender.replaceTrack(on ? video : null);
      send({ type: 'video_state', joinerId, on });
    }).catch((err) => console.warn('video to', joinerId, 'failed:', err && err.message));
  }

  function onSignal(joinerId, data) {
    const peer = peers.get(joinerId);
    if (!peer) return;
    peer.chain = peer.chain.then(async () => {
      if (data.description) await peer.pc.setRemoteDescription(data.description);
      else if (data.candidate) await peer.pc.addIceCandidate(data.candidate);
    }).catch((err) => console.warn('signal from', joinerId, 'failed:', err && err.message));
  }

  function close(joinerId) {
    const peer = peers.get(joinerId);
    if (!peer) return;
    peers.delete(joinerId);
    peer.pc.close(); // close() fires no connectionstatechange, so report it ourselves
    send({ type: 'pc_state', joinerId, state: 'closed' });
  }

  function speak(on, nonce) {
    speaking = on;
    // Flash mode owns the gain; speaking then only drives the level indicator.
    if (!flashing) gain.gain.setValueAtTime(on ? GAIN_ON : 0, audio.currentTime);
    send({ type: 'spoke', on, nonce, at: Date.now() });
  }

  ws = new WebSocket(`wss://${location.host}/_sandbox/ws?role=participant&code=${encodeURIComponent(cfg.code)}&id=${encodeURIComponent(cfg.id)}`);
  ws.addEventListener('open', () => {
    // "ready" promises running media; without it the control API reports a start failure.
    if (audio.state === 'running' && video.readyState === 'live') send({ type: 'ready' });
    else send({ type: 'log', text: `media not running: audio=${audio.state} video=${video.readyState}` });
  });
  ws.addEventListener('message', (ev) => {
    const msg = JSON.parse(ev.data);
    if (msg.type === 'connect') connect(msg.joinerId, msg.video);
    else if (msg.type === 'video') setVideo(msg.joinerId, msg.on);
    else if (msg.type === 'disconnect') close(msg.joinerId);
    else if (msg.type === 'signal') onSignal(msg.from, msg.data);
    else if (msg.type === 'speak') speak(msg.on, msg.nonce);
    else if (msg.type === 'bye') for (const id of [...peers.keys()]) close(id);
  });
  window.__participant = { peers, stream, audio };
})();
