import type { ReasonCode } from './errors.js';

/** Session lifecycle, in order. `paused` alternates with `recording`. */
export const SESSION_STATES = [
  'scheduled',
  'launching',
  'joining',
  'waiting_room',
  'in_call',
  'recording',
  'paused',
  'leaving',
  'finalizing',
  'done',
  'failed',
  'discarded',
  'cancelled',
] as const;

export type SessionState = (typeof SESSION_STATES)[number];

export const TERMINAL_STATES: ReadonlySet<SessionState> = new Set(['done', 'failed', 'discarded', 'cancelled']);

/** Which states may follow which. Anything not listed is a bug and is refused by the state machine. */
const NEXT: Record<SessionState, readonly SessionState[]> = {
  scheduled: ['launching', 'cancelled', 'failed'],
  launching: ['joining', 'finalizing', 'failed', 'cancelled'],
  joining: ['waiting_room', 'in_call', 'leaving', 'failed', 'cancelled'],
  waiting_room: ['in_call', 'leaving', 'failed', 'cancelled'],
  in_call: ['recording', 'leaving', 'failed'],
  recording: ['paused', 'leaving', 'failed'],
  paused: ['recording', 'leaving', 'failed'],
  leaving: ['finalizing', 'failed'],
  finalizing: ['done', 'discarded', 'failed'],
  done: [],
  failed: [],
  discarded: [],
  cancelled: [],
};

export function canTransition(from: SessionState, to: SessionState): boolean {
  return NEXT[from].includes(to);
}

export interface StateChange {
  state: SessionState;
  at: string; // ISO-8601
  reason?: ReasonCode;
  message?: string;
}
