import type { ChatSpec } from '../page/chat.js';
import type { IncomingVideoSpec } from '../page/incoming-video.js';
import type { ClickTarget, ProbeSpec } from '../page/page-kit.js';

/**
 * Zoom's web client, as it looks to a bot (English UI). Sources: ../shared/platforms.md
 * (open-source bots' platform code, Zoom's docs, Nov 2026). The client may run inside
 * `iframe#webclient` (same origin): page-kit reads same-origin frames, so every signal here
 * works in both layouts. Ids and aria-labels lead; texts back them up.
 */

/** OneTrust cookie banner on zoom.us pages; it covers the landing page's links. */
export const COOKIE_ACCEPT: ClickTarget = { selectors: ['#onetrust-accept-btn-handler'], texts: ['Accept Cookies', 'Accept All Cookies'] };

/** `/j/` landing: the web client link. "Launch Meeting" opens the desktop app and is never clicked. */
export const JOIN_FROM_BROWSER: ClickTarget = { texts: ['Join from your browser', 'Join from Your Browser'], roles: 'a, button, [role="button"]' };

/** Buttons inside Zoom's modals (both clients), where acknowledging clicks are confined. */
const MODAL_BUTTONS = '[role="dialog"] button, .zm-modal button, .ReactModal__Content button';

/**
 * A disclaimer the account's admin put before the join ("I agree"); the join waits for it. Only
 * inside a dialog, so no other "Agree" or "Accept" on the page is ever pressed.
 */
export const DISCLAIMER_AGREE: ClickTarget = {
  // `#wc_agree1`: the terms and privacy page some regions get before the join.
  selectors: ['#disclaimer_agree', '#wc_agree1'],
  roles: MODAL_BUTTONS,
  texts: ['I Agree', 'Agree', 'Accept', 'I understand'],
};

/** The device permission dialog, shown up to twice. The bot sends no media, so it declines. */
export const PERMISSION_DECLINE: ClickTarget = { texts: ['Continue without microphone and camera', 'Continue without microphone', 'Continue without camera'] };

/** React client `#input-for-name`; classic client `#inputname` ("Your Name"). */
export const NAME_INPUT = ['#input-for-name', '#inputname', 'input[placeholder="Your Name"]', 'input[aria-label="Your Name"]'];

/** "Enter Meeting Info": asked when the link has no (valid) encrypted `pwd`. */
export const PASSCODE_INPUT = ['#input-for-pwd', 'input[placeholder*="passcode" i]', 'input[aria-label*="passcode" i]'];
export const PASSCODE_WRONG = ['passcode wrong', 'wrong passcode', 'incorrect passcode'];

/** Preview toggles while ON; their labels name the action ("Mute" = mic is on). */
export const MIC_ON = ['#preview-audio-control-button[aria-label="Mute"]', 'button[aria-label="Mute"][id*="preview"]'];
export const CAMERA_ON = ['#preview-video-control-button[aria-label="Stop Video"]', 'button[aria-label="Stop Video"][id*="preview"]'];

/** The React button keeps class `disabled` until a name is typed; the classic one is `#joinBtn`. */
export const JOIN_BUTTON: ClickTarget = {
  selectors: ['button.preview-join-button:not(.disabled):not([disabled])', '#joinBtn:not(.disabled):not([disabled])'],
};

/** Without joining computer audio the web client plays nothing, so there would be nothing to record. */
export const JOIN_AUDIO: ClickTarget = { texts: ['Join Audio by Computer', 'Join with Computer Audio'] };
/** The footer button that opens that dialog again when it was closed or never shown. */
export const FOOTER_JOIN_AUDIO: ClickTarget = { selectors: ['button[aria-label="join audio" i]'], texts: ['Join Audio'] };

export const LEAVE_BUTTON: ClickTarget = { selectors: ['button[aria-label="Leave"]', 'button.footer__leave-btn'] };
/**
 * The confirmation, by its exact label only: for a host the red `--danger` button is "End
 * Meeting for All", which the bot must never press. Enter would cancel the dialog, so it is clicked.
 */
export const LEAVE_CONFIRM: ClickTarget = { texts: ['Leave Meeting'] };

/**
 * "This meeting is being recorded" (by the host, cloud recording, another participant) and AI
 * Companion notices: a modal whose other button is "Leave Meeting". Staying is the consent, so
 * only the acknowledging button is pressed. Zoom keeps hidden copies of its modals; page-kit only
 * clicks visible buttons.
 */
