import type { Clock } from './clock.js';

/**
 * Intervals of "who is X" (speaking, present) from periodic samples of names. The bot only sees
 * the page at each probe, so:
 * - an interval starts at the first sample showing the name and ends at the first sample not
 *   showing it (start and end lag the truth by the same sampling delay, so lengths are unbiased);
 * - a name missing from a single sample is bridged: any pause shorter than one poll interval
 *   shows as at most one such sample (Meet's level meter between words, a tile re-rendering).
 *   `bridgeMs` is 1.5 polls: probes take time, so samples come a little more than a poll apart.
 */
export interface SampledInterval {
  name: string;
  start: number;
  end: number;
}

interface Open {
  start: number;
  /** First sample without the name, while it may still be bridged. */
  missingSince: number | null;
}

export class SampledIntervals {
  private readonly closed: SampledInterval[] = [];
  private readonly open = new Map<string, Open>();

  constructor(private readonly bridgeMs: number) {}

  sample(at: number, names: Iterable<string>): void {
    const now = new Set(names);
    for (const [name, o] of this.open) {
      if (now.has(name)) {
        if (o.missingSince === null) continue;
        if (at - o.missingSince <= this.bridgeMs) o.missingSince = null;
        else this.startAfresh(name, o, at);
      } else if (o.missingSince === null) o.missingSince = at;
      else if (at - o.missingSince > this.bridgeMs) this.close(name, o, o.missingSince);
    }
    for (const name of now) if (!this.open.has(name)) this.open.set(name, { start: at, missingSince: null });
  }

  /** Ends every interval at `at` (a pause: nothing bridges across it). */
  cut(at: number): void {
    for (const [name, o] of this.open) this.close(name, o, o.missingSince ?? at);
  }

  /** Every interval, ordered by start then name; `end` null while it is still running. */
  list(): Array<{ name: string; start: number; end: number | null }> {
    const open = [...this.open].map(([name, o]) => ({ name, start: o.start, end: o.missingSince }));
    return [...this.closed, ...open].sort((a, b) => a.start - b.start || a.name.localeCompare(b.name));
  }

  private startAfresh(name: string, o: Open, at: number): void {
    this.closed.push({ name, start: o.start, end: o.missingSince ?? at });
    this.open.set(name, { start: at, missingSince: null });
  }

  private close(name: string, o: Open, end: number): void {
    this.closed.push({ name, start: o.start, end });
    this.open.delete(name);
  }
}

export interface SpeakerSegment {
  participant: string;
  start: string;
  end: string;
}

export interface SpeakerReport {
  timeline: SpeakerSegment[];
  /** Seconds per display name, 1 decimal. */
  talkTimeSec: Record<string, number>;
}

/**
 * Who spoke when, from the active-speaker flags of each probe. Several people may speak at once.
 * While paused nothing is recorded, and a segment running into a pause ends at it.
 */
export class SpeakerTimeline {
  private readonly intervals: SampledIntervals;
  private paused = false;

  constructor(
    private readonly clock: Clock,
    pollMs: number,
  ) {
    this.intervals = new SampledIntervals(pollMs * 1.5);
  }

  /** One probe's speaking participants (display names), at the clock's now. */
  sample(speaking: Iterable<string>): void {
    if (!this.paused) this.intervals.sample(this.clock.now(), speaking);
  }

  pause(): void {
    if (this.paused) return;
    this.paused = true;
    this.intervals.cut(this.clock.now());
  }

  resume(): void {
    this.paused = false;
  }

  /** The timeline up to `until` (the recording's end), segments still running ending there. */
  report(until: number = this.clock.now()): SpeakerReport {
    const segments = this.intervals
      .list()
      .map((s) => ({ ...s, end: Math.min(s.end ?? until, until) }))
      .filter((s) => s.end > s.start);
    const ms = new Map<string, number>();
    for (const s of segments) ms.set(s.name, (ms.get(s.name) ?? 0) + s.end - s.start);
    return {
      timeline: segments.map((s) => ({ participant: s.name, start: iso(s.start), end: iso(s.end) })),
      talkTimeSec: Object.fromEntries([...ms].map(([name, t]) => [name, Math.round(t / 100) / 10])),
    };
  }
}

const iso = (ms: number): string => new Date(ms).toISOString();
