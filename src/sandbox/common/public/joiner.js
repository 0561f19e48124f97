// Shared by every imitated platform's meeting page: the signalling socket and the
// receive-only peer connections (one per remote participant, the participant offers).
'use strict';

window.SandboxJoiner = class SandboxJoiner {
  /**
   * @param {string} code meeting code
   * @param {{onWelcome(id:string):void, onState(msg:object):void, onRoster(peers:object[]):void,
   *          onTrack(peerId:string, ev:RTCTrackEvent):void, onPeerState(peerId:string, state:string):void,
   *          onError(message:string, code:string):void}} handlers
   */
  constructor(code, handlers) {
    this.code = code;
    this.h = handlers;
    this.peers = new Map(); // peerId -> { pc, chain }
    this.closed = false;
    const url = `wss://${location.host}/_sandbox/ws?role=joiner&code=${encodeURIComponent(code)}`;
    this.ws = new WebSocket(url);
    this.ready = new Promise((resolve) => this.ws.addEventListener('open', resolve, { once: true }));
    this.ws.addEventListener('message', (ev) => this.onMessage(JSON.parse(ev.data)));
  }

  send(msg) {
    this.ready.then(() => {
      if (this.ws.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(msg));
    });
  }

  onMessage(msg) {
    switch (msg.type) {
      case 'welcome': return this.h.onWelcome(msg.joinerId);
      case 'state': return this.h.onState(msg);
      case 'roster': return this.h.onRoster(msg.peers);
      case 'signal': return this.onSignal(msg.from, msg.data);
      case 'error': return this.h.onError(msg.message, msg.code);
    }
  }

  /** Serialises each peer's operations so candidates never race their offer. */
  onSignal(from, data) {
    if (this.closed) return;
    let peer = this.peers.get(from);
    if (data.description && data.description.type === 'offer') {
      // A fresh offer means the participant restarted its side: start over too.
      if (peer) this.closePeer(from);
      peer = this.createPeer(from);
    }
    if (!peer) return;
    peer.chain = peer.chain.then(async () => {
      if (data.description) {
        await peer.pc.setRemoteDescription(data.description);
        const answer = await peer.pc.createAnswer();
        await peer.pc.setLocalDescription(answer);
        this.send({ type: 'signal', to: from, data: { description: peer.pc.localDescription } });
      } else if (data.candidate) {
        await peer.pc.addIceCandidate(data.candidate);
      }
    }).catch((err) => console.warn('signal from', from, 'failed:', err && err.message));
  }

  createPeer(peerId) {
    const pc = new RTCPeerConnection({ iceServers: [] });
    const peer = { pc, chain: Promise.resolve() };
    this.peers.set(peerId, peer);
    pc.addEventListener('icecandidate', (ev) => {
      if (ev.candidate) this.send({ type: 'signal', to: peerId, data: { candidate: ev.candidate.toJSON() } });
    });
    pc.addEventListener('track', (ev) => this.h.onTrack(peerId, ev));
    pc.addEventListener('connectionstatechange', () => this.h.onPeerState(peerId, pc.connectionState));
    return peer;
  }

  /** A message the page's chat sent to everyone. */
  chat(text) {
    this.send({ type: 'chat', text: String(text) });
  }

  /** Asks the meeting for the participants' video or for none ("Audio only"); the server stops forwarding it. */
  setIncomingVideo(on) {
    this.send({ type: 'video', on: !!on });
  }

  isConnected(peerId) {
    const peer = this.peers.get(peerId);
    return !!peer && peer.pc.connectionState === 'connected';
  }

  closePeer(peerId) {
    const peer = this.peers.get(peerId);
    if (!peer) return;
    this.peers.delete(peerId);
    peer.pc.close();
  }

  closeAllPeers() {
    for (const id of [...this.peers.keys()]) this.closePeer(id);
  }

  /** After the meeting is over for this page: no media, no more signalling. */
  shutdown() {
    this.closed = true;
    this.closeAllPeers();
  }
};

/**
 * One <audio autoplay> per remote stream, as the real clients play them; shared by every
 * platform's page. Remote audio is only "heard" (and only reaches a tab capture) while it plays.
 */
window.SandboxAudioSinks = class SandboxAudioSinks {
  /** @param {HTMLElement} container where the (invisible) audio elements live */
  constructor(container) {
    this.container = container;
    this.audios = new Map(); // peerId -> <audio>
    this.held = false;
  }

  has(peerId) { return this.audios.has(peerId); }

  get size() { return this.audios.size; }

  /** While held (a consent notice not yet answered), the participants are not heard. */
  hold(on) {
    this.held = on;
    for (const audio of this.audios.values()) audio.muted = on;
  }

  play(peerId, stream) {
    if (this.audios.has(peerId)) return;
    const audio = document.createElement('audio');
    audio.autoplay = true;
    audio.muted = !!this.held;
    audio.srcObject = stream;
    this.container.appendChild(audio);
    this.audios.set(peerId, audio);
    audio.play().catch(() => undefined); // autoplay may need a gesture; the tracks still flow
  }

  drop(peerId) {
    const audio = this.audios.get(peerId);
    if (!audio) return;
    audio.srcObject = null;
    audio.remove();
    this.audios.delete(peerId);
  }

  clear() {
    for (const id of [...this.audios.keys()]) this.drop(id);
  }
};

/**
 * A toolbar "More" menu whose item turns the participants' video off and on (Teams' "Turn off
 * incoming video", Zoom's "Stop Incoming Video"). The menu opens under `button.parentElement`
 * from `templateId`; any click closes it, the item's own action first.
 */
window.SandboxIncomingVideoMenu = function SandboxIncomingVideoMenu({ button, templateId, joiner, labels }) {
  let on = true;
  let menu = null;
  const close = () => { if (menu) menu.remove(); menu = null; };
  button.addEventListener('click', (ev) => {
    if (menu) return close();
    ev.stopPropagation();
    menu = document.getElementById(templateId).content.firstElementChild.cloneNode(true);
    const item = menu.querySelector('[data-action="incoming-video"]');
    item.textContent = on ? labels.off : labels.on;
    item.setAttribute('aria-label', item.textContent);
    item.addEventListener('click', (e) => {
      e.preventDefault();
      on = !on;
      joiner.setIncomingVideo(on);
    });
    button.parentElement.appendChild(menu);
    document.addEventListener('click', close, { once: true });
  });
};
