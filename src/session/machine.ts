import {
  MeetcapError,
  TERMINAL_STATES,
  canTransition,
  type PlatformId,
  type ReasonCode,
  type SessionEvent,
  type SessionState,
  type StateChange,
} from '../contracts/index.js';
import type { Logger } from 'pino';
import type { Clock } from './clock.js';

/** The session's state, its timeline, and the one place state events are emitted from. */
export class SessionMachine {
  private current: SessionState = 'scheduled';
  readonly timeline: StateChange[] = [];
  platform?: PlatformId;

  constructor(
    private readonly ids: { meetingId: string; sessionId: string },
    private readonly emit: (event: SessionEvent) => void,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {
    this.record('scheduled');
  }

  get state(): SessionState {
    return this.current;
  }

  get terminal(): boolean {
    return TERMINAL_STATES.has(this.current);
  }

  /** Moves to `next`. An illegal move is a bug in meetcap, so it throws instead of being ignored. */
  to(next: SessionState, reason?: ReasonCode, message?: string): void {
    if (!canTransition(this.current, next)) {
      throw new MeetcapError('internal_error', `illegal session transition ${this.current} -> ${next}`);
    }
    this.current = next;
    this.record(next, reason, message);
  }

  /** Whether `next` is a legal move from here (used by error paths that must not throw again). */
  can(next: SessionState): boolean {
    return canTransition(this.current, next);
  }

  /** The first time the session entered `state`, as epoch ms. */
  enteredAt(state: SessionState): number | undefined {
    const change = this.timeline.find((c) => c.state === state);
    return change ? Date.parse(change.at) : undefined;
  }

  private record(state: SessionState, reason?: ReasonCode, message?: string): void {
    const change: StateChange = {
      state,
      at: new Date(this.clock.now()).toISOString(),
      ...(reason ? { reason } : {}),
      ...(message ? { message } : {}),
    };
    this.timeline.push(change);
    this.log.info({ state, reason }, `session ${state}${reason ? ` (${reason})` : ''}`);
    this.emit({ type: 'state', data: { ...change, ...this.ids, ...(this.platform ? { platform: this.platform } : {}) } });
  }
}
