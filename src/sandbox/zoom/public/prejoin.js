// The Zoom imitation's name field + Join button (React or classic client) and preview toggles.
'use strict';

window.ZoomPrejoin = (config, ui) => {
  const nativeValue = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value');

  /**
   * React keeps its own copy of a controlled input's value and only learns of changes from input
   * events whose value differs from that copy; a script assigning `.value` moves the copy too,
   * so the change is lost. Real keystrokes (or the native setter) get through, as in the product.
   */
  function trackLikeReact(input, onChange) {
    let known = '';
    Object.defineProperty(input, 'value', {
      configurable: true,
      get() { return nativeValue.get.call(this); },
      set(v) { known = String(v); nativeValue.set.call(this, v); },
    });
    input.addEventListener('input', () => {
      const now = nativeValue.get.call(input);
      if (now === known) return;
      known = now;
      onChange(now);
    });
  }

  /**
   * Mounts the variant's name field and Join button into `slot`. `extraReady()` adds a condition
   * (the passcode page wants a passcode too); `onJoin(name)` runs on click or Enter.
   */
  function mountNameField(slot, { extraReady, onJoin, onEdit }) {
    const react = config.nameField === 'react';
    slot.appendChild(document.getElementById(react ? 'tpl-name-react' : 'tpl-name-classic').content.cloneNode(true));
    const input = slot.querySelector(react ? '#input-for-name' : '#inputname');
    const button = slot.querySelector(react ? 'button.preview-join-button' : '#joinBtn');
    let name = '';
    const ready = () => name.trim() !== '' && (!extraReady || extraReady());
    const refresh = () => {
      const off = !ready() || ui.phase !== 'prejoin';
      button.disabled = off;
      if (react) button.classList.toggle('disabled', off);
    };
    const edited = (value) => { name = value; refresh(); if (onEdit) onEdit(); };
    if (react) trackLikeReact(input, edited);
    else input.addEventListener('input', () => edited(input.value));
    const submit = () => { if (ready() && ui.phase === 'prejoin') onJoin(name.trim()); };
    button.addEventListener('click', submit);
    input.addEventListener('keydown', (ev) => { if (ev.key === 'Enter') submit(); });
    if (ui.name) { nativeValue.set.call(input, ui.name); name = ui.name; }
    refresh();
    return { refresh, input, button };
  }

  function paintToggle(button) {
    const mic = button.dataset.toggle === 'mic';
    const label = mic ? (ui.mic ? 'Mute' : 'Unmute') : (ui.cam ? 'Stop Video' : 'Start Video');
    button.setAttribute('aria-label', label);
    button.textContent = label;
    button.classList.toggle('is-off', mic ? !ui.mic : !ui.cam);
  }

  function applyDevices(root) {
    if (ui.preview) {
      for (const t of ui.preview.getAudioTracks()) t.enabled = ui.mic;
      for (const t of ui.preview.getVideoTracks()) t.enabled = ui.cam;
    }
    for (const b of root.querySelectorAll('[data-toggle]')) paintToggle(b);
  }

  function wireToggles(root) {
    for (const button of root.querySelectorAll('[data-toggle]')) {
      button.addEventListener('click', () => {
        const key = button.dataset.toggle;
        ui[key] = !ui[key];
        applyDevices(root);
      });
    }
    applyDevices(root);
  }

  return { mountNameField, wireToggles, applyDevices };
};
