// In-page helpers for every platform adapter. Plain browser JS on purpose: functions written in
// TypeScript and serialised by Puppeteer break under tsx (it injects `__name` helpers the page
// does not have). Node evaluates this file as `(<this>)(op, arg)`; it must stay one expression.
// Everything here reads the DOM (top document plus same-origin iframes, for Zoom's
// iframe#webclient) and never writes to it, so the page cannot see the bot looking.
(function pageKit(op, arg) {
  const norm = (s) =>
    String(s || '')
      .replace(/[\u2018\u2019\u02bc]/g, "'")
      .replace(/\u2026/g, '...')
      .replace(/\s+/g, ' ')
      .trim()
      .toLowerCase();

  const docs = () => {
    const out = [document];
    for (const frame of document.querySelectorAll('iframe')) {
      try {
        if (frame.contentDocument && frame.contentDocument.body) out.push(frame.contentDocument);
      } catch (_e) {
        // cross-origin frames are not ours to read
      }
    }
    return out;
  };

  const visible = (el) => {
    if (!el || !el.isConnected) return false;
    const style = el.ownerDocument.defaultView.getComputedStyle(el);
    if (style.visibility === 'hidden' || style.display === 'none') return false;
    return el.getClientRects().length > 0;
  };

  const queryAll = (selector) => {
    const found = [];
    for (const d of docs()) {
      try {
        found.push(...d.querySelectorAll(selector));
      } catch (_e) {
        // an invalid selector in a spec must not break the probe
      }
    }
    return found;
  };

  const pageText = () => norm(docs().map((d) => d.body.innerText).join('\n'));

  const anyText = (text, texts) => (texts || []).some((t) => text.includes(norm(t)));
  const anySelector = (selectors) => (selectors || []).some((s) => queryAll(s).some(visible));
  const matches = (text, signal) => anyText(text, signal.texts) || anySelector(signal.selectors);

  const labelOf = (el) => norm(el.getAttribute('aria-label') || el.textContent);

  function find(spec) {
    for (const s of spec.selectors || []) {
      const el = queryAll(s).find((e) => visible(e) && !e.disabled);
      if (el) return el;
    }
    const wanted = (spec.texts || []).map(norm);
    if (!wanted.length) return null;
    const roles = spec.roles || 'button, [role="button"], a, [role="menuitem"]';
    for (const w of wanted) {
      const el = queryAll(roles).find((e) => visible(e) && !e.disabled && labelOf(e) === w);
      if (el) return el;
    }
    return null;
  }

  function tiles(spec) {
    const byId = new Map();
    for (const el of queryAll(spec.tile)) {
      const id = el.getAttribute(spec.idAttribute);
      if (!id || byId.has(id)) continue;
      let name = '';
      for (const s of spec.name) {
        const n = el.matches(s) ? el : el.querySelector(s);
        const text = n && (n.getAttribute(spec.selfNameAttribute) || n.textContent);
        if (text && text.trim()) {
          name = text.trim();
          break;
        }
      }
      const self = spec.self.some((s) => el.matches(s) || !!el.querySelector(s));
      const levels = [el, ...el.querySelectorAll('[' + spec.speakingAttribute + ']')]
        .map((e) => parseFloat(e.getAttribute(spec.speakingAttribute) || '0'))
        .filter((v) => !Number.isNaN(v));
      byId.set(id, { id, name, self, speaking: levels.some((v) => v > 0) });
    }
    return [...byId.values()];
  }

  function probe(spec) {
    const text = pageText();
    const host = location.hostname;
    for (const o of spec.outcomes) {
      if ((o.hosts || []).includes(host) || matches(text, o)) {
        return { phase: o.phase, reason: o.reason, participants: [] };
      }
    }
    const dialog = spec.dialogs.find((d) => matches(text, d));
    const blockingDialog = dialog ? dialog.name : undefined;
    if (matches(text, spec.waitingRoom)) return { phase: 'waiting_room', participants: [], blockingDialog };
    const inCallSignals = spec.inCall.selectors.filter((s) => queryAll(s).some(visible)).length;
    if (inCallSignals >= spec.inCall.minSignals) {
      return { phase: 'in_call', participants: tiles(spec.tiles).filter((t) => !t.self), blockingDialog };
    }
    if (matches(text, spec.prejoin)) return { phase: 'prejoin', participants: [], blockingDialog };
    return { phase: 'loading', participants: [], blockingDialog };
  }

  if (op === 'probe') return probe(arg);
  if (op === 'find') return find(arg);
  if (op === 'text') return pageText();
  throw new Error('page-kit: unknown op ' + op);
});
