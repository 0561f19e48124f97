// A synthetic meeting participant: a sine tone (gain 0 while silent) and a 1280x720 canvas
// with its name and a frame counter, sent to every joiner over its own RTCPeerConnection.
'use strict';

(async () => {
  const cfg = JSON.parse(document.getElementById('sandbox-config').textContent);
  const peers = new Map(); // joinerId -> { pc, chain }
  const GAIN_ON = 0.5;
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
  const gain = new GainNode(audio, { gain: cfg.speaking ? GAIN_ON : 0 });
  const dest = audio.createMediaStreamDestination();
  osc.connect(gain).connect(dest);
  osc.start();
  await audio.resume();

  const canvas = document.querySelector('canvas');
  const g = canvas.getContext('2d');
  let frame = 0;
  let speaking = !!cfg.speaking;
  function draw() {
    frame += 1;
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
  draw();
  setInterval(draw, 33);
  const video = canvas.captureStream(30).getVideoTracks()[0];
  const stream = new MediaStream([dest.stream.getAudioTracks()[0], video]);

  function connect(joinerId) {
    close(joinerId);
    const pc = new RTCPeerConnection({ iceServers: [] });
    const peer = { pc, chain: Promise.resolve() };
    peers.set(joinerId, peer);
    for (const track of stream.getTracks()) pc.addTrack(track, stream);
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
    gain.gain.setValueAtTime(on ? GAIN_ON : 0, audio.currentTime);
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
    if (msg.type === 'connect') connect(msg.joinerId);
    else if (msg.type === 'disconnect') close(msg.joinerId);
    else if (msg.type === 'signal') onSignal(msg.from, msg.data);
    else if (msg.type === 'speak') speak(msg.on, msg.nonce);
    else if (msg.type === 'bye') for (const id of [...peers.keys()]) close(id);
  });
  window.__participant = { peers, stream, audio };
})();
