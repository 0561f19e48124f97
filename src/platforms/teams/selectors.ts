import type { ChatSpec } from '../page/chat.js';
import type { IncomingVideoSpec } from '../page/incoming-video.js';
import type { ClickTarget, ProbeSpec } from '../page/page-kit.js';

/**
 * Microsoft Teams' anonymous web join, as it looks to a bot (English UI, pinned with --lang).
 * Sources: ../shared/platforms.md (open-source bots' platform code, Microsoft notices, Nov 2026).
 * Teams' `data-tid` attributes outlive its class names, so they lead; texts and aria-labels
 * back them up. Every state has several signals.
 */

/** The launcher asks how to join; the browser choice has had several wordings. Never the desktop app. */
export const JOIN_IN_BROWSER: ClickTarget = {
  texts: ['Join meeting from this browser', 'Continue on this browser', 'Join on this browser', 'Join on the web instead', 'Use the web app instead'],
  roles: 'button, [role="button"], a',
};

export const NAME_INPUT = [
  'input[data-tid="prejoin-display-name-input"]',
  'input[placeholder="Type your name"]',
  'input[aria-label="Type your name"]',
];

/** Meeting-ID joins (`/meet/<id>`) without `p=` ask for the passcode on the pre-join screen. */
export const PASSCODE_INPUT = [
  'input[data-tid="prejoin-passcode-input"]',
  'input[aria-label*="passcode" i]',
  'input[placeholder*="passcode" i]',
];

/** Teams' answer to a wrong or missing passcode on a meeting-ID join. */
export const PASSCODE_REJECTED = ['meeting id or passcode is incorrect', 'passcode is incorrect', 'incorrect passcode'];

/**
 * "Are you sure you don't want audio or video?" can come before OR after "Join now"; after it,
 * Join now must be pressed again (a top cause of stuck bots). The join loop clears it whenever seen.
 */
export const NO_AV_MODAL: ClickTarget = { texts: ['Continue without audio or video'] };

/** Toggles currently ON (the bot sends nothing). Switches expose state as aria-checked or :checked. */
export const MIC_ON = [
  '[data-tid="toggle-mute"][aria-checked="true"]',
  '[data-tid="toggle-mute"][aria-pressed="true"]',
  'input[data-tid="toggle-mute"]:checked',
];
export const CAMERA_ON = [
  '[data-tid="toggle-video"][aria-checked="true"]',
  '[data-tid="toggle-video"][aria-pressed="true"]',
  'input[data-tid="toggle-video"]:checked',
];

/**
 * "Computer audio" when another choice is selected: with "Don't use audio" (which Teams may
 * remember or preselect for a browser without devices) the bot joins deaf and records silence.
 */
export const COMPUTER_AUDIO_OFF: ClickTarget = {
  roles: '[role="radio"][aria-checked="false"], [role="menuitemradio"][aria-checked="false"], label:has(> input[type="radio"]:not(:checked))',
  texts: ['Computer audio'],
  // Its label may carry more ("Computer audio, Microphone and speakers"); only unchecked radios are candidates.
  partial: true,
};

/** "Join now". Not "Don't use audio": the bot must still receive the meeting's audio. */
export const JOIN_BUTTON: ClickTarget = { selectors: ['button[data-tid="prejoin-join-button"]'], texts: ['Join now'] };

/** The new client's ids and data-tid, and the anonymous ("light meetings") client's `data-inp`. */
export const HANGUP = 'button#hangup-button, button[data-tid="hangup-main-btn"], #hangup-button, [data-tid="hangup-button"], [data-inp="hangup-button"]';
export const LEAVE_BUTTON: ClickTarget = { selectors: [HANGUP, 'button[aria-label="Leave"]'] };
/** In the lobby the way out is the pre-join cancel button. */
export const LOBBY_CANCEL: ClickTarget = { selectors: ['[data-tid="prejoin-cancel-button"]'] };

/** In-call notices that sit over the stage; acknowledged, never "Leave". */
export const DISMISS_NOTICE: ClickTarget = { texts: ['Dismiss', 'Got it'] };

/**
 * Audio-only bots: More actions → "Turn off incoming video" (Microsoft's own advice for weak
 * machines). The More button keeps its `callingButtons-showMoreBtn` id across releases; newer
 * ones name it "More" and may file the item under "View", the second path.
 */
const MORE_ACTIONS: ClickTarget = {
  selectors: ['button#callingButtons-showMoreBtn', 'button[aria-label="More actions"]', 'button[data-tid="more-button"]'],
  texts: ['More'],
};
const INCOMING_VIDEO_ITEM: ClickTarget = {
  roles: '[role="menuitem"], [role="menuitemcheckbox"], button',
  texts: ['Turn off incoming video', 'Turn off incoming videos'],
  partial: true,
};

/** The meeting chat (toolbar Chat button, "Type a message" editor), for the job's recording notice. */
export const CHAT: ChatSpec = {
  toggle: { selectors: ['button#chat-button', 'button[data-tid="chat-button"]', 'button[aria-label="Chat"]'] },
  input: ['[data-tid="ckeditor"][contenteditable="true"]', '[aria-label="Type a message"][contenteditable="true"]', '[aria-label="Type a message"]'],
};

export const INCOMING_VIDEO_OFF: IncomingVideoSpec = {
  paths: [
    [MORE_ACTIONS, INCOMING_VIDEO_ITEM],
    [{ selectors: ['button#view-mode-button', 'button[aria-label="View"]'], texts: ['View'] }, INCOMING_VIDEO_ITEM],
  ],
};

