// The Teams imitation's page logic (anonymous web join): plain browser JS, no build step.
'use strict';

(() => {
  const app = document.getElementById('app');
  const sinks = document.getElementById('audio-sinks');
  // Real Teams A/B tests the wording of the browser-join button; each load picks one.
  const JOIN_ON_WEB = ['Join meeting from this browser', 'Continue on this browser', 'Join on this browser'];
  const PASSCODE_ERROR = 'The meeting ID or passcode is incorrect. Please try again.';
  const POST = {
    denied: ['Sorry, but you were denied access to the meeting.', ''],
    expired: ['Sorry, no one responded to your request to join this meeting.', 'Try joining again later.'],
    ended: ['Meeting ended', 'The meeting has ended.'],
    left: ['You left the meeting', ''],
  };
  const urlPasscode = new URLSearchParams(location.search).get('p');
  const ui = {
    config: null, joinerId: null, name: '', phase: 'loading', mic: true, cam: true, audio: 'computer',
    preview: null, avMode: 'none', avShown: false, roster: [], remoteStreams: new Map(), audios: new window.SandboxAudioSinks(sinks),
  };
  const sandbox = { ui, avModal: null, joinLabel: null, joiner: null };
  window.__teamsSandbox = sandbox;
  let joiner = null;
  let call = null;

  // Teams asks for the devices on load; in a closed network namespace this grant is also what
  // lets Chromium gather ICE candidates at all.
  sandbox.previewReady = navigator.mediaDevices.getUserMedia({ audio: true, video: true })
    .then((stream) => { ui.preview = stream; applyDevices(); })
    .catch((err) => console.warn('camera preview unavailable:', err && err.name));

  mount('tpl-loading');
  resolveConfig().then(start);

  function mount(templateId) {
    app.replaceChildren(document.getElementById(templateId).content.cloneNode(true));
  }

  function fragment(templateId) {
    return document.getElementById(templateId).content.cloneNode(true);
  }

  /** Inlined by the server, or (for /v2/#/l/meetup-join/.. and the launcher) looked up by the page. */
  async function resolveConfig() {
    const inline = JSON.parse(document.getElementById('sandbox-config').textContent);
    if (!inline.pending) return inline;
    const ref = meetingRef();
    if (!ref) return { error: 'not_found' };
    try {
      const res = await fetch(`/_teams/lookup?${ref}`);
      return res.ok ? await res.json() : { error: 'not_found' };
    } catch {
      return { error: 'not_found' };
    }
  }

  /** The thread or meeting id in the address, whichever level of %-encoding it hides under. */
  function meetingRef() {
    let text = location.href;
    for (let i = 0; i < 4; i += 1) {
      const thread = /meetup-join\/(19:meeting_[A-Za-z0-9+/=]+@thread\.v2)/.exec(text);
      if (thread) return `thread=${encodeURIComponent(thread[1])}`;
      const id = /\/meet\/(\d{10,15})(?!\d)/.exec(text);
      if (id) return `id=${id[1]}`;
      try { text = decodeURIComponent(text); } catch { return null; }
    }
    return null;
  }

  function start(config) {
    ui.config = config;
    if (config.error) return mount('tpl-bad-url');
    ui.avMode = config.avModal === 'random' ? (Math.random() < 0.5 ? 'before' : 'after') : config.avModal;
    sandbox.avModal = ui.avMode;
    joiner = new window.SandboxJoiner(config.code, {
      onWelcome: (id) => { ui.joinerId = id; },
      onState: (msg) => onState(msg.state),
      onRoster: (peers) => { ui.roster = peers; if (call) call.render(); },
      onTrack: (peerId, ev) => call.track(peerId, ev),
      onPeerState: () => undefined,
      onError: showJoinError,
    });
    sandbox.joiner = joiner;
    call = window.TeamsCall({ app, ui, joiner, applyDevices, leave, fragment });
    showLanding();
  }

  function showLanding() {
    ui.phase = 'landing';
    mount('tpl-landing');
    sandbox.joinLabel = JOIN_ON_WEB[Math.floor(Math.random() * JOIN_ON_WEB.length)];
    const web = app.querySelector('[data-tid="joinOnWeb"]');
    web.textContent = sandbox.joinLabel;
    app.querySelector('[data-tid="joinInApp"]').setAttribute('href', ui.config.appLink);
    web.addEventListener('click', () => {
      if (ui.phase !== 'landing') return;
      if (ui.config.wall === 'sign_in') return showWall('tpl-sign-in');
      if (ui.config.wall === 'captcha') return showWall('tpl-captcha');
      showPrejoin();
    });
  }

  function showWall(templateId) {
    ui.phase = 'wall';
    mount(templateId);
  }

  function showPrejoin() {
    ui.phase = 'prejoin';
    mount('tpl-prejoin');
    if (!ui.config.permissionPrompt) app.querySelector('.permission-hint').remove();
    if (ui.config.hasPasscode && !urlPasscode) addPasscodeField();
    const name = app.querySelector('[data-tid="prejoin-display-name-input"]');
    const join = app.querySelector('[data-tid="prejoin-join-button"]');
    // Disabled until a name is typed: only real input events enable it.
    name.addEventListener('input', () => { join.disabled = name.value.trim() === ''; });
    join.addEventListener('click', onJoinClick);
    for (const toggle of app.querySelectorAll('input[role="switch"]')) {
      toggle.addEventListener('change', () => { ui[toggle.dataset.device] = toggle.checked; applyDevices(); });
    }
    for (const radio of app.querySelectorAll('[role="radio"]')) radio.addEventListener('click', () => pickAudio(radio.dataset.audio));
    pickAudio(ui.config.audioDefault || 'computer');
    applyDevices();
    if (ui.avMode === 'before') openAvModal();
  }

  function addPasscodeField() {
    const slot = app.querySelector('.passcode-slot');
    if (slot && !slot.firstElementChild) slot.appendChild(fragment('tpl-passcode'));
  }

  function pickAudio(choice) {
    ui.audio = choice;
    for (const radio of app.querySelectorAll('[role="radio"]')) {
      const on = radio.dataset.audio === choice;
      radio.setAttribute('aria-checked', String(on));
      radio.tabIndex = on ? 0 : -1;
    }
  }

  function onJoinClick() {
    if (ui.phase !== 'prejoin' || app.querySelector('[role="dialog"]')) return;
    const name = app.querySelector('[data-tid="prejoin-display-name-input"]').value.trim();
    if (name === '') return;
    // The trap: the first Join now only raises the modal; dismissing it does not join.
    if (ui.avMode === 'after' && !ui.avShown) return openAvModal();
    const field = app.querySelector('[data-tid="prejoin-passcode-input"]');
    const typed = (field && field.value.trim()) || undefined;
    const credential = typed ? { passcode: typed } : urlPasscode ? { linkPasscode: urlPasscode } : {};
    ui.name = name;
    ui.phase = 'joining';
    app.querySelector('[data-tid="prejoin-join-button"]').disabled = true;
    setError('');
    joiner.send({ type: 'join', name, ...credential });
  }

  function openAvModal() {
    ui.avShown = true;
    const holder = document.createElement('div');
    holder.className = 'overlay';
    holder.appendChild(fragment('tpl-av-modal'));
    app.appendChild(holder);
    holder.querySelector('[data-action="continue"]').addEventListener('click', () => {
      ui.mic = false;
      ui.cam = false;
      applyDevices();
      holder.remove();
    });
    holder.querySelector('[data-action="cancel"]').addEventListener('click', () => holder.remove());
  }

  function showJoinError(message, code) {
    if (ui.phase !== 'joining' && ui.phase !== 'prejoin') return;
    ui.phase = 'prejoin';
    const passcode = code === 'passcode_required' || code === 'passcode_wrong';
    // A link's wrong or missing passcode can be typed instead, as on the meeting-ID join page.
    if (passcode) addPasscodeField();
    setError(passcode ? PASSCODE_ERROR : message);
    const join = app.querySelector('[data-tid="prejoin-join-button"]');
    const name = app.querySelector('[data-tid="prejoin-display-name-input"]');
    if (join && name) join.disabled = name.value.trim() === '';
  }

  /** The error exists only while there is one, so an empty alert never matches `[role="alert"]`. */
  function setError(text) {
    const slot = app.querySelector('.error-slot');
    if (!slot) return;
    slot.replaceChildren();
    if (!text) return;
    const el = document.createElement('div');
    el.className = 'error';
    el.setAttribute('role', 'alert');
    el.textContent = text;
    slot.appendChild(el);
  }

  function onState(state) {
    if (ui.phase === 'over') return;
    if (state === 'lobby' || state === 'waiting_host') return showLobby(state);
    if (state === 'in_call') return showCall();
    if (state === 'removed') return showRemoved();
    if (POST[state]) return showPost(...POST[state]);
  }

  function showLobby(state) {
    if (ui.phase !== 'lobby') {
      ui.phase = 'lobby';
      mount('tpl-lobby');
      app.querySelector('[data-tid="prejoin-cancel-button"]').addEventListener('click', leave);
      attachPreview();
    }
    app.querySelector('.lobby-extra').textContent =
      state === 'waiting_host' ? "When the meeting starts, we'll let people know you're waiting." : '';
  }

  function showCall() {
    ui.phase = 'in_call';
    call.enter();
    attachPreview();
  }

  function leave() {
    joiner.send({ type: 'leave' });
    showPost(...POST.left);
  }

  function teardown() {
    ui.phase = 'over';
    if (joiner) joiner.shutdown();
    if (call) call.stop();
    if (ui.preview) for (const t of ui.preview.getTracks()) t.stop();
    document.title = 'Microsoft Teams';
  }

  function showRemoved() {
    teardown();
    mount('tpl-removed');
    app.querySelector('[data-action="rejoin"]').addEventListener('click', () => location.reload());
    app.querySelector('[data-action="dismiss"]').addEventListener('click', () => showPost('Thanks for joining!', ''));
  }

  function showPost(title, detail) {
    teardown();
    mount('tpl-post');
    app.querySelector('.post-title').textContent = title;
    const p = app.querySelector('.post-detail');
    if (detail) p.textContent = detail; else p.remove();
  }

  function applyDevices() {
    if (ui.preview) {
      for (const t of ui.preview.getAudioTracks()) t.enabled = ui.mic;
      for (const t of ui.preview.getVideoTracks()) t.enabled = ui.cam;
    }
    for (const toggle of app.querySelectorAll('input[role="switch"]')) {
      const on = ui[toggle.dataset.device];
      toggle.checked = on;
      toggle.setAttribute('aria-checked', String(on));
    }
    if (call) call.paintDevices();
    attachPreview();
  }

  function attachPreview() {
    if (!ui.preview) return;
    for (const v of app.querySelectorAll('video.self-video, .self-preview video')) {
      if (v.srcObject !== ui.preview) v.srcObject = ui.preview;
    }
  }
})();