export const RECORDING_NOTICE_ACK: ClickTarget = {
  roles: MODAL_BUTTONS,
  texts: ['Got it', 'Continue', 'OK'],
};
/**
 * Opening breakout rooms invites everyone ("The host is inviting you to join Breakout Room: …",
 * Join / Later; the wording of Zoom's own SDK sample). The bot records the main session, so it
 * answers Later: left open, the invitation would sit over the recorded video.
 */
export const BREAKOUT_LATER: ClickTarget = { roles: MODAL_BUTTONS, texts: ['Later'] };
export const BREAKOUT_INVITE_TEXTS = ['inviting you to join Breakout Room', 'invited you to join Breakout Room'];
const RECORDING_NOTICE_TEXTS = [
  'This meeting is being recorded', 'This meeting is being live streamed', 'AI Companion is on',
  'consenting to be recorded', 'consent to being recorded', 'consent to be recorded',
];

/**
 * The footer (Leave, chat, participants) hides a few seconds after the pointer stops moving;
 * moving the pointer over the call area brings it back.
 */
export const REVEAL_CONTROLS: ClickTarget = { selectors: ['#wc-content', '.meeting-client', '.meeting-app'] };

/** Texts of the not-started pages; the 3,001 error page needs a reload to notice the host starting. */
export const NOT_STARTED_ERROR = '(3,001)';

/**
 * The meeting chat, for the job's recording notice: the footer's button ("open the chat panel",
 * "close the chat panel" once open) and the panel's rich-text editor.
 */
export const CHAT: ChatSpec = {
  toggle: { selectors: ['button[aria-label*="chat panel" i]', 'button.footer-button__chat-icon'] },
  input: ['.tiptap.ProseMirror[contenteditable="true"]', '.chat-rtf-box [contenteditable="true"]'],
  reveal: REVEAL_CONTROLS,
};

/**
 * Audio-only bots: the footer's More → "Stop Incoming Video" (a react-bootstrap dropdown whose
 * items are `a.dropdown-item` with an aria-label). The footer hides after a while without mouse
 * movement, so the pointer first goes over the call area (`reveal`).
 */
export const INCOMING_VIDEO_OFF: IncomingVideoSpec = {
  reveal: REVEAL_CONTROLS,
  paths: [
    [
      { selectors: ['button[aria-label="More meeting control"]', '#moreButton', 'button.more-button'], texts: ['More'] },
      { selectors: ['a.dropdown-item[aria-label="Stop Incoming Video"]'], roles: '[role="menuitem"], a, button', texts: ['Stop Incoming Video'] },
    ],
  ],
};