export const TEAMS_PROBE: ProbeSpec = {
  outcomes: [
    // Sign-in walls: a redirect to Microsoft's login, or the page saying so in place.
    {
      reason: 'sign_in_required', phase: 'left',
      hosts: ['login.microsoftonline.com', 'login.live.com', 'login.microsoftonline.us'],
      texts: [
        'You need to be signed in to Teams to access this meeting', 'Sign in to join this meeting', "Anonymous users can't join this meeting",
        'To join, sign in or use Teams on the web', 'Sign in to Teams to join, or contact the meeting organizer',
        'you need to be signed in to an account', 'To join this meeting, sign in again or select another account',
        'you need to sign in or use Teams on the web to join this meeting', 'We need to verify your info before you can join',
        'sign in and try joining again',
      ],
    },
    { reason: 'captcha_wall', phase: 'left', texts: ["Verify you're a real person", 'Verify you are a real person'], selectors: ['[data-tid="HIP-Captcha-Image"]'] },
    { reason: 'denied_by_host', phase: 'left', texts: ['Sorry, but you were denied access to the meeting', 'Your request to join was declined', 'you were denied access to the meeting'] },
    { reason: 'waiting_room_timeout', phase: 'left', texts: ['no one responded to your request to join', 'No one let you in'] },
    // `#calling-retry-screen-title` also shows for dropped calls, so removal is read from its text.
    // Its short form ("Removed from the meeting") only counts there: a notice that someone else
    // was removed holds the same words.
    {
      reason: 'removed_by_host', phase: 'left',
      texts: ["You've been removed from this meeting", 'You have been removed from this meeting', 'Someone removed you from the meeting'],
      titles: [{ selector: '#calling-retry-screen-title, [data-tid="calling-retry-screen"] h1', texts: ['Removed from the meeting', 'Removed from this meeting', 'Removed from meeting'] }],
    },
    { reason: 'meeting_ended', phase: 'left', texts: ['Meeting ended', 'The meeting has ended', 'This meeting has ended', 'The call has ended'] },
    { reason: 'connection_failed', phase: 'left', texts: ["We couldn't connect you", 'We could not connect you'] },
    { reason: 'meeting_not_found', phase: 'left', texts: ['Looks like the meeting URL is incorrect', "We couldn't find this meeting", 'This meeting link is invalid'] },
    // A town hall or webinar before its start: guests wait for it as for a host (attendee's bot).
    { reason: 'meeting_not_started', phase: 'prejoin', texts: ['not permitted to join before the event begins'] },
  ],
  // Chat and captions hold other people's words; "meeting ended?" in chat is not the end.
  ignoreText: ['[data-tid="chat-pane-message"]', '[data-tid="chat-pane-list"]', '[data-tid="closed-caption-text"]', '[aria-label="Type a message"]', '[data-tid="ckeditor"]'],
  waitingRoom: {
    texts: [
      'Someone will let you in shortly', 'Someone will let you in soon', 'Someone in the meeting should let you in soon',
      'Someone will let you in when the meeting starts', 'Waiting for someone to let you in', "You're in the lobby",
      "When the meeting starts, we'll let people know you're waiting",
      "We've let people in the meeting know you're waiting",
    ],
  },
  reconnecting: { texts: ['Reconnecting', 'Trying to reconnect', "We're trying to reconnect you"] },
  // After a call the bot did not leave: the anonymous client's end screens (other bots use these
  // as their end signal; teams.live.com adds its sign-up prompt).
  left: { texts: ['You left the meeting', "You've left the meeting", 'Did you leave by mistake?', 'Enjoy your call? Join Teams today'] },
  // Generic `[role="alert"]` toasts are no signal of anything. Hang-up variants count as one.
  inCall: {
    // The toolbar holds the hang-up button, so the two are one signal; the stage holds the tiles.
    // While a screen is shared the toolbar drops the roster and chat buttons; the stage stays.
    selectors: [
      `${HANGUP}, [data-tid="calling-toolbar"]`,
      '[data-stream-type="Video"], [data-stream-type="ScreenSharing"], [data-tid="modern-stage-wrapper"]',
      'button#roster-button, [data-tid="roster-button"], button[data-inp="roster-button"]',
      'button#chat-button, [data-tid="chat-button"]',
    ],
    minSignals: 2,
  },
  prejoin: {
    selectors: [...NAME_INPUT, ...PASSCODE_INPUT],
    texts: ['How do you want to join your Teams meeting', 'Join meeting from this browser', 'Continue on this browser', 'Join on this browser', 'Choose your audio and video settings', 'Choose your video and audio options'],
  },
  dialogs: [{ name: 'recording_notice', texts: ['Recording has started', 'Transcription has started'] }],
  // A shared screen takes the stage as its own tile. No headcount: the People badge has been
  // seen stuck at 2 in an empty meeting, and the roster lists invitees who never came.
  presenting: { selectors: ['[data-stream-type="ScreenSharing"]'] },
  // Camera-off participants keep their Video tile (an avatar instead of the stream).
  tiles: {
    tile: '[data-stream-type="Video"]',
    nameAttribute: 'data-tid',
    self: ['[data-is-self="true"]', '[data-tid="self-video"]'],
    speakingSelector: '[data-tid="voice-level-stream-outline"]',
  },
};
