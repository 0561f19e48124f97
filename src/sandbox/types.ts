/** Shared shapes of the sandbox's meetings, the same for every imitated platform. */
export const SANDBOX_PLATFORM_IDS = ['meet', 'teams', 'zoom'] as const;
export type PlatformId = (typeof SANDBOX_PLATFORM_IDS)[number];

export const JOINER_STATES = [
  'prejoin',
  /** Asked to join a meeting the host has not started (Zoom "Waiting for the host to start this meeting"). */
  'waiting_host',
  'lobby',
  'in_call',
  /** Lost its connection in the call (`drop`): no media until it is back in the call by itself. */
  'reconnecting',
  'denied',
  'expired',
  'removed',
  'left',
  'ended',
] as const;
export type JoinerState = (typeof JOINER_STATES)[number];

/** States a joiner never leaves. */
export const TERMINAL_JOINER_STATES: ReadonlySet<JoinerState> = new Set([
  'denied',
  'expired',
  'removed',
  'left',
  'ended',
]);

export interface MeetingOptions {
  /** Open meetings skip the lobby ("Join now"). */
  open: boolean;
  lobbyTimeoutMs: number;
  /** Admit lobby joiners automatically after this long; undefined = never. */
  autoAdmitAfterMs?: number;
  /** Show "This video call is being recorded" after admission; the call is heard only after its "Join now". */
  recordingNotice: boolean;
  /** Show the platform's camera/microphone permission dialog (Zoom shows it up to twice). */
  permissionPrompt: boolean;
  /** false: the host has not started the meeting yet; `start` starts it. */
  started: boolean;
  /** A passcode the joiner must give (typed, or Zoom's encrypted `pwd` / Teams' `p=` in the link). */
  passcode?: string;
  /** Whether `url` carries the passcode (Zoom `pwd=`, Teams `p=`); false makes the page ask for it. */
  passcodeInUrl: boolean;
  /** Every joiner hits this wall instead of the pre-join page. */
  wall?: Wall;
  /** Teams: when "Are you sure you don't want audio or video?" shows; `random` picks per page load. */
  teamsAvModal: AvModal;
  /** Teams: the audio choice the pre-join page starts on ("Don't use audio" joins deaf). */
  teamsAudioDefault: 'computer' | 'none';
  /** Zoom: the web client inside `iframe#webclient`, or top-level. */
  zoomClient: 'iframe' | 'top';
  /** Zoom: the React client's `#input-for-name` or the classic `#inputname`. */
  zoomNameField: 'react' | 'classic';
  /** Zoom, meeting not started: the waiting page, or the "This meeting link is invalid (3,001)" error. */
  zoomNotStarted: 'waiting' | 'error_3001';
}

export const WALLS = ['sign_in', 'captcha'] as const;
export type Wall = (typeof WALLS)[number];
export const AV_MODALS = ['before', 'after', 'random', 'none'] as const;
export type AvModal = (typeof AV_MODALS)[number];

/** Optional fields accept `undefined` too, so parsed request bodies pass straight through. */
export type CreateMeetingInput = {
  [K in keyof MeetingOptions]?: MeetingOptions[K] | undefined;
} & {
  platform?: PlatformId | undefined;
  /** A random code in the platform's format when absent. */
  code?: string | undefined;
};

export type MeetingState = 'scheduled' | 'live' | 'ended';

export interface StateEvent {
  state: JoinerState;
  at: number;
}

export interface JoinerView {
  id: string;
  name: string;
  state: JoinerState;
  events: StateEvent[];
  /** False once the page turned incoming video off (Meet "Audio only", Teams/Zoom "… incoming video"). */
  incomingVideo: boolean;
  /** Participants whose pages report their video flowing to this joiner (the media, not the request). */
  videoFrom: number;
  /** Messages the joiner sent to the meeting chat from the call. */
  chat: ChatLine[];
  /**
   * How a joiner in state `left` went: `leave`, its page's own Leave; `disconnected`, the page
   * vanished (a closed browser). Real platforms keep a vanished participant listed for a while.
   */
  leftBy?: LeftBy;
}
export type LeftBy = 'leave' | 'disconnected';

export interface SpeechEvent {
  on: boolean;
  at: number;
}

export interface ParticipantView {
  id: string;
  name: string;
  toneHz: number;
  speaking: boolean;
  /** Sharing a screen (the pages show its video as the share; see SandboxApi.present). */
  presenting: boolean;
  /** Set for a flash-mode participant (see AddParticipantInput). */
  flashPeriodMs?: number;
  joinedAt: number | null;
  /** Set once it left (dropped, meeting ended, page gone); left participants stay listed. */
  leftAt: number | null;
  speech: SpeechEvent[];
}

export interface MeetingView {
  platform: PlatformId;
  code: string;
  url: string;
  state: MeetingState;
  options: MeetingOptions;
  joiners: JoinerView[];
  participants: ParticipantView[];
  /** Participant→joiner peer connections currently reporting `connected`. */
  peersConnected: number;
}

/** A synthetic participant's camera picture, in pixels. */
export interface VideoSize {
  width: number;
  height: number;
}

export interface AddParticipantInput {
  name: string;
  toneHz: number;
  speaking?: boolean | undefined;
  /**
   * Flash mode (A/V sync measurements): a black picture that turns white for 100 ms every
   * `flashPeriodMs`, with a 100 ms beep at `toneHz` started in the same task. The beeps replace
   * the continuous tone; `speaking` then only drives the level indicator.
   */
  flashPeriodMs?: number | undefined;
}

export interface WaitInput {
  /** Resolve once some joiner has reached this state. */
  joiner?: JoinerState | undefined;
  /** With `joiner`: once this many joiners have reached it (a bot that asked to join again). */
  joiners?: number | undefined;
  /** Only consider this joiner. */
  joinerId?: string | undefined;
  /** Resolve once at least this many participant→joiner peers are connected. */
  peersConnected?: number | undefined;
  /** Resolve once some in-call joiner (or `joinerId`) receives video from exactly this many participants. */
  videoFrom?: number | undefined;
  timeoutMs?: number | undefined;
}

/** A browser that opened the meeting page (the bot, or a person in the imitation). */
export interface Joiner {
  id: string;
  name: string;
  state: JoinerState;
  events: StateEvent[];
  timers: NodeJS.Timeout[];
  /** False once the page asked for no video ("Audio only", "Turn off incoming video"). */
  incomingVideo: boolean;
  /** What the joiner wrote in the meeting chat while in the call. */
  chat: ChatLine[];
  leftBy?: LeftBy;
}

export interface ChatLine {
  text: string;
  at: number;
}

export interface Participant {
  id: string;
  name: string;
  toneHz: number;
  color: string;
  speaking: boolean;
  presenting: boolean;
  flashPeriodMs?: number;
  /** Set once the participant's page reports running media. */
  joinedAt: number | null;
  left: boolean;
  leftAt: number | null;
  speech: SpeechEvent[];
}

export type MeetingEvent =
  | { kind: 'joiner'; joiner: Joiner; previous: JoinerState }
  | { kind: 'participant_ready'; participant: Participant }
  | { kind: 'participant_left'; participant: Participant }
  | { kind: 'speaking'; participant: Participant }
  | { kind: 'presenting'; participant: Participant }
  | { kind: 'peer'; participantId: string; joinerId: string; state: string }
  | { kind: 'incoming_video'; joiner: Joiner }
  | { kind: 'peer_video'; participantId: string; joinerId: string; on: boolean };
