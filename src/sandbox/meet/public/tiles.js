// In-call tiles, remote audio elements and speaking levels of the Meet imitation.
'use strict';

window.MeetTiles = ({ app, ui, joiner }) => {
  function grid() { return app.querySelector('.grid'); }

  function tileFor(id, name, self) {
    let tile = grid().querySelector(`[data-participant-id="${CSS.escape(id)}"]`);
    if (!tile) {
      tile = document.createElement('div');
      tile.className = 'tile';
      tile.setAttribute('data-participant-id', id);
      tile.setAttribute('data-audio-level', '0');
      const video = document.createElement('video');
      video.autoplay = true;
      video.muted = true; // sound comes from the per-stream <audio> elements, as in Meet
      video.playsInline = true;
      const plate = document.createElement('div');
      plate.className = 'nameplate';
      const span = document.createElement('span');
      span.className = 'notranslate';
      plate.appendChild(span);
      tile.append(video, plate);
      grid().appendChild(tile);
    }
    if (self) tile.setAttribute('data-self-name', name);
    tile.querySelector('span.notranslate').textContent = name;
    return tile;
  }

  function render() {
    if (!grid()) return;
    const self = tileFor(ui.joinerId || 'self', ui.name, true);
    if (ui.preview && self.querySelector('video').srcObject !== ui.preview) self.querySelector('video').srcObject = ui.preview;
    const ids = new Set(ui.roster.map((p) => p.id));
    for (const tile of grid().querySelectorAll('[data-participant-id]')) {
      const id = tile.getAttribute('data-participant-id');
      if (tile !== self && !ids.has(id)) drop(id, tile);
    }
    for (const peer of ui.roster) {
      const tile = tileFor(peer.id, peer.name, false);
      const stream = ui.remoteStreams.get(peer.id);
      const video = tile.querySelector('video');
      if (stream && video.srcObject !== stream) video.srcObject = stream;
    }
    renderPeople();
  }

  function drop(id, tile) {
    tile.remove();
    joiner.closePeer(id);
    ui.remoteStreams.delete(id);
    ui.audios.drop(id);
  }

  function renderPeople() {
    const n = ui.roster.length + 1;
    const people = app.querySelector('[data-action="people"]');
    if (people) people.setAttribute('aria-label', `People - ${n} joined`);
    const count = app.querySelector('[data-avatar-count]');
    if (count) { count.setAttribute('data-avatar-count', String(n)); count.textContent = String(n); }
    const list = app.querySelector('.people-list');
    if (!list) return;
    list.replaceChildren(...[{ name: `${ui.name} (You)` }, ...ui.roster].map((p) => {
      const item = document.createElement('div');
      item.setAttribute('role', 'listitem');
      item.textContent = p.name;
      return item;
    }));
  }

  /** One <audio autoplay> per remote stream, like Meet; the tile shows the video. */
  function track(peerId, ev) {
    const stream = ev.streams[0] || new MediaStream([ev.track]);
    ui.remoteStreams.set(peerId, stream);
    if (ev.track.kind === 'audio') ui.audios.play(peerId, stream);
    if (ui.phase === 'in_call') render();
  }

  /**
   * Meet's level comes from its servers, not local playout; here the sandbox's speaking flag
   * stands in for it, shown only once media actually flows to this page.
   */
  function levels() {
    for (const peer of ui.roster) {
      const tile = grid() && grid().querySelector(`[data-participant-id="${CSS.escape(peer.id)}"]`);
      if (!tile) continue;
      const live = peer.speaking && joiner.isConnected(peer.id);
      const level = live ? (0.55 + 0.4 * Math.abs(Math.sin(Date.now() / 170 + peer.id.length))).toFixed(2) : '0';
      tile.setAttribute('data-audio-level', level);
      tile.setAttribute('data-speaking', String(live));
    }
  }

  return { render, track, levels };
};
