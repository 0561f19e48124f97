import type { ReasonCode, SerializedError } from './errors.js';
import type { PlatformId } from './job.js';
import type { SessionState, StateChange } from './states.js';

/** A participant as the bot saw them. Times are ISO-8601. */
export interface ParticipantSeen {
  id: string;
  name: string;
  firstSeen: string;
  lastSeen: string;
  /** Each stay in the call (several when someone left and rejoined); `leftAt` null: still there when the bot stopped watching. */
  intervals: PresenceInterval[];
}

export interface PresenceInterval {
  joinedAt: string;
  leftAt: string | null;
}

export interface StoredObjectInfo {
  key: string;
  uri: string;
  size: number;
  contentType: string;
}

export interface RecordingInfo {
  mode: 'audio_video' | 'audio_only';
  startedAt: string;
  endedAt: string;
  durationSec: number;
  objects: StoredObjectInfo[];
  manifest: StoredObjectInfo;
}

export type TerminalState = Extract<SessionState, 'done' | 'failed' | 'discarded' | 'cancelled'>;

/** How a session ended: the one message the worker (and the capture-policy service) acts on. */
export interface SessionOutcome {
  meetingId: string;
  sessionId: string;
  state: TerminalState;
  /** Why it ended: a catalogue code. `done` may carry the in-call reason (meeting_ended, max_duration_reached…). */
  reason?: ReasonCode;
  error?: SerializedError;
  recording?: RecordingInfo;
  /** Where the manifest went even when nothing was kept (failed sessions write one too). */
  manifestUri?: string;
}

/** Lifecycle events, as a typed map: one key per event name. */
export interface SessionEventMap {
  state: StateChange & { meetingId: string; sessionId: string; platform?: PlatformId };
  participants: { meetingId: string; sessionId: string; participants: ParticipantSeen[] };
  outcome: SessionOutcome;
}

export type SessionEventName = keyof SessionEventMap;
export type SessionEvent = { [K in SessionEventName]: { type: K; data: SessionEventMap[K] } }[SessionEventName];
