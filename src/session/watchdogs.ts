import type { ReasonCode } from '../contracts/index.js';
import type { Clock } from './clock.js';

/**
 * Small, independent checks, each owning one rule, each reading time from an injected clock.
 * The session calls `check()` on every probe; the first rule that trips names the reason.
 */
export interface Watchdog {
  readonly name: string;
  check(): ReasonCode | null;
}

/** Gives up waiting in a lobby or waiting room after `limitSec`. */
export function waitingRoomWatchdog(clock: Clock, enteredAt: number, limitSec: number): Watchdog {
  return {
    name: 'waiting_room',
    check: () => (clock.now() - enteredAt >= limitSec * 1000 ? 'waiting_room_timeout' : null),
  };
}

/**
 * Stops at the maximum recorded length; the caller keeps what was recorded. The start is read on
 * every check: a recording that starts late (delay, command) is measured from its own start.
 */
export function maxDurationWatchdog(clock: Clock, recordingStartedAt: () => number, maxSec: number): Watchdog {
  return {
    name: 'max_duration',
    check: () => (clock.now() - recordingStartedAt() >= maxSec * 1000 ? 'max_duration_reached' : null),
  };
}

/**
 * Leaves once the bot has been alone for `limitSec`. Alone-time starts at admission when nobody
 * is there, and resets whenever anyone is seen, so a late first participant is waited for.
 * Time out of the call (a reconnect, back in the waiting room) counts neither way: nobody can be
 * seen from there, and the call presence rules own that time.
 */
export class AloneWatchdog implements Watchdog {
  readonly name = 'everyone_left';
  private aloneSince: number | null;
  private outSince: number | null = null;

  constructor(
    private readonly clock: Clock,
    private readonly limitSec: number,
  ) {
    this.aloneSince = clock.now();
  }

  observe(othersPresent: number): void {
    if (this.outSince !== null && this.aloneSince !== null) this.aloneSince += this.clock.now() - this.outSince;
    this.outSince = null;
    if (othersPresent > 0) this.aloneSince = null;
    else this.aloneSince ??= this.clock.now();
  }

  /** The bot is not in the call: its alone-time stops until it sees the call again. */
  outOfCall(): void {
    this.outSince ??= this.clock.now();
  }

  check(): ReasonCode | null {
    if (this.aloneSince === null) return null;
    const upTo = this.outSince ?? this.clock.now();
    return upTo - this.aloneSince >= this.limitSec * 1000 ? 'everyone_left' : null;
  }
}

export function firstTripped(watchdogs: readonly Watchdog[]): ReasonCode | null {
  for (const w of watchdogs) {
    const reason = w.check();
    if (reason) return reason;
  }
  return null;
}

/** The minimum-duration rule: a recording shorter than the minimum is not kept. */
export function keepRecording(recordedSec: number, minimumSec: number): boolean {
  return recordedSec >= minimumSec;
}
