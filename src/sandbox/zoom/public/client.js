// The Zoom web client imitation's flow: permission dialogs, walls, passcode/preview, waiting
// screens and the end of the meeting. The call itself lives in call.js.
'use strict';

(() => {
  const config = JSON.parse(document.getElementById('sandbox-config').textContent);
  const root = document.getElementById('root');
  const OVER_TEXT = {
    ended: 'This meeting has been ended by host',
    removed: 'You have been removed from this meeting',
    denied: 'The host has removed you from the waiting room',
    expired: 'The host did not let you in. Please try again later.',
  };
  const PERMISSION_TEXT = [
    ['Allow Zoom to use your microphone and camera', 'Others in the meeting can see and hear you once you allow access.'],
    ['Allow Zoom to use your microphone', 'Others can hear you once you allow access. You can change this later in the meeting.'],
  ];
  const ui = {
    phase: 'loading', joinerId: null, name: '', mic: true, cam: true, preview: null, deviceError: false, declined: false,
    roster: [], passcode: config.needPasscode, form: null,
  };

  document.title = 'Zoom';
  const prejoin = window.ZoomPrejoin(config, ui);
  const joiner = new window.SandboxJoiner(config.code, {
    onWelcome: (id) => { ui.joinerId = id; },
    onState: (msg) => onState(msg.state),
    onRoster: (peers) => call.roster(peers),
    onTrack: (peerId, ev) => call.track(peerId, ev),
    onPeerState: () => undefined,
    onError: onError,
  });
  const call = window.ZoomCall({ root, ui, joiner, config, onLeave: showLeft }); // see call.js

  // The client asks for devices on load; inside a closed network namespace this grant is also
  // what lets Chromium gather ICE candidates at all.
  const previewReady = navigator.mediaDevices.getUserMedia({ audio: true, video: true })
    .then((stream) => { ui.preview = stream; prejoin.applyDevices(root); attachPreview(); })
    .catch((err) => { ui.deviceError = true; console.warn('camera preview unavailable:', err && err.name); });
  window.__zoomSandbox = { ui, joiner, previewReady };

  start();

  function start() {
    if (config.meetingState === 'ended') return showOver(OVER_TEXT.ended);
    if (config.wall === 'sign_in') return mount('tpl-signin-wall');
    showPrejoin();
    if (config.permissionPrompt) showPermission(0);
  }

  function mount(templateId) {
    root.replaceChildren(document.getElementById(templateId).content.cloneNode(true));
  }

  function overlay(templateId) {
    const holder = document.createElement('div');
    holder.className = 'overlay';
    holder.appendChild(document.getElementById(templateId).content.cloneNode(true));
    root.appendChild(holder);
    return holder;
  }

  /** Zoom asks up to twice: once for both devices, then once more about the microphone. */
  function showPermission(round) {
    const dialog = overlay('tpl-permission');
    const [title, text] = PERMISSION_TEXT[round];
    dialog.querySelector('.permission-dialog__title').textContent = title;
    dialog.querySelector('.permission-dialog__text').textContent = text;
    const close = (withoutDevices) => {
      if (withoutDevices) {
        ui.declined = true; // the call then warns it cannot detect the devices
        ui.mic = false;
        if (round === 0) ui.cam = false;
        prejoin.applyDevices(root);
      }
      dialog.remove();
      if (round === 0 && ui.phase === 'prejoin') showPermission(1);
    };
    dialog.querySelector('[data-action="allow"]').addEventListener('click', () => close(false));
    dialog.querySelector('[data-action="without"]').addEventListener('click', () => close(true));
  }

  function showPrejoin() {
    ui.phase = 'prejoin';
    if (ui.passcode) return showPasscodePage();
    document.title = 'Zoom';
    mount('tpl-preview');
    root.querySelector('.preview-meeting-info__topic').textContent = config.topic;
    ui.form = prejoin.mountNameField(root.querySelector('.name-slot'), { onJoin: (name) => requestJoin(name) });
    prejoin.wireToggles(root);
    attachPreview();
  }

  function showPasscodePage(error) {
    document.title = 'Enter Meeting Info';
    mount('tpl-passcode');
    const pwd = root.querySelector('#input-for-pwd');
    ui.form = prejoin.mountNameField(root.querySelector('.name-slot'), {
      extraReady: () => pwd.value.trim() !== '',
      onJoin: (name) => requestJoin(name, pwd.value.trim()),
      onEdit: () => setError(''),
    });
    pwd.addEventListener('input', () => { ui.form.refresh(); setError(''); });
    pwd.addEventListener('keydown', (ev) => { if (ev.key === 'Enter') ui.form.button.click(); });
    if (error) setError(error);
  }

  function setError(text) {
    const el = root.querySelector('.join-error');
    if (el) el.textContent = text;
  }

  function requestJoin(name, passcode) {
    if (root.querySelector('[role="dialog"][aria-modal="true"]')) return; // a permission dialog blocks the page
    if (config.wall === 'captcha') return showBotWall();
    ui.name = name;
    ui.phase = 'joining';
    ui.form.refresh();
    const credential = passcode !== undefined ? { passcode } : config.pwd ? { linkPasscode: config.pwd } : {};
    joiner.send({ type: 'join', name, ...credential });
  }

  function onError(message, code) {
    if (ui.phase !== 'joining') return;
    ui.phase = 'prejoin';
    if (code === 'passcode_required' || code === 'passcode_wrong') {
      const wasAsking = ui.passcode;
      ui.passcode = true;
      if (!wasAsking) return showPasscodePage(code === 'passcode_wrong' ? 'Passcode wrong' : '');
      setError('Passcode wrong');
    } else {
      setError(message);
    }
    ui.form.refresh();
  }

  /** The bot wall has no way forward: the checkbox frame does nothing, and nothing is sent. */
  function showBotWall() {
    ui.phase = 'walled';
    mount('tpl-bot-wall');
    root.querySelector('.wall__captcha').srcdoc = captchaDoc();
  }

  function captchaDoc() {
    return '<!doctype html><html><body style="margin:0;font:14px Roboto,Arial,sans-serif">'
      + '<div style="display:flex;align-items:center;justify-content:space-between;width:300px;height:74px;'
      + 'border:1px solid #d3d3d3;border-radius:3px;background:#f9f9f9;box-sizing:border-box;padding:0 12px">'
      + '<label style="display:flex;align-items:center;gap:12px"><input type="checkbox" id="recaptcha-anchor"'
      + ' style="width:24px;height:24px"> I\'m not a robot</label>'
      + '<span style="font-size:10px;color:#555;text-align:center">reCAPTCHA<br>Privacy - Terms</span>'
      + '</div></body></html>';
  }

  function onState(state) {
    if (ui.phase === 'over') return;
    if (state === 'waiting_host') return showWaitingHost();
    if (state === 'lobby') return showWaitingRoom();
    if (state === 'in_call') return showCall();
    if (state === 'left') return showLeft();
    if (OVER_TEXT[state]) return showOver(OVER_TEXT[state]);
  }

  function showWaitingHost() {
    ui.phase = 'waiting_host';
    document.title = 'Zoom';
    mount('tpl-waiting-host');
    root.querySelector('.waiting-host__topic').textContent = config.topic;
    const time = new Date().toLocaleTimeString('en-US', { hour: 'numeric', minute: '2-digit' });
    root.querySelector('.waiting-host__time').textContent = `Start time: ${time}`;
  }

  function showWaitingRoom() {
    // Put back in the waiting room by the host: the call's media stops until it is let in again.
    if (ui.phase === 'in_call') {
      call.teardown();
      joiner.closeAllPeers();
    }
    ui.phase = 'lobby';
    document.title = 'Zoom';
    mount('tpl-waiting-room');
    root.querySelector('.wr-topic').textContent = config.topic;
    attachPreview();
  }

  function showCall() {
    ui.phase = 'in_call';
    document.title = 'Zoom Meeting';
    call.mount();
  }

  function finish() {
    joiner.shutdown();
    call.teardown();
    if (ui.preview) for (const t of ui.preview.getTracks()) t.stop();
  }

  function showLeft() {
    if (ui.phase === 'over') return;
    ui.phase = 'over';
    joiner.send({ type: 'leave' });
    finish();
    document.title = 'Zoom';
    mount('tpl-left');
  }

  /** Ended, removed, denied, expired: Zoom's modal over an emptied client; OK goes to zoom.us. */
  function showOver(text) {
    ui.phase = 'over';
    finish();
    document.title = 'Zoom';
    mount('tpl-over');
    root.querySelector('.zm-modal-body-title').textContent = text;
    root.querySelector('[data-action="ok"]').addEventListener('click', () => { window.top.location.href = 'https://zoom.us/'; });
  }

  function attachPreview() {
    if (!ui.preview) return;
    for (const v of root.querySelectorAll('video.preview-video, video.wr-self-video')) {
      if (v.srcObject !== ui.preview) v.srcObject = ui.preview;
    }
  }
})();
