// In-page helpers for every platform adapter. Plain browser JS on purpose: functions written in
// TypeScript and serialised by Puppeteer break under tsx (it injects `__name` helpers the page
// does not have). Node evaluates this file as `(<this>)(op, arg)`; it must stay one expression.
// Everything here reads the DOM (top document, shown same-origin iframes for Zoom's
// iframe#webclient, and open shadow roots, where web-component controls keep their buttons and
// text) and never writes to it, so the page cannot see the bot looking.
(function pageKit(op, arg, pierce) {
  const norm = (s) =>
    String(s || '')
      .replace(/[\u2018\u2019\u02bc]/g, "'")
      .replace(/\u2026/g, '...')
      .replace(/\s+/g, ' ')
      .trim()
      .toLowerCase();

  // The documents read (the page and its shown same-origin frames), found once per call: every
  // selector of a probe is asked of the same ones.
  let docsCache = null;
  const docs = () => {
    if (docsCache) return docsCache;
    const out = [document];
    for (const frame of document.querySelectorAll('iframe')) {
      // A hidden frame's text is not on the screen (and innerText of a document that is not laid
      // out is all of its text): a pre-rendered dialog in one must not read as page state.
      if (!visible(frame)) continue;
      try {
        if (frame.contentDocument && frame.contentDocument.body) out.push(frame.contentDocument);
      } catch (_e) {
        // cross-origin frames are not ours to read
      }
    }
    docsCache = out;
    return out;
  };

  // Open shadow roots under the documents, nested ones included, when the caller asks (`pierce`):
  // finding them visits every element, which costs more than the rest of a probe on a large page.
  // Found once per call, since every selector and text read of one probe looks into the same roots.
  let shadowCache = null;
  const shadowRoots = () => {
    if (shadowCache) return shadowCache;
    shadowCache = [];
    if (!pierce) return shadowCache;
    const visit = (root) => {
      for (const el of root.querySelectorAll('*')) {
        if (el.shadowRoot) {
          shadowCache.push(el.shadowRoot);
          visit(el.shadowRoot);
        }
      }
    };
    docs().forEach(visit);
    return shadowCache;
  };
  const roots = () => [...docs(), ...shadowRoots()];

  const styleOf = (el) => el.ownerDocument.defaultView.getComputedStyle(el);
  const visible = (el) => {
    if (!el || !el.isConnected) return false;
    const style = styleOf(el);
    if (style.visibility === 'hidden' || style.display === 'none') return false;
    return el.getClientRects().length > 0;
  };

  const queryAll = (selector) => {
    const found = [];
    for (const d of roots()) {
      try {
        found.push(...d.querySelectorAll(selector));
      } catch (_e) {
        // an invalid selector in a spec must not break the probe
      }
    }
    return found;
  };

  // Laid out at all (display is not none, here or above), or a `display: contents` wrapper, whose
  // children may have boxes of their own. Not a visibility check: a `visibility: hidden` element
  // can have visible children, and innerText already leaves the invisible ones out.
  const rendered = (el) => el.getClientRects().length > 0 || styleOf(el).display === 'contents';

  // Text people typed (chat, captions) must never read as a page state: "Meeting ended?" in chat
  // is not the meeting ending. What holds it is skipped while collecting the text: containers
  // matching the spec's selectors, and the few elements around a message marker (Meet's "<name>
  // says in chat: <message>" toast, whose container has no stable name). innerText of an
  // element that is not rendered is its whole text, so those are skipped by hand.
  const skipper = (selectors, around) => ({
    is: (el) => around.has(el) || selectors.some((s) => el.matches(s)),
    within: (el) => selectors.some((s) => el.querySelector(s)) || [...around].some((x) => x !== el && el.contains(x)),
    above: (node) => selectors.some((s) => node.closest(s)) || [...around].some((x) => x.contains(node)),
  });
  const textSkipping = (el, skip) => {
    if (skip.is(el)) return '';
    if (!skip.within(el)) return el.innerText || '';
    const ownTextShown = styleOf(el).visibility !== 'hidden';
    const parts = [];
    for (const node of el.childNodes) {
      if (node.nodeType === 1 && rendered(node)) parts.push(textSkipping(node, skip));
      else if (node.nodeType === 3 && ownTextShown) parts.push(node.nodeValue);
    }
    return parts.join('\n');
  };

  // The elements holding a marker (Meet writes "<name> says in chat: <message>" as one text),
  // widened a few levels while they stay message-sized, so a Close button or a time beside it
  // goes too. Found from text nodes holding the marker's last word (scripts and styles left out),
  // then the nearest element whose normalised text holds the whole marker, so a marker split
  // over inline nodes or written with no-break spaces is found. Widening never takes in text
  // the page states itself by (`keep`: an end screen, a reconnect notice beside the toast).
  const MESSAGE_MAX_CHARS = 700;
  const NOT_TEXT = new Set(['SCRIPT', 'STYLE', 'NOSCRIPT', 'TEMPLATE']);
  const holding = (top, marker) => {
    const out = new Set();
    const lastWord = marker.split(' ').pop();
    const walker = (top.ownerDocument || top).createTreeWalker(top, 4 /* NodeFilter.SHOW_TEXT */);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      if (!n.parentElement || NOT_TEXT.has(n.parentElement.tagName) || !norm(n.nodeValue).includes(lastWord)) continue;
      let el = n.parentElement;
      for (let up = 0; el && up < 3 && !norm(el.textContent).includes(marker); up++) el = el.parentElement;
      if (el && norm(el.textContent).includes(marker)) out.add(el);
    }
    return [...out];
  };
  const widen = (el, keep) => {
    for (let up = 0; up < 3; up++) {
      const parent = el.parentElement;
      if (!parent || parent === el.ownerDocument.body) break;
      const whole = norm(parent.innerText);
      if (whole.length > MESSAGE_MAX_CHARS) break;
      const added = whole.replace(norm(el.innerText), ' ');
      if (keep.some((k) => added.includes(k))) break;
      el = parent;
    }
    return el;
  };
  const aroundMarkers = (markers, keep) => {
    const found = new Set();
    const tops = [...docs().map((d) => d.body), ...shadowRoots()];
    for (const m of markers) for (const top of tops) for (const el of holding(top, m)) found.add(widen(el, keep));
    return found;
  };

  // A shadow root whose host, or any host above it, sits in an ignored container (a chat row
  // drawn by a web component) holds words people typed too.
  const ignoredRoot = (root, skip) => {
    for (let h = root.host; h; h = h.getRootNode().host) if (skip.above(h)) return true;
    return false;
  };

  const pageText = (ignore, markers, keep) => {
    const valid = (ignore || []).filter((s) => {
      try {
        document.querySelector(s);
        return true;
      } catch (_e) {
        return false;
      }
    });
    const read = (skip) => {
      // innerText leaves shadow trees out, so each shown host's tree is read node by node.
      const shadowText = shadowRoots()
        .filter((r) => rendered(r.host) && !ignoredRoot(r, skip))
        .flatMap((r) => [...r.childNodes].map((n) => {
          if (n.nodeType === 3) return styleOf(r.host).visibility === 'hidden' ? '' : n.nodeValue;
          return n.nodeType === 1 && rendered(n) ? textSkipping(n, skip) : '';
        }));
      return [...docs().map((d) => textSkipping(d.body, skip)), ...shadowText].join('\n');
    };
    const text = norm(read(skipper(valid, new Set())));
    // Looking for the markers' elements reads every element's text, so only when one is on the page.
    const shown = (markers || []).map(norm).filter((m) => m && text.includes(m));
    if (shown.length === 0) return text;
    const raw = read(skipper(valid, aroundMarkers(shown, (keep || []).map(norm).filter(Boolean))));
    // Still there (drawn where no element can be singled out): at least its lines go.
    return norm(raw.split('\n').filter((line) => !shown.some((m) => norm(line).includes(m))).join('\n'));
  };

  // Where a click target's texts are looked for when it names no roles of its own.
  const CLICKABLE = 'button, [role="button"], a, [role="menuitem"]';
  const anyText = (text, texts) => (texts || []).some((t) => text.includes(norm(t)));
  const anySelector = (selectors) => (selectors || []).some((s) => queryAll(s).some(visible));
  const anyTitle = (titles) => (titles || []).some((t) => queryAll(t.selector).some((e) => visible(e) && anyText(norm(e.textContent), t.texts)));
  const matches = (text, signal) => anyText(text, signal.texts) || anySelector(signal.selectors) || anyTitle(signal.titles);

  // The names a person would read: the aria-label, else the aria-labelledby texts and the text itself.
  const namesOf = (el) => {
    if (el.getAttribute('aria-label')) return [norm(el.getAttribute('aria-label'))];
    const ids = (el.getAttribute('aria-labelledby') || '').split(/\s+/).filter(Boolean);
    const root = el.getRootNode();
    const scope = typeof root.getElementById === 'function' ? root : el.ownerDocument;
    const labelled = ids.map((id) => scope.getElementById(id)).filter(Boolean).map((l) => l.textContent).join(' ');
    return [norm(labelled), norm(el.textContent)].filter(Boolean);
  };

  function find(spec) {
    for (const s of spec.selectors || []) {
      const el = queryAll(s).find((e) => visible(e) && !e.disabled);
      if (el) return el;
    }
    const wanted = (spec.texts || []).map(norm);
    if (!wanted.length) return null;
    const roles = spec.roles || CLICKABLE;
    const candidates = queryAll(roles).filter((e) => visible(e) && !e.disabled);
    for (const w of wanted) {
      const el = candidates.find((e) => namesOf(e).includes(w));
      if (el) return el;
    }
    // Menu items and options often carry an icon's ligature text ("settingsSettings").
    if (!spec.partial) return null;
    for (const w of wanted) {
      const el = candidates.find((e) => namesOf(e).some((n) => n.includes(w)));
      if (el) return el;
    }
    return null;
  }

  // In the page at all, shown or hidden (a control inside a toolbar that hides itself).
  function exists(spec) {
    if ((spec.selectors || []).some((s) => queryAll(s).length > 0)) return true;
    const wanted = (spec.texts || []).map(norm);
    const roles = spec.roles || CLICKABLE;
    return wanted.length > 0 && queryAll(roles).some((e) => namesOf(e).some((n) => wanted.includes(n)));
  }

  // Display-name suffixes platforms add ("Ann (Guest)", "Bot (me)"), ignored when comparing names.
  const bareName = (n) => norm(n).replace(/\s*\((guest|me|you|host|co-host|external|unverified)\)\s*/g, ' ').trim();

  function tileName(el, spec) {
    if (spec.nameAttribute && el.getAttribute(spec.nameAttribute)) return el.getAttribute(spec.nameAttribute).trim();
    for (const s of spec.name || []) {
      const n = el.matches(s) ? el : el.querySelector(s);
      const text = n && ((spec.selfNameAttribute && n.getAttribute(spec.selfNameAttribute)) || n.textContent);
      if (text && text.trim()) return text.trim();
    }
    return '';
  }

  function isSpeaking(el, spec) {
    if (spec.speakingSelector && (el.matches(spec.speakingSelector) || [...el.querySelectorAll(spec.speakingSelector)].some(visible))) return true;
    if (!spec.speakingAttribute) return false;
    return [el, ...el.querySelectorAll('[' + spec.speakingAttribute + ']')]
      .map((e) => parseFloat(e.getAttribute(spec.speakingAttribute) || '0'))
      .some((v) => !Number.isNaN(v) && v > 0);
  }

  // Tiles keyed by id (or by name where the platform has no id); a participant shown twice
  // (gallery and active-speaker frame) is one participant, speaking if either says so.
  function tiles(spec, selfName) {
    const byId = new Map();
    const self = selfName ? bareName(selfName) : null;
    for (const el of queryAll(spec.tile)) {
      if (!visible(el)) continue;
      const name = tileName(el, spec);
      const id = (spec.idAttribute && el.getAttribute(spec.idAttribute)) || name;
      if (!id) continue;
      const isSelf = spec.self.some((s) => el.matches(s) || !!el.querySelector(s)) || (self !== null && bareName(name) === self);
      const speaking = isSpeaking(el, spec);
      const seen = byId.get(id);
      if (seen) {
        seen.speaking = seen.speaking || speaking;
        seen.self = seen.self || isSelf;
      } else byId.set(id, { id, name, self: isSelf, speaking });
    }
    return [...byId.values()];
  }

  // The page's count of the people in the call, from shown elements (hidden ones too where the spec
  // says so: Zoom's footer hides itself while the pointer is still); the largest number wins.
  // Null when the page shows none.
  function headcount(specs) {
    let most = null;
    for (const h of specs || []) {
      for (const el of queryAll(h.selector).filter((e) => h.hidden || visible(e))) {
        const found = /\d+/.exec((h.attribute ? el.getAttribute(h.attribute) : el.textContent) || '');
        if (found) most = Math.max(most === null ? 0 : most, parseInt(found[0], 10));
      }
    }
    return most;
  }

  function inCall(spec, selfName, text, state) {
    const call = state('in_call', tiles(spec.tiles, selfName).filter((t) => !t.self));
    const count = headcount(spec.headcount);
    if (count !== null) call.headcount = count;
    call.presenting = !!spec.presenting && matches(text, spec.presenting);
    return call;
  }

  function probe(spec, selfName) {
    const stateTexts = [spec.waitingRoom, spec.reconnecting, spec.left, ...spec.outcomes].flatMap((sig) => (sig && sig.texts) || []);
    const text = pageText(spec.ignoreText, spec.ignoreMessagesWith, stateTexts);
    const host = location.hostname;
    const path = location.pathname;
    // What the page says outranks where it is: a removal notice drawn after the route changed to a
    // generic end page still reads as the removal. Then hosts and paths, in the same order.
    const ended = (o) => ({ phase: o.phase, reason: o.reason, participants: [] });
    for (const o of spec.outcomes) if (matches(text, o)) return ended(o);
    for (const o of spec.outcomes) if ((o.hosts || []).includes(host) || (o.paths || []).some((p) => path.startsWith(p))) return ended(o);
    const dialog = spec.dialogs.find((d) => matches(text, d));
    const blockingDialog = dialog ? dialog.name : undefined;
    const reconnecting = !!spec.reconnecting && matches(text, spec.reconnecting);
    const state = (phase, participants) => ({ phase, participants: participants || [], blockingDialog, reconnecting });
    if (matches(text, spec.waitingRoom)) return state('waiting_room');
    // Mounted signals (a toolbar that hides itself) keep a layout nothing else of which is known (a
    // whiteboard filling the view) in the call, except on a page that says it left or is
    // reconnecting, where the toolbar may linger in the DOM.
    const left = !!spec.left && matches(text, spec.left);
    const shown = spec.inCall.selectors.filter((s) => queryAll(s).some(visible)).length;
    const mounted = left || reconnecting ? 0 : (spec.inCall.mounted || []).filter((s) => queryAll(s).length > 0).length;
    if (shown + mounted >= spec.inCall.minSignals) return inCall(spec, selfName, text, state);
    if (left) return state('left');
    if (matches(text, spec.prejoin)) return state('prejoin');
    return state('loading');
  }

  if (op === 'probe') return probe(arg.spec, arg.selfName);
  if (op === 'find') return find(arg);
  if (op === 'exists') return exists(arg);
  if (op === 'text') return pageText(arg);
  if (op === 'shadowRoots') return shadowRoots().length;
  throw new Error('page-kit: unknown op ' + op);
});
