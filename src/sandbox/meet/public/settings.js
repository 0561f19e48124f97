// The Meet imitation's "More options" menu and its Settings dialog, where "Receive resolution
// (maximum)" → "Audio only" asks the meeting to stop sending this page any video.
'use strict';

/** `overlay(templateId)` is meet.js's: it adds the template's content over the call. */
window.MeetSettings = function MeetSettings({ app, joiner, overlay }) {
  let receive = 'Auto';

  /** Wires the toolbar's More options button (in the call only). */
  function wire() {
    const more = app.querySelector('[data-action="more"]');
    if (more) more.addEventListener('click', openMenu);
  }

  function openMenu() {
    if (app.querySelector('.menu')) return;
    const menu = overlay('tpl-more-menu');
    // Like a Material menu: any click closes it, the item's own action runs first.
    menu.querySelector('[data-action="settings"]').addEventListener('click', openSettings);
    setTimeout(() => document.addEventListener('click', () => menu.remove(), { once: true }), 0);
  }

  function openSettings() {
    const dialog = overlay('tpl-settings');
    dialog.querySelector('[aria-label="Close dialog"]').addEventListener('click', () => dialog.remove());
    document.addEventListener('keydown', function onKey(ev) {
      if (ev.key !== 'Escape') return;
      dialog.remove();
      document.removeEventListener('keydown', onKey);
    });
    for (const tab of dialog.querySelectorAll('[role="tab"]')) tab.addEventListener('click', () => showTab(dialog, tab.dataset.tab));
    const select = dialog.querySelector('[data-setting="receive"]');
    const list = dialog.querySelector('[role="listbox"]');
    select.querySelector('.value').textContent = receive;
    select.addEventListener('click', () => {
      list.hidden = !list.hidden;
      select.setAttribute('aria-expanded', String(!list.hidden));
    });
    for (const option of list.querySelectorAll('[role="option"]')) {
      option.setAttribute('aria-selected', String(option.textContent === receive));
      option.addEventListener('click', () => choose(select, list, option));
    }
  }

  function showTab(dialog, name) {
    for (const tab of dialog.querySelectorAll('[role="tab"]')) tab.setAttribute('aria-selected', String(tab.dataset.tab === name));
    for (const panel of dialog.querySelectorAll('[role="tabpanel"]')) panel.hidden = panel.dataset.panel !== name;
  }

  function choose(select, list, option) {
    receive = option.textContent;
    select.querySelector('.value').textContent = receive;
    for (const o of list.querySelectorAll('[role="option"]')) o.setAttribute('aria-selected', String(o === option));
    list.hidden = true;
    select.setAttribute('aria-expanded', 'false');
    joiner.setIncomingVideo(option.dataset.audioOnly !== 'true');
  }

  return { wire };
};
