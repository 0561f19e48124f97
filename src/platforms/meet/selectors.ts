import type { ChatSpec } from '../page/chat.js';
import type { IncomingVideoSpec } from '../page/incoming-video.js';
import type { ClickTarget, ProbeSpec } from '../page/page-kit.js';

/**
 * Google Meet, as it looks to an anonymous bot (English UI, forced with `hl=en` and `--lang`).
 * Sources: ../shared/platforms.md (open-source bots' platform code, Google's docs, Nov 2026).
 * Meet rotates its short class names (`.Oaajhc`…) between releases, so nothing here uses them:
 * only aria-labels, data-* attributes, roles and visible texts, several per state.
 */

/** Dialogs before the name field: first-run permission prompt and account prompts. */
export const PRE_JOIN_DIALOGS: ClickTarget = {
  texts: ['Continue without microphone and camera', 'Use without an account', 'Dismiss'],
};

export const NAME_INPUT = ['input[type="text"][aria-label="Your name"]', 'input[aria-label="Your name"]', 'input[placeholder="Your name"]'];

/** The toggles carry a keyboard hint in some releases ("Turn off microphone (ctrl + d)"), hence ^=. */
export const MIC_OFF: ClickTarget = { selectors: ['[role="button"][aria-label^="Turn off microphone"]', 'button[aria-label^="Turn off microphone"]'] };
export const CAMERA_OFF: ClickTarget = { selectors: ['[role="button"][aria-label^="Turn off camera"]', 'button[aria-label^="Turn off camera"]'] };

/** Join texts differ by meeting type: "Ask to join" (knock), "Join now" (open), the rest when signed in elsewhere. */
export const JOIN_BUTTON: ClickTarget = {
  texts: ['Ask to join', 'Join now', 'Join the call now', 'Ask to join anyway', 'Join anyway', 'Join here too', 'Switch here'],
};

/**
 * Post-admission notices (recording, transcription, a notetaker): acknowledge, never the "Leave
 * meeting" alternative. Joining a call that is being recorded asks "Join now" as the consent, and
 * the call is not heard until it is pressed (tiles already show behind it). Only buttons inside a
 * dialog count: "Join now" outside one is the pre-join button.
 */
export const DISMISS_NOTICE: ClickTarget = {
  selectors: ['div[role="dialog"][aria-modal="true"] [data-mdc-dialog-action="ok"]'],
  roles: '[role="dialog"] button, [role="dialog"] [role="button"], [role="alertdialog"] button',
  // "Stay in the call": Meet's "Are you still there?" after about 5 minutes alone ("Leave empty
  // calls"); unanswered, Meet ends the call 2 minutes later. The job's own alone limit decides.
  texts: ['Join now', 'Got it', 'Continue', 'OK', 'Stay in the call'],
};

export const LEAVE_BUTTON: ClickTarget = { selectors: ['button[aria-label="Leave call"]', '[role="button"][aria-label="Leave call"]'] };
export const JUST_LEAVE: ClickTarget = { texts: ['Just leave the meeting', 'Just leave the call'] };

/**
 * The meeting chat ("Chat with everyone" in the toolbar, a "Send a message" box; newer releases
 * add "to everyone"), for the job's recording notice. Its panel is in `ignoreText`.
 */
export const CHAT: ChatSpec = {
  toggle: { selectors: ['button[aria-label="Chat with everyone"]', 'button[aria-label^="Chat with everyone"]', 'button[aria-label="Chat"]'] },
  input: ['textarea[aria-label="Send a message"]', 'textarea[aria-label="Send a message to everyone"]', 'textarea[aria-label^="Send a message"]'],
};

/**
 * Audio-only bots: More options → Settings → Video → "Receive resolution (maximum)" → "Audio only",
 * Meet's data-saving setting (Meet then sends no video). Menu items and tabs carry a Material
 * icon's ligature in their text ("settingsSettings"), hence partial matches within their roles;
 * the resolution list is a listbox named by its heading (aria-labelledby), not a <select>.
 */
export const INCOMING_VIDEO_OFF: IncomingVideoSpec = {
  paths: [
    [
      { selectors: ['button[aria-label="More options"]', '[role="button"][aria-label="More options"]', 'button[aria-label^="More options"]'] },
      { roles: '[role="menuitem"]', texts: ['Settings'], partial: true },
      { roles: '[role="tab"]', texts: ['Video'], partial: true },
      {
        selectors: ['[aria-label^="Receive resolution"]'],
        roles: '[role="combobox"], [aria-haspopup="listbox"]',
        texts: ['Receive resolution (maximum)', 'Receive resolution'],
        partial: true,
      },
      { roles: '[role="option"]', texts: ['Audio only'], partial: true },
    ],
  ],
  close: { selectors: ['[role="dialog"] button[aria-label="Close dialog"]', '[role="dialog"] button[aria-label="Close"]'] },
};

