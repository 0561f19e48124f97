// The Zoom imitation's side panels: meeting chat (sent to the server, shown on this page only)
// and the participants list.
'use strict';

window.ZoomPanels = ({ root, ui, joiner }) => {
  const messages = []; // { id, sender, text }, kept while the panel is closed
  let open = null; // 'chat' | 'participants' | null
  let seq = 0;

  function slot() { return root.querySelector('.side-panel'); }

  function toggle(which) {
    open = open === which ? null : which;
    const chatButton = root.querySelector('[data-action="chat"]');
    if (chatButton) chatButton.setAttribute('aria-label', open === 'chat' ? 'close the chat panel' : 'open the chat panel');
    // Closed panels leave the DOM, so their selectors never match.
    slot().replaceChildren();
    if (open === 'chat') mountChat();
    if (open === 'participants') mountParticipants();
  }

  function mountChat() {
    slot().appendChild(document.getElementById('tpl-chat').content.cloneNode(true));
    const editor = slot().querySelector('.tiptap.ProseMirror');
    const send = slot().querySelector('button[aria-label="send"]');
    const text = () => editor.innerText.trim();
    editor.addEventListener('input', () => { send.disabled = text() === ''; });
    // Enter sends, Shift+Enter breaks the line, as in the product's editor.
    editor.addEventListener('keydown', (ev) => {
      if (ev.key === 'Enter' && !ev.shiftKey) { ev.preventDefault(); submit(); }
    });
    send.addEventListener('click', submit);
    function submit() {
      if (text() === '') return;
      messages.push({ id: ++seq, sender: 'Me', text: text() });
      joiner.chat(text());
      editor.replaceChildren();
      send.disabled = true;
      renderMessages();
    }
    renderMessages();
    editor.focus();
  }

  function renderMessages() {
    const list = slot().querySelector('.chat-list');
    if (!list) return;
    list.replaceChildren(...messages.map((m) => {
      const row = document.createElement('div');
      row.id = `chat-message-${m.id}`;
      row.className = 'chat-item';
      const sender = document.createElement('div');
      sender.className = 'chat-item__sender';
      sender.textContent = `From ${m.sender} to Everyone`;
      const body = document.createElement('div');
      body.className = 'chat-item__text';
      body.textContent = m.text;
      row.append(sender, body);
      return row;
    }));
  }

  function mountParticipants() {
    slot().appendChild(document.getElementById('tpl-participants').content.cloneNode(true));
    refresh();
  }

  function refresh() {
    const list = open === 'participants' && slot() && slot().querySelector('.participants-ul');
    if (!list) return;
    const people = [{ id: ui.joinerId || 'self', name: `${ui.name} (Me)` }, ...ui.roster];
    list.replaceChildren(...people.map((p) => {
      const item = document.createElement('li');
      item.className = 'participants-item';
      item.setAttribute('role', 'listitem');
      item.textContent = p.name;
      return item;
    }));
  }

  return { toggle, refresh };
};
