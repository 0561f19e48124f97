import type { ReasonCode } from '../contracts/index.js';
import type { Clock } from './clock.js';
import type { Watchdog } from './watchdogs.js';

/**
 * Where the bot is, as far as the call goes, after it was admitted. Real meetings drop out of the
 * call for a while and come back: the page says it is reconnecting (a network blip: Meet removes
 * its whole call UI while it shows "Trying to reconnect"), the host puts the bot back in the
 * waiting room (Zoom), or the page redraws itself and shows nothing recognisable for a few
 * seconds. Each has its own allowance before the bot gives up; the recording runs on meanwhile,
 * so a recovered call is one continuous file with the gap in its own timeline.
 */
export type OutOfCall = 'reconnecting' | 'waiting_room' | 'left' | 'unrecognised';

/** A span out of the call, as the manifest reports it. `endedAt` null: the call never came back. */
export interface Interruption {
  kind: OutOfCall;
  startedAt: string;
  endedAt: string | null;
}

/** How long each kind of absence is waited out, in ms, and what it means when it is not. */
export interface PresenceLimits {
  reconnecting: number;
  waitingRoom: number;
  unrecognised: number;
}

const GIVE_UP: Record<OutOfCall, ReasonCode> = {
  // The platform could not get the bot back into the call: a retry (a new session) may.
  reconnecting: 'connection_failed',
  // Put back in the waiting room and not let in again in time.
  waiting_room: 'waiting_room_timeout',
  // "You left the meeting" that the bot did not ask for: the call is over for the bot.
  left: 'meeting_ended',
  // Nothing recognisable for long enough: the call UI is gone for good (host ended it without a
  // message we know, the page moved on).
  unrecognised: 'meeting_ended',
};

/** What changed with the last observation, for the session's log. */
export type PresenceChange =
  | { kind: 'left_call'; to: OutOfCall }
  | { kind: 'changed'; from: OutOfCall; to: OutOfCall }
  | { kind: 'back'; from: OutOfCall; afterMs: number };

export class CallPresence implements Watchdog {
  readonly name = 'call_presence';
  private current: { kind: OutOfCall; since: number; episodeSince: number } | null = null;
  private readonly spans: Array<{ kind: OutOfCall; start: number; end: number | null }> = [];

  constructor(
    private readonly clock: Clock,
    private readonly limits: PresenceLimits,
  ) {}

  /** One probe's verdict: in the call, or out of it and how. */
  observe(state: OutOfCall | 'in_call'): PresenceChange | null {
    const now = this.clock.now();
    const cur = this.current;
    if (state === 'in_call') {
      if (!cur) return null;
      this.closeSpan(now);
      this.current = null;
      return { kind: 'back', from: cur.kind, afterMs: now - cur.episodeSince };
    }
    if (cur?.kind === state) return null;
    this.closeSpan(now);
    this.spans.push({ kind: state, start: now, end: null });
    this.current = { kind: state, since: now, episodeSince: cur?.episodeSince ?? now };
    return cur ? { kind: 'changed', from: cur.kind, to: state } : { kind: 'left_call', to: state };
  }

  /** Each kind is timed from when the page started showing it. */
  check(): ReasonCode | null {
    const cur = this.current;
    if (!cur) return null;
    return this.clock.now() - cur.since >= this.limitOf(cur.kind) ? GIVE_UP[cur.kind] : null;
  }

  /** The spans out of the call so far; one still open when the session ended has no end. */
  interruptions(): Interruption[] {
    const iso = (t: number): string => new Date(t).toISOString();
    return this.spans.map((s) => ({ kind: s.kind, startedAt: iso(s.start), endedAt: s.end === null ? null : iso(s.end) }));
  }

  private limitOf(kind: OutOfCall): number {
    if (kind === 'left') return 0;
    if (kind === 'waiting_room') return this.limits.waitingRoom;
    return this.limits[kind];
  }

  private closeSpan(at: number): void {
    const last = this.spans.at(-1);
    if (last && last.end === null) last.end = at;
  }
}