export const ZOOM_PROBE: ProbeSpec = {
  outcomes: [
    // Text only: pages load reCAPTCHA's invisible badge frame on ordinary joins, so a reCAPTCHA
    // iframe alone proves nothing; the challenge frame (`bframe`) does.
    {
      reason: 'captcha_wall', phase: 'left',
      texts: ['We detected you may be a bot', "Automated bots aren't allowed to join", 'Type the characters you see'],
      selectors: ['iframe[src*="recaptcha"][src*="bframe"]', '.component_smart_captcha', '.CaptchaContainer', 'input[placeholder*="captcha" i]'],
    },
    // Zoom's sign-in page is on the meeting host itself, so the path says it too.
    {
      reason: 'sign_in_required', phase: 'left', paths: ['/signin'],
      texts: [
        'Sign in to join this meeting', 'Only authenticated users can join', 'This meeting is for authorized attendees only',
        'The host requires authentication', 'This meeting requires authentication',
      ],
    },
    { reason: 'meeting_not_found', phase: 'left', texts: ['Invalid meeting ID', 'This meeting ID is not valid', 'Meeting ID is invalid', 'The webinar has expired'] },
    // "3,001" is also what Zoom shows for a meeting that does not exist: the join loop keeps
    // polling it as not started until the wait limit, then reports meeting_not_started.
    // A host still in another meeting of theirs is a host who has not started this one yet.
    {
      reason: 'meeting_not_started', phase: 'prejoin',
      texts: [
        'Waiting for the host to start this meeting', 'Waiting for the host to start the meeting', 'This meeting link is invalid (3,001)', 'The meeting has not started',
        'Please wait for the host to start this', 'host has another meeting in progress',
      ],
    },
    { reason: 'denied_by_host', phase: 'left', texts: ['removed you from the waiting room', 'You have been removed from the waiting room', 'The host has denied your request'] },
    { reason: 'removed_by_host', phase: 'left', texts: ['You have been removed', 'has removed you from this meeting', 'has removed you from the meeting', 'You were removed from the meeting'] },
    // The client moves to /wc/leave (without loading a page) once the call is over for it.
    {
      reason: 'meeting_ended', phase: 'left', paths: ['/wc/leave'],
      texts: ['This meeting has been ended by host', 'This meeting has been ended', 'The meeting has been ended', 'The meeting has ended', 'The host has ended this meeting', 'The host ended the meeting'],
    },
    { reason: 'join_blocked', phase: 'left', texts: ['You are not allowed to join this meeting', 'This meeting has reached its participant limit'] },
    // The web client's panel for a connection that timed out, in the join or mid-call (Report
    // Problem / Retry / Leave; seen live by another project's bot; older: "Your connection has
    // timed out and you cannot join the meeting"). It does not come back without a click.
    { reason: 'connection_failed', phase: 'left', texts: ['Joining Meeting Timeout', 'Your network connection has timed out', 'Your connection has timed out'] },
  ],
  // Chat rows and the chat editor hold other people's words.
  ignoreText: ['[id^="chat-message-"]', '.tiptap.ProseMirror', '.chat-container', '.chat-list'],
  waitingRoom: {
    texts: ['Please wait, the meeting host will let you in soon', "Host has joined. We've let them know you're here", 'Please wait, the webinar will begin soon'],
  },
  // The web client redraws its call UI when it reconnects; a host can also put the bot back in
  // the waiting room mid-call (the waiting-room texts above), which it waits out like the lobby.
  // "Meeting Disconnected": the overlay for a connection to Zoom's servers that closed. Whether it
  // comes back by itself is unknown, so it is given the reconnect allowance, not ended at once.
  reconnecting: { texts: ['Reconnecting', 'Trying to reconnect', 'Meeting Disconnected'] },
  left: { texts: ['You have left the meeting', 'You left the meeting'] },
  // The Leave button never shows in the waiting room; the others only in the call. The footer
  // (Leave, chat, participants) hides while the pointer is still but stays in the page, so it
  // counts mounted. The video area (frames, name footers) and a screen share that fills the view
  // and hides the thumbnail strip are the shown signals.
  inCall: {
    selectors: [
      [
        '.speaker-active-container__video-frame', '.single-main-container__video-frame', '.single-suspension-container__video-frame',
        '.speaker-bar-container__video-frame', '.gallery-video-container__video-frame', '.gallery-video-container__main-view',
      ].join(', '),
      '.video-avatar__avatar-footer',
      '#sharee-container, .sharee-container__canvas',
    ],
    mounted: [
      'button[aria-label="Leave"], button.footer__leave-btn',
      'button[aria-label*="chat panel" i], button[aria-label*="participants list" i], .footer-button__participants-icon',
    ],
    minSignals: 2,
  },
  // The footer's participants counter (the bot included; other bots read it as their "alone"
  // test). For a host it may also count the waiting room: the bot is never made host on purpose.
  headcount: [{ selector: '.footer-button__participants-icon .footer-button__number-counter, #participant .footer-button__number-counter', hidden: true }],
  // The share's player says what it plays; after a share it goes back to media-type "video".
  presenting: { selectors: ['video-player[media-type="share"]'] },
  prejoin: {
    selectors: [...NAME_INPUT, ...PASSCODE_INPUT],
    texts: ['Enter Meeting Info', 'Join from your browser', 'Launch Meeting', 'Click Launch Meeting below'],
  },
  // Shown over the call until tidy answers them: audio not joined yet (dialog open, or only the
  // footer's "Join Audio"), a recording notice, a breakout-room invitation.
  dialogs: [
    { name: 'join_audio', texts: ['Join Audio by Computer', 'Join with Computer Audio'], selectors: ['button[aria-label="join audio" i]'] },
    { name: 'recording_notice', texts: RECORDING_NOTICE_TEXTS },
    { name: 'breakout_invite', texts: BREAKOUT_INVITE_TEXTS },
  ],
  // Zoom tiles carry no stable id in the DOM: the display name is the id. The active-speaker
  // frame shows the same person as a gallery tile; page-kit merges them.
  tiles: {
    // Whatever element holds a name footer is a tile, however Zoom wraps it this release.
    tile: '.speaker-active-container__video-frame, :has(> .video-avatar__avatar-footer)',
    // With the camera off the footer is empty and the name is on the avatar's title.
    name: ['.video-avatar__avatar-footer span', '.video-avatar__avatar-name', '.video-avatar__avatar-title', '.video-avatar__avatar-footer'],
    self: ['.video-avatar--self', '[data-self="true"]'],
    speakingSelector: '.speaker-active-container__video-frame, .video-avatar--speaking',
  },
};