export const MEET_PROBE: ProbeSpec = {
  outcomes: [
    // The Google sign-in wall is a redirect off meet.google.com.
    { reason: 'sign_in_required', phase: 'left', hosts: ['accounts.google.com'], texts: ['Sign in to join', 'You need to sign in'] },
    { reason: 'captcha_wall', phase: 'left', texts: ['unusual traffic from your computer network'], selectors: ['iframe[src*="recaptcha"][src*="bframe"]'] },
    { reason: 'denied_by_host', phase: 'left', texts: ['Someone in the call denied your request to join', 'You can\'t join this call because someone denied your request', 'Your request to join was denied'] },
    { reason: 'waiting_room_timeout', phase: 'left', texts: ['No one responded to your request to join the call'] },
    { reason: 'removed_by_host', phase: 'left', texts: ["You've been removed from the meeting", "You've been removed from the call"] },
    { reason: 'meeting_ended', phase: 'left', texts: ['Your host ended the meeting for everyone', 'The meeting has ended', 'Call ended'] },
    { reason: 'join_blocked', phase: 'left', texts: ["You can't join this video call"] },
    { reason: 'connection_failed', phase: 'left', texts: ['There is a problem connecting to this video call', 'We encountered a problem joining this video call'] },
    { reason: 'meeting_not_found', phase: 'left', texts: ['Check your meeting code', 'Your meeting code has expired', 'Invalid video call name'] },
  ],
  // People's words: the chat (in the side panel, which also holds the people list), its rows,
  // captions, and the toast that repeats a chat message over the call. "Call ended" typed in
  // the chat must not end the recording.
  ignoreText: ['[aria-label="Side panel"]', '[data-message-id]', '[role="region"][aria-label="Captions"]', 'textarea[aria-label="Send a message"]'],
  ignoreMessagesWith: ['says in chat:'],
  // The lobby also shows the in-call toolbar and a "Leave call" button (the top cause of empty
  // recordings), so the lobby is recognised by its texts and checked before any in-call signal.
  waitingRoom: {
    texts: [
      'Asking to be let in',
      "You'll join the call when someone lets you in",
      'Please wait until a meeting host brings you into the call',
      'Please wait until a meeting host admits you to the call',
      // Meetings whose host must be there first: the request waits like any lobby.
      'Waiting for the host to join',
      "You've been waiting a long time",
    ],
  },
  // A network drop takes the whole call UI away while this shows; the call usually comes back.
  reconnecting: { texts: ['You lost your network connection', 'Trying to reconnect', 'Reconnecting'] },
  // After a denial Meet may show only this; in the call, nobody but the bot can make it leave.
  left: { texts: ['You left the meeting', 'You left the call', "You've left the meeting", "You've left the call"] },
  // Signals that only exist once admitted. The Leave button is deliberately absent.
  inCall: {
    selectors: ['[data-participant-id]', '[data-self-name]', 'button[aria-label^="People"]', '[data-avatar-count]', 'button[aria-label*="captions" i]'],
    minSignals: 2,
  },
  prejoin: {
    selectors: NAME_INPUT,
    texts: ['Ready to join?', 'Ask to join', 'Join now', "What's your name?"],
  },
  dialogs: [
    { name: 'still_there', texts: ['Are you still there?'] },
    { name: 'recording_notice', selectors: ['div[role="dialog"][aria-modal="true"] [data-mdc-dialog-action="ok"]'] },
    {
      name: 'recording_notice',
      texts: ['This video call is being recorded', 'This video call is being transcribed', 'Gemini is taking notes', 'will be shared with', 'is taking notes'],
    },
  ],
  // The avatar badge beside People counts everyone in the call, the bot included (it also shows
  // on the pre-join page, for those already in: read only in the call, and only while shown). A
  // presentation in spotlight can hide every tile but its own.
  headcount: [{ selector: '[data-avatar-count]', attribute: 'data-avatar-count' }],
  tiles: {
    tile: '[data-participant-id]',
    idAttribute: 'data-participant-id',
    name: ['[data-self-name]', 'span.notranslate', '[data-tooltip]'],
    selfNameAttribute: 'data-self-name',
    self: ['[data-self-name]'],
    speakingAttribute: 'data-audio-level',
  },
};
