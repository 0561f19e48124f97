// The in-call screen of the Teams imitation: tiles, remote audio, speaking outlines, roster,
// chat, toasts and the recording banner.
'use strict';

window.TeamsCall = ({ app, ui, joiner, applyDevices, leave, fragment }) => {
  const timers = [];
  const chat = []; // messages survive closing the pane, whose DOM exists only while open
  let pane = null; // 'roster' | 'chat' | null
  let startedAt = 0;

  /** Anonymous joiners (the bot among them) carry "(Guest)", like real Teams. */
  function guest(name) {
    return /\(Guest\)$/.test(name) ? name : `${name} (Guest)`;
  }

  function displayName(peer) {
    return peer.kind === 'joiner' ? guest(peer.name) : peer.name;
  }

  function enter() {
    app.replaceChildren(fragment('tpl-call'));
    startedAt = Date.now();
    document.title = 'Meeting | Microsoft Teams';
    app.querySelector('#hangup-button').addEventListener('click', leave);
    app.querySelector('#roster-button').addEventListener('click', () => togglePane('roster'));
    app.querySelector('#chat-button').addEventListener('click', () => togglePane('chat'));
    window.SandboxIncomingVideoMenu({
      button: app.querySelector('#callingButtons-showMoreBtn'), templateId: 'tpl-more-menu', joiner,
      labels: { off: 'Turn off incoming video', on: 'Turn on incoming video' },
    });
    for (const b of app.querySelectorAll('.call-buttons [data-device]')) {
      b.addEventListener('click', () => { ui[b.dataset.device] = !ui[b.dataset.device]; applyDevices(); });
    }
    if (ui.config.recordingNotice) showRecordingBanner();
    render();
    paintDevices();
    timers.push(setInterval(levels, 150), setInterval(tick, 1000));
    // Generic alerts come and go during a call; they are not a removal.
    timers.push(setTimeout(toast, 1500), setInterval(toast, 45_000));
  }

  function stop() {
    for (const t of timers.splice(0)) { clearInterval(t); clearTimeout(t); }
    ui.audios.clear();
    ui.remoteStreams.clear();
  }

  function gallery() { return app.querySelector('.video-gallery'); }

  function tileFor(peer) {
    let tile = gallery().querySelector(`[data-sandbox-peer="${CSS.escape(peer.id)}"]`);
    if (!tile) {
      tile = document.createElement('div');
      tile.className = 'tile';
      tile.setAttribute('data-stream-type', 'Video');
      tile.setAttribute('data-sandbox-peer', peer.id);
      tile.setAttribute('role', 'group');
      const video = document.createElement('video');
      video.autoplay = true;
      video.muted = true; // sound comes from the per-stream <audio> elements
      video.playsInline = true;
      const label = document.createElement('div');
      label.className = 'tile-name';
      tile.append(video, label);
      gallery().appendChild(tile);
    }
    const name = displayName(peer);
    tile.setAttribute('data-tid', name);
    tile.setAttribute('aria-label', name);
    tile.querySelector('.tile-name').textContent = name;
    return tile;
  }

  function render() {
    if (!gallery()) return;
    const ids = new Set(ui.roster.map((p) => p.id));
    for (const tile of gallery().querySelectorAll('[data-sandbox-peer]')) {
      const id = tile.getAttribute('data-sandbox-peer');
      if (!ids.has(id)) drop(id, tile);
    }
    for (const peer of ui.roster) {
      const video = tileFor(peer).querySelector('video');
      const stream = ui.remoteStreams.get(peer.id);
      if (stream && video.srcObject !== stream) video.srcObject = stream;
    }
    app.querySelector('.roster-count').textContent = String(ui.roster.length + 1);
    if (pane === 'roster') renderRoster();
  }

  function drop(id, tile) {
    tile.remove();
    joiner.closePeer(id);
    ui.remoteStreams.delete(id);
    ui.audios.drop(id);
  }

  /** One <audio autoplay> per remote stream; "Don't use audio" means no sound at all, as in Teams. */
  function track(peerId, ev) {
    const stream = ev.streams[0] || new MediaStream([ev.track]);
    ui.remoteStreams.set(peerId, stream);
    if (ev.track.kind === 'audio' && ui.audio === 'computer') ui.audios.play(peerId, stream);
    if (ui.phase === 'in_call') render();
  }

  /**
   * Teams draws the outline from the service's speaking events, not local playout; the
   * sandbox's speaking flag stands in, shown only once media actually flows to this page.
   */
  function levels() {
    if (!gallery()) return;
    for (const peer of ui.roster) {
      const tile = gallery().querySelector(`[data-sandbox-peer="${CSS.escape(peer.id)}"]`);
      if (!tile) continue;
      const live = peer.speaking && joiner.isConnected(peer.id);
      const outline = tile.querySelector('[data-tid="voice-level-stream-outline"]');
      if (live && !outline) {
        const el = document.createElement('div');
        el.className = 'voice-outline';
        el.setAttribute('data-tid', 'voice-level-stream-outline');
        tile.appendChild(el);
      } else if (!live && outline) {
        outline.remove();
      }
    }
  }

  function togglePane(which) {
    pane = pane === which ? null : which;
    const slot = app.querySelector('.pane-slot');
    slot.replaceChildren();
    if (pane === 'roster') { slot.appendChild(fragment('tpl-roster-pane')); renderRoster(); }
    if (pane === 'chat') openChat(slot);
  }

  function renderRoster() {
    const list = app.querySelector('.roster-list');
    if (!list) return;
    const names = [guest(ui.name), ...ui.roster.map(displayName)];
    app.querySelector('.roster-total').textContent = String(names.length);
    list.replaceChildren(...names.map((name) => {
      const row = document.createElement('li');
      row.setAttribute('data-tid', 'roster-participant');
      row.setAttribute('role', 'listitem');
      row.setAttribute('aria-label', name);
      const span = document.createElement('span');
      span.className = 'roster-name';
      span.textContent = name;
      row.appendChild(span);
      return row;
    }));
  }

  function openChat(slot) {
    slot.appendChild(fragment('tpl-chat-pane'));
    for (const msg of chat) appendMessage(msg);
    const editor = app.querySelector('[aria-label="Type a message"]');
    editor.addEventListener('keydown', (ev) => {
      if (ev.key !== 'Enter' || ev.shiftKey) return;
      ev.preventDefault(); // Enter sends; Shift+Enter would add a line
      const text = editor.innerText.trim();
      if (text === '') return;
      const msg = { author: guest(ui.name), text, at: new Date() };
      chat.push(msg);
      joiner.chat(text);
      appendMessage(msg);
      editor.replaceChildren();
    });
    editor.focus();
  }

  function appendMessage(msg) {
    const row = document.createElement('div');
    row.className = 'chat-message';
    row.setAttribute('data-tid', 'chat-pane-message');
    const head = document.createElement('div');
    head.className = 'chat-author';
    head.textContent = `${msg.author}  ${msg.at.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })}`;
    const body = document.createElement('div');
    body.className = 'chat-text';
    body.textContent = msg.text;
    row.append(head, body);
    app.querySelector('.chat-messages').appendChild(row);
  }

  function showRecordingBanner() {
    const banners = app.querySelector('.banners');
    banners.appendChild(fragment('tpl-recording'));
    const banner = banners.lastElementChild;
    banner.querySelector('[data-action="dismiss"]').addEventListener('click', () => banner.remove());
  }

  function toast() {
    const box = app.querySelector('.toasts');
    if (!box) return;
    const el = document.createElement('div');
    el.className = 'toast';
    el.setAttribute('role', 'alert');
    el.textContent = !ui.cam ? 'Your camera is turned off' : !ui.mic ? 'Your mic is muted' : 'Your network quality may affect the call';
    box.appendChild(el);
    timers.push(setTimeout(() => el.remove(), 6000));
  }

  function tick() {
    const el = app.querySelector('.call-timer');
    if (!el) return;
    const s = Math.floor((Date.now() - startedAt) / 1000);
    el.textContent = `${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
  }

  function paintDevices() {
    const cam = app.querySelector('#video-button');
    const mic = app.querySelector('#microphone-button');
    if (cam) { cam.setAttribute('aria-label', ui.cam ? 'Turn camera off' : 'Turn camera on'); cam.textContent = ui.cam ? 'Camera' : 'Camera off'; }
    if (mic) { mic.setAttribute('aria-label', ui.mic ? 'Mute mic' : 'Unmute mic'); mic.textContent = ui.mic ? 'Mic' : 'Mic off'; }
  }

  return { enter, stop, render, track, paintDevices };
};
