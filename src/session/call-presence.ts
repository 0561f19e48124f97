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

/** How long each kind of absence is waited out, in ms ("You left the meeting" is not waited out). */
export type PresenceLimits = Record<Exclude<OutOfCall, 'left'>, number>;

const GIVE_UP: Record<OutOfCall, ReasonCode> = {
  // The platform could not get the bot back into the call. The recording is kept, and the
  // worker rejoins with a fresh session (scheduler/processor.ts).
  reconnecting: 'connection_failed',
  // Put back in the waiting room and not let in again in time.
  waiting_room: 'waiting_room_timeout',
  // "You left the meeting" that the bot did not ask for: the call is over for the bot.
  left: 'meeting_ended',
  // Nothing recognisable for long enough: the call UI is gone for good (host ended it without a
  // message we know, the page moved on).
  unrecognised: 'meeting_ended',
};

/**
 * A probe that failed (the page navigating) repeats what the page last showed, and counts as a
 * blank moment; as the first reading out of the call it counts as a page not recognised.
 */
export type ProbeReading = OutOfCall | 'in_call' | 'unreadable';

/** What changed with the last observation, for the session's log. */
export type PresenceChange =
  | { kind: 'left_call'; to: OutOfCall }
  | { kind: 'changed'; from: OutOfCall; to: OutOfCall }
  | { kind: 'back'; from: OutOfCall; afterMs: number };

/** A page nothing explains is a span only once it lasts this long: redraws and one failed probe are not. */
const UNEXPLAINED_MIN_MS = 1_000;
/**
 * After the page said what it was doing, it may go blank for good (navigated somewhere unknown,
 * or every probe failing): that run is given this long, not the rest of a 15-minute allowance.
 */
const UNEXPLAINED_AFTER_EXPLAINED_MS = 60_000;

interface Episode {
  since: number;
  /** What governs the allowance: the last thing the page said (reconnecting, waiting room), else unrecognised. */
  kind: OutOfCall;
  /** What the page shows now (a failed probe repeats it). */
  current: OutOfCall;
  /** Time charged to each governing kind so far, up to `chargedTo`. */
  spent: Partial<Record<OutOfCall, number>>;
  chargedTo: number;
  /** Start of the current run of blank pages and failed probes; null while the page says something. */
  blankSince: number | null;
  /** Reported (logged, in the manifest): explained at once, or unexplained for UNEXPLAINED_MIN_MS. */
  reported: boolean;
}

/**
 * One span out of the call is one episode. Each kind of absence has a budget (its allowance),
 * and the time goes to the budget of what the page last said it was doing, blank moments
 * included: a page that flips between "Trying to reconnect" and a blank redraw spends the
 * reconnect's 3 minutes once, never a fresh allowance per flip, while a reconnect that follows
 * a long wait in the waiting room still has its own.
 */
export class CallPresence implements Watchdog {
  readonly name = 'call_presence';
  private episode: Episode | null = null;
  private readonly spans: Array<{ kind: OutOfCall; start: number; end: number | null }> = [];

  constructor(
    private readonly clock: Clock,
    private readonly limits: PresenceLimits,
  ) {}

  observe(reading: ProbeReading): PresenceChange | null {
    const now = this.clock.now();
    const ep = this.episode;
    if (reading === 'in_call') {
      this.episode = null;
      if (!ep?.reported) return null;
      this.spans.at(-1)!.end = now;
      return { kind: 'back', from: ep.kind, afterMs: now - ep.since };
    }
    const blank = reading === 'unreadable' || reading === 'unrecognised';
    const state: OutOfCall = reading === 'unreadable' ? (ep?.current ?? 'unrecognised') : reading;
    if (!ep) {
      this.episode = { since: now, kind: state, current: state, spent: {}, chargedTo: now, blankSince: blank ? now : null, reported: false };
      return this.report(now);
    }
    this.charge(ep, now);
    ep.current = state;
    ep.blankSince = blank ? (ep.blankSince ?? now) : null;
    const was = ep.kind;
    if (state !== 'unrecognised') ep.kind = state;
    if (!ep.reported) return this.report(now);
    if (ep.kind === was) return null;
    this.spans.at(-1)!.kind = ep.kind;
    return { kind: 'changed', from: was, to: ep.kind };
  }

  check(): ReasonCode | null {
    const ep = this.episode;
    if (!ep) return null;
    const now = this.clock.now();
    if (ep.current === 'left') return GIVE_UP.left;
    if (ep.kind !== 'unrecognised' && ep.blankSince !== null) {
      if (now - ep.blankSince >= Math.max(this.limits.unrecognised, UNEXPLAINED_AFTER_EXPLAINED_MS)) return GIVE_UP.unrecognised;
    }
    const used = (ep.spent[ep.kind] ?? 0) + (now - ep.chargedTo);
    return used >= this.limitOf(ep.kind) ? GIVE_UP[ep.kind] : null;
  }

  /** The spans out of the call so far, each named by what the page last said; one still open when the session ended has no end. */
  interruptions(): Interruption[] {
    const iso = (t: number): string => new Date(t).toISOString();
    return this.spans.map((s) => ({ kind: s.kind, startedAt: iso(s.start), endedAt: s.end === null ? null : iso(s.end) }));
  }

  private report(now: number): PresenceChange | null {
    const ep = this.episode!;
    if (ep.kind === 'unrecognised' && now - ep.since < UNEXPLAINED_MIN_MS) return null;
    ep.reported = true;
    this.spans.push({ kind: ep.kind, start: ep.since, end: null });
    return { kind: 'left_call', to: ep.kind };
  }

  private charge(ep: Episode, now: number): void {
    ep.spent[ep.kind] = (ep.spent[ep.kind] ?? 0) + (now - ep.chargedTo);
    ep.chargedTo = now;
  }

  private limitOf(kind: OutOfCall): number {
    return kind === 'left' ? 0 : this.limits[kind];
  }
}
