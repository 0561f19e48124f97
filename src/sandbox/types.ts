/** Shared shapes of the sandbox's meetings (platform-agnostic: Meet now, Teams/Zoom later). */
export type PlatformId = 'meet';

export const JOINER_STATES = [
  'prejoin',
  'lobby',
  'in_call',
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
  /** Show "This video call is being recorded" after admission. */
  recordingNotice: boolean;
  /** Show "Continue without microphone and camera" before pre-join. */
  permissionPrompt: boolean;
}

/** Optional fields accept `undefined` too, so parsed request bodies pass straight through. */
export type CreateMeetingInput = {
  [K in keyof MeetingOptions]?: MeetingOptions[K] | undefined;
} & {
  platform?: PlatformId | undefined;
  /** Random 3-4-3 code when absent. */
  code?: string | undefined;
};

export interface StateEvent {
  state: JoinerState;
  at: number;
}

export interface JoinerView {
  id: string;
  name: string;
  state: JoinerState;
  events: StateEvent[];
}

export interface SpeechEvent {
  on: boolean;
  at: number;
}

export interface ParticipantView {
  id: string;
  name: string;
  toneHz: number;
  speaking: boolean;
  joinedAt: number | null;
  /** Set once it left (dropped, meeting ended, page gone); left participants stay listed. */
  leftAt: number | null;
  speech: SpeechEvent[];
}

export interface MeetingView {
  platform: PlatformId;
  code: string;
  url: string;
  state: 'live' | 'ended';
  options: MeetingOptions;
  joiners: JoinerView[];
  participants: ParticipantView[];
  /** Participant→joiner peer connections currently reporting `connected`. */
  peersConnected: number;
}

export interface AddParticipantInput {
  name: string;
  toneHz: number;
  speaking?: boolean | undefined;
}

export interface WaitInput {
  /** Resolve once some joiner has reached this state. */
  joiner?: JoinerState | undefined;
  /** Only consider this joiner. */
  joinerId?: string | undefined;
  /** Resolve once at least this many participant→joiner peers are connected. */
  peersConnected?: number | undefined;
  timeoutMs?: number | undefined;
}
