// The Meet imitation's page logic: plain browser JS, no build step.
'use strict';

(() => {
  const config = JSON.parse(document.getElementById('sandbox-config').textContent);
  const app = document.getElementById('app');
  const sinks = document.getElementById('audio-sinks');
  const OVER_TEXT = {
    denied: 'Someone in the call denied your request to join',
    expired: 'No one responded to your request to join the call',
    removed: "You've been removed from the meeting",
    ended: 'Your host ended the meeting for everyone',
    left: 'You left the meeting',
  };
  const ui = {
    joinerId: null, name: '', phase: 'loading', mic: true, cam: true, preview: null,
    roster: [], remoteStreams: new Map(), audios: new window.SandboxAudioSinks(sinks), levelTimer: null, clockTimer: null,
  };

  document.title = 'Meet';
  const joiner = new window.SandboxJoiner(config.code, {
    onWelcome: (id) => { ui.joinerId = id; },
    onState: (msg) => onState(msg.state),
    onRoster: (peers) => { ui.roster = peers; if (ui.phase === 'in_call') renderTiles(); },
    onTrack: onTrack,
    onPeerState: () => undefined,
    onError: (message) => showHint(message),
  });
  const tiles = window.MeetTiles({ app, ui, joiner }); // see tiles.js
  const settings = window.MeetSettings({ app, joiner, overlay }); // see settings.js

  // Real Meet asks for the camera on load either way; in a closed network namespace this grant
  // is also what lets Chromium gather ICE candidates at all.
  const previewReady = navigator.mediaDevices.getUserMedia({ audio: true, video: true })
    .then((stream) => { ui.preview = stream; applyDevices(); attachPreview(); })
    .catch((err) => console.warn('camera preview unavailable:', err && err.name));

  if (config.permissionPrompt) showPermission(); else showPrejoin();
  window.__meetSandbox = { ui, joiner, previewReady };

  function mount(...templateIds) {
    app.replaceChildren();
    for (const id of templateIds) app.appendChild(document.getElementById(id).content.cloneNode(true));
  }

  function overlay(templateId) {
    const holder = document.createElement('div');
    holder.className = 'overlay';
    holder.appendChild(document.getElementById(templateId).content.cloneNode(true));
    app.appendChild(holder);
    return holder;
  }

  function showPermission() {
    ui.phase = 'permission';
    mount('tpl-prejoin');
    wirePrejoin();
    const dialog = overlay('tpl-permission');
    dialog.querySelector('[data-action="allow"]').addEventListener('click', () => dialog.remove());
    dialog.querySelector('[data-action="without"]').addEventListener('click', () => {
      ui.mic = false; ui.cam = false;
      applyDevices();
      dialog.remove();
    });
  }

  function showPrejoin() {
    ui.phase = 'prejoin';
    mount('tpl-prejoin');
    wirePrejoin();
  }

  function wirePrejoin() {
    const input = app.querySelector('input[aria-label="Your name"]');
    const button = app.querySelector('.join-button');
    app.querySelector('.join-label').textContent = config.open ? 'Join now' : 'Ask to join';
    // Like Meet, the button stays disabled until a name is typed (real input events needed).
    input.addEventListener('input', () => { button.disabled = input.value.trim() === ''; });
    input.addEventListener('keydown', (ev) => { if (ev.key === 'Enter') requestJoin(input.value); });
    button.addEventListener('click', () => requestJoin(input.value));
    wireToggles(app);
    attachPreview();
  }

  function requestJoin(name) {
    if (ui.phase !== 'prejoin' && ui.phase !== 'permission') return;
    if (name.trim() === '') return showHint('Enter your name to join');
    if (app.querySelector('[role="dialog"]')) return; // the permission dialog blocks the page
    ui.name = name.trim();
    ui.phase = 'joining';
    app.querySelector('.join-button').disabled = true;
    joiner.send({ type: 'join', name: ui.name });
  }

  function showHint(message) {
    const hint = app.querySelector('.hint');
    if (hint) hint.textContent = message;
    if (ui.phase === 'joining') {
      ui.phase = 'prejoin';
      const button = app.querySelector('.join-button');
      if (button) button.disabled = false;
    }
  }

  function onState(state) {
    if (ui.phase === 'over') return;
    if (state === 'lobby') return showLobby();
    if (state === 'in_call') return showCall();
    if (state === 'reconnecting') return showReconnecting();
    if (OVER_TEXT[state]) return showOver(OVER_TEXT[state]);
  }

  /** The network dropped: Meet takes the whole call away and says so until it is back. */
  function showReconnecting() {
    ui.phase = 'reconnecting';
    clearInterval(ui.levelTimer);
    ui.audios.clear();
    ui.remoteStreams.clear();
    joiner.closeAllPeers();
    mount('tpl-reconnecting');
  }

  function showLobby() {
    ui.phase = 'lobby';
    mount('tpl-lobby', 'tpl-toolbar');
    for (const el of app.querySelectorAll('.in-call-only')) el.remove();
    wireToolbar();
    app.querySelector('[data-action="home"]').addEventListener('click', () => {
      joiner.send({ type: 'leave' });
      location.href = '/';
    });
    attachPreview();
  }

  function showCall() {
    ui.phase = 'in_call';
    document.title = `Meet - ${config.code}`;
    mount('tpl-call', 'tpl-toolbar');
    wireToolbar();
    settings.wire();
    app.querySelector('[data-action="people"]').addEventListener('click', () => {
      const panel = app.querySelector('.side-panel');
      panel.hidden = !panel.hidden;
    });
    wireChat();
    const captions = app.querySelector('[data-action="captions"]');
    captions.addEventListener('click', () => {
      const on = captions.getAttribute('aria-label') === 'Turn on captions';
      captions.setAttribute('aria-label', on ? 'Turn off captions' : 'Turn on captions');
    });
    renderTiles();
    ui.levelTimer = setInterval(updateLevels, 150);
    if (config.recordingNotice) showRecordingNotice();
  }

  function showRecordingNotice() {
    const dialog = overlay('tpl-recorded');
    ui.audios.hold(true);
    dialog.querySelector('[data-action="rec-join"]').addEventListener('click', () => {
      ui.audios.hold(false);
      dialog.remove();
    });
    dialog.querySelector('[data-action="rec-leave"]').addEventListener('click', leave);
  }

  /** "Chat with everyone" toggles the panel; Enter sends what the box holds to the meeting. */
  function wireChat() {
    const panel = app.querySelector('.chat-panel');
    const box = panel.querySelector('textarea');
    let seq = 0;
    app.querySelector('[data-action="chat"]').addEventListener('click', () => {
      panel.hidden = !panel.hidden;
      if (!panel.hidden) box.focus();
    });
    box.addEventListener('keydown', (ev) => {
      if (ev.key !== 'Enter' || ev.shiftKey) return;
      ev.preventDefault();
      const text = box.value.trim();
      if (text === '') return;
      joiner.chat(text);
      const row = document.createElement('div');
      row.dataset.messageId = `m${++seq}`;
      row.textContent = `You: ${text}`;
      panel.querySelector('.chat-messages').appendChild(row);
      box.value = '';
    });
  }

  function wireToolbar() {
    wireToggles(app);
    app.querySelector('.meeting-code').textContent = config.code;
    const clock = app.querySelector('.clock');
    const tick = () => { clock.textContent = new Date().toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' }); };
    tick();
    clearInterval(ui.clockTimer);
    ui.clockTimer = setInterval(tick, 10000);
    // In the lobby this cancels the request to join; in the call it leaves.
    app.querySelector('[data-action="leave"]').addEventListener('click', leave);
  }

  function leave() {
    joiner.send({ type: 'leave' });
    showOver(OVER_TEXT.left);
  }

  function showOver(text) {
    ui.phase = 'over';
    joiner.shutdown();
    clearInterval(ui.levelTimer);
    clearInterval(ui.clockTimer);
    ui.audios.clear();
    ui.remoteStreams.clear();
    if (ui.preview) for (const t of ui.preview.getTracks()) t.stop();
    document.title = 'Meet';
    mount('tpl-over');
    app.querySelector('.over-title').textContent = text;
    app.querySelector('[data-action="home"]').addEventListener('click', () => { location.href = '/'; });
  }

  function wireToggles(root) {
    for (const button of root.querySelectorAll('[data-toggle]')) {
      paintToggle(button);
      button.addEventListener('click', () => {
        const key = button.dataset.toggle;
        ui[key] = !ui[key];
        applyDevices();
      });
    }
  }

  function paintToggle(button) {
    const mic = button.dataset.toggle === 'mic';
    const on = mic ? ui.mic : ui.cam;
    const what = mic ? 'microphone' : 'camera';
    button.setAttribute('aria-label', `${on ? 'Turn off' : 'Turn on'} ${what}`);
    button.classList.toggle('off', !on);
  }

  function applyDevices() {
    if (ui.preview) {
      for (const t of ui.preview.getAudioTracks()) t.enabled = ui.mic;
      for (const t of ui.preview.getVideoTracks()) t.enabled = ui.cam;
    }
    for (const b of app.querySelectorAll('[data-toggle]')) paintToggle(b);
  }

  function attachPreview() {
    if (!ui.preview) return;
    for (const v of app.querySelectorAll('video.self-preview')) if (v.srcObject !== ui.preview) v.srcObject = ui.preview;
  }

  function renderTiles() { tiles.render(); }
  function updateLevels() { tiles.levels(); }
  function onTrack(peerId, ev) { tiles.track(peerId, ev); }
})();
