// The Zoom imitation's call: active speaker, gallery strip, footer, computer audio, Leave dialog,
// the recording notice, and a footer that hides while the pointer is still.
'use strict';

window.ZoomCall = ({ root, ui, joiner, config, onLeave }) => {
  const sinks = document.getElementById('audio-sinks');
  const streams = new Map(); // peerId -> MediaStream
  const audios = new window.SandboxAudioSinks(sinks);
  const state = { audioJoined: false, lastSpeaker: null, leaveDialog: null, footerTimer: null };
  const FOOTER_IDLE_MS = 3000;
  const panels = window.ZoomPanels({ root, ui, joiner }); // see panels.js

  function el(selector) { return root.querySelector(selector); }

  function mount() {
    root.replaceChildren(document.getElementById('tpl-call').content.cloneNode(true));
    el('[data-action="audio"]').addEventListener('click', () => (state.audioJoined ? toggleMic() : showJoinAudio()));
    el('[data-action="video"]').addEventListener('click', () => { ui.cam = !ui.cam; paintFooter(); });
    el('[data-action="participants"]').addEventListener('click', () => panels.toggle('participants'));
    el('[data-action="chat"]').addEventListener('click', () => panels.toggle('chat'));
    el('.footer__leave-btn').addEventListener('click', showLeaveDialog);
    window.SandboxIncomingVideoMenu({
      button: el('[data-action="more"]'), templateId: 'tpl-more', joiner,
      labels: { off: 'Stop Incoming Video', on: 'Start Incoming Video' },
    });
    paintFooter();
    render();
    autoHideFooter();
    // Zoom starts without computer audio: nothing is heard until "Join Audio by Computer", which
    // is offered once the recording notice (when there is one) has been answered.
    if (config.recordingNotice) showRecordingNotice(showJoinAudio);
    else showJoinAudio();
    if (ui.declined || ui.deviceError) showToast();
  }

  function autoHideFooter() {
    const footer = el('.footer');
    const show = () => {
      footer.classList.remove('footer--hidden');
      clearTimeout(state.footerTimer);
      state.footerTimer = setTimeout(() => footer.classList.add('footer--hidden'), FOOTER_IDLE_MS);
    };
    el('.meeting-app').addEventListener('mousemove', show);
    show();
  }

  function showRecordingNotice(then) {
    const app = el('.meeting-app');
    const holder = document.createElement('div');
    holder.appendChild(document.getElementById('tpl-recording-notice').content.cloneNode(true));
    app.appendChild(holder);
    holder.querySelector('[data-action="ok"]').addEventListener('click', () => { holder.remove(); then(); });
    holder.querySelector('[data-action="leave"]').addEventListener('click', () => { holder.remove(); onLeave(); });
  }

  function paintFooter() {
    const audio = el('[data-action="audio"]');
    if (!audio) return;
    const [audioAria, audioText] = !state.audioJoined ? ['join audio', 'Join Audio']
      : ui.mic ? ['mute my microphone', 'Mute'] : ['unmute my microphone', 'Unmute'];
    audio.setAttribute('aria-label', audioAria);
    audio.querySelector('.footer-button-base__button-label').textContent = audioText;
    const video = el('[data-action="video"]');
    video.setAttribute('aria-label', ui.cam ? 'stop my video' : 'start my video');
    video.querySelector('.footer-button-base__button-label').textContent = ui.cam ? 'Stop Video' : 'Start Video';
    const n = ui.roster.length + 1;
    const people = el('[data-action="participants"]');
    people.setAttribute('aria-label', `open the manage participants list pane,[${n}] participants`);
    people.querySelector('.footer-button__number-counter').textContent = String(n);
  }

  function toggleMic() {
    ui.mic = !ui.mic;
    if (ui.preview) for (const t of ui.preview.getAudioTracks()) t.enabled = ui.mic;
    paintFooter();
  }

  function showJoinAudio() {
    if (el('.join-dialog')) return;
    const app = el('.meeting-app');
    app.appendChild(document.getElementById('tpl-join-audio').content.cloneNode(true));
    const dialog = app.querySelector('.join-dialog');
    dialog.querySelector('.join-dialog__close').addEventListener('click', () => dialog.remove());
    dialog.querySelector('.join-audio-by-voip__join-btn').addEventListener('click', () => {
      dialog.remove();
      state.audioJoined = true;
      for (const id of streams.keys()) ensureAudio(id);
      paintFooter();
    });
  }

  function showToast() {
    const app = el('.meeting-app');
    app.appendChild(document.getElementById('tpl-toast').content.cloneNode(true));
    const toast = app.querySelector('.zm-toast');
    const close = () => toast.remove();
    toast.querySelector('.zm-toast__close').addEventListener('click', close);
    setTimeout(close, 10_000);
  }

  /** Enter (and Escape) cancel, whatever has focus: pressing Enter never leaves. */
  function showLeaveDialog() {
    if (state.leaveDialog) return;
    const holder = document.createElement('div');
    holder.appendChild(document.getElementById('tpl-leave').content.cloneNode(true));
    el('.meeting-app').appendChild(holder);
    const close = () => {
      document.removeEventListener('keydown', onKey, true);
      holder.remove();
      state.leaveDialog = null;
    };
    const onKey = (ev) => {
      if (ev.key !== 'Enter' && ev.key !== 'Escape') return;
      ev.preventDefault();
      ev.stopPropagation();
      close();
    };
    document.addEventListener('keydown', onKey, true);
    holder.querySelector('[data-action="cancel"]').addEventListener('click', close);
    holder.querySelector('[data-action="leave"]').addEventListener('click', () => { close(); onLeave(); });
    holder.querySelector('[data-action="cancel"]').focus();
    state.leaveDialog = { close };
  }

  function roster(peers) {
    ui.roster = peers;
    if (ui.phase === 'in_call') render();
  }

  function render() {
    const strip = el('.speaker-bar-container__horizontal-view-wrap');
    if (!strip) return;
    const ids = new Set(ui.roster.map((p) => p.id));
    for (const tile of strip.querySelectorAll('[data-participant-id]')) {
      const id = tile.getAttribute('data-participant-id');
      if (!tile.classList.contains('video-avatar--self') && !ids.has(id)) drop(id, tile);
    }
    const self = tileFor(strip, ui.joinerId || 'self', ui.name, true);
    setVideo(self, ui.preview);
    for (const peer of ui.roster) setVideo(tileFor(strip, peer.id, peer.name, false), streams.get(peer.id));
    renderSpeaker();
    renderShare(ui.roster.find((p) => p.presenting));
    paintFooter();
    panels.refresh();
  }

  function tileFor(strip, id, name, self) {
    let tile = strip.querySelector(`[data-participant-id="${CSS.escape(id)}"]`);
    if (!tile) {
      tile = document.createElement('div');
      tile.className = `video-avatar__avatar${self ? ' video-avatar--self' : ''}`;
      tile.setAttribute('data-participant-id', id);
      const video = document.createElement('video');
      video.autoplay = true;
      video.muted = true; // sound comes from the <audio> elements once computer audio is joined
      video.playsInline = true;
      const footer = document.createElement('div');
      footer.className = 'video-avatar__avatar-footer';
      footer.appendChild(document.createElement('span'));
      tile.append(video, footer);
      if (self) strip.prepend(tile); else strip.appendChild(tile);
    }
    tile.querySelector('.video-avatar__avatar-footer span').textContent = name;
    return tile;
  }

  function setVideo(container, stream) {
    const video = container.querySelector('video');
    if (stream && video.srcObject !== stream) video.srcObject = stream;
  }

  /**
   * Zoom's active speaker comes from its servers: whoever speaks now, else the last speaker
   * while still present, else the first other attendee, else yourself.
   */
  function renderSpeaker() {
    const frame = el('.speaker-active-container__video-frame');
    if (!frame) return;
    const speaking = ui.roster.find((p) => p.speaking);
    if (speaking) state.lastSpeaker = speaking.id;
    const current = speaking || ui.roster.find((p) => p.id === state.lastSpeaker) || ui.roster[0] || null;
    frame.setAttribute('data-speaker-id', current ? current.id : (ui.joinerId || 'self'));
    frame.querySelector('.video-avatar__avatar-footer span').textContent = current ? current.name : ui.name;
    const video = frame.querySelector('video');
    const stream = current ? streams.get(current.id) : ui.preview;
    if (video.srcObject !== (stream || null)) video.srcObject = stream || null;
    for (const tile of root.querySelectorAll('.video-avatar__avatar[data-participant-id]')) {
      const peer = ui.roster.find((p) => p.id === tile.getAttribute('data-participant-id'));
      tile.classList.toggle('video-avatar__avatar--speaking', !!(peer && peer.speaking));
    }
  }

  /**
   * Someone's screen share fills the view and the thumbnails go (Zoom's share view with the video
   * panel hidden). Its player says what it plays: media-type "share" and the sharer's node id,
   * back to "video" with no node once the share ends; the container stays.
   */
  function renderShare(presenter) {
    const container = el('#sharee-container');
    const player = container.querySelector('video-player');
    player.setAttribute('media-type', presenter ? 'share' : 'video');
    player.setAttribute('node-id', presenter ? presenter.id : '');
    container.style.display = presenter ? '' : 'none';
    for (const videoArea of [el('.speaker-active-container'), el('.speaker-bar-container__horizontal-view-wrap')]) {
      videoArea.style.display = presenter ? 'none' : '';
    }
    const video = player.querySelector('video');
    const stream = (presenter && streams.get(presenter.id)) || null;
    if (video.srcObject !== stream) video.srcObject = stream;
  }

  function drop(id, tile) {
    tile.remove();
    joiner.closePeer(id);
    streams.delete(id);
    audios.drop(id);
  }

  function ensureAudio(peerId) {
    const stream = streams.get(peerId);
    if (!stream || stream.getAudioTracks().length === 0) return;
    audios.play(peerId, stream);
  }

  function track(peerId, ev) {
    const stream = ev.streams[0] || new MediaStream([ev.track]);
    streams.set(peerId, stream);
    if (state.audioJoined && ev.track.kind === 'audio') ensureAudio(peerId);
    if (ui.phase === 'in_call') render();
  }

  function teardown() {
    clearTimeout(state.footerTimer);
    // Back from the waiting room, computer audio has to be joined again.
    state.audioJoined = false;
    state.lastSpeaker = null;
    if (state.leaveDialog) state.leaveDialog.close();
    audios.clear();
    streams.clear();
  }

  return { mount, roster, track, teardown };
};
