import { describe, expect, it } from 'vitest';
import type { ParticipantSeen } from '../../src/contracts/index.js';
import type { ParticipantTile } from '../../src/platforms/platform.js';
import { CALL_POLL_MS, ParticipantTracker } from '../../src/session/participants.js';
import { SpeakerTimeline } from '../../src/session/speakers.js';
import { FakeClock } from '../helpers/fake-clock.js';

const POLL = 500;
const T0 = Date.parse('2026-11-21T10:00:00Z');
const at = (ms: number): string => new Date(T0 + ms).toISOString();

/** Feeds one sample per step (POLL apart): each step lists who is speaking. */
function feed(clock: FakeClock, timeline: SpeakerTimeline, steps: string[][]): void {
  for (const speaking of steps) {
    timeline.sample(speaking);
    clock.advance(POLL);
  }
}

describe('SpeakerTimeline', () => {
  it('turns and overlaps: a segment runs from the first sample showing the speaker to the first not showing them', () => {
    const clock = new FakeClock(T0);
    const tl = new SpeakerTimeline(clock, POLL);
    // 0: nobody, 500..1500: Ann, 2000: Ann+Bob, 2500..3000: Bob, 3500: nobody
    feed(clock, tl, [[], ['Ann'], ['Ann'], ['Ann'], ['Ann', 'Bob'], ['Bob'], ['Bob'], []]);
    const r = tl.report();
    expect(r.timeline).toEqual([
      { participant: 'Ann', start: at(500), end: at(2500) },
      { participant: 'Bob', start: at(2000), end: at(3500) },
    ]);
    expect(r.talkTimeSec).toEqual({ Ann: 2, Bob: 1.5 });
  });

  it('a speaker missing from one sample is bridged; missing from two, it is two segments', () => {
    const clock = new FakeClock(T0);
    const tl = new SpeakerTimeline(clock, POLL);
    feed(clock, tl, [['Ann'], ['Ann'], [], ['Ann'], [], [], ['Ann'], []]);
    expect(tl.report().timeline).toEqual([
      { participant: 'Ann', start: at(0), end: at(2000) },
      { participant: 'Ann', start: at(3000), end: at(3500) },
    ]);
    expect(tl.report().talkTimeSec).toEqual({ Ann: 2.5 });
  });

  it('a stop is dated at the sample that showed it, even though it is only confirmed one sample later', () => {
    const clock = new FakeClock(T0);
    const tl = new SpeakerTimeline(clock, POLL);
    feed(clock, tl, [['Ann'], ['Ann'], []]);
    // Pending: could still be bridged, but the report already ends it where it was seen to stop.
    expect(tl.report().timeline).toEqual([{ participant: 'Ann', start: at(0), end: at(1000) }]);
    feed(clock, tl, [[], []]);
    expect(tl.report().timeline).toEqual([{ participant: 'Ann', start: at(0), end: at(1000) }]);
  });

  it('pause cuts a running segment, records nothing while paused, and resumes at the next sample', () => {
    const clock = new FakeClock(T0);
    const tl = new SpeakerTimeline(clock, POLL);
    feed(clock, tl, [['Ann'], ['Ann']]);
    tl.pause(); // at 1000
    feed(clock, tl, [['Ann'], ['Ann', 'Bob'], ['Bob']]);
    tl.resume(); // at 2500
    feed(clock, tl, [['Ann'], []]);
    expect(tl.report().timeline).toEqual([
      { participant: 'Ann', start: at(0), end: at(1000) },
      { participant: 'Ann', start: at(2500), end: at(3000) },
    ]);
    expect(tl.report().talkTimeSec).toEqual({ Ann: 1.5 });
  });

  it('a stop seen just before a pause keeps its own time; pausing twice changes nothing', () => {
    const clock = new FakeClock(T0);
    const tl = new SpeakerTimeline(clock, POLL);
    feed(clock, tl, [['Ann'], []]);
    tl.pause();
    clock.advance(5_000);
    tl.pause();
    tl.resume();
    feed(clock, tl, [['Ann']]); // one sample after the pause: not bridged to the segment before it
    expect(tl.report(T0 + 7_500).timeline).toEqual([
      { participant: 'Ann', start: at(0), end: at(500) },
      { participant: 'Ann', start: at(6000), end: at(7500) },
    ]);
  });

  it('the report ends running segments at the recording end and drops what came after it', () => {
    const clock = new FakeClock(T0);
    const tl = new SpeakerTimeline(clock, POLL);
    feed(clock, tl, [['Ann'], ['Ann'], ['Ann'], ['Ann', 'Bob']]);
    const r = tl.report(T0 + 1_250);
    expect(r.timeline).toEqual([{ participant: 'Ann', start: at(0), end: at(1250) }]);
    expect(r.talkTimeSec).toEqual({ Ann: 1.3 });
  });
});

const tile = (name: string, speaking = false, id = name.toLowerCase()): ParticipantTile => ({ id, name, speaking, self: false });

describe('ParticipantTracker presence', () => {
  it('records each stay: leave and rejoin is two intervals; still present at the end has leftAt null', () => {
    const clock = new FakeClock(T0);
    const changes: ParticipantSeen[][] = [];
    const tracker = new ParticipantTracker(clock, (l) => changes.push(l), POLL);
    const steps = [[tile('Ann'), tile('Bob')], [tile('Ann'), tile('Bob')], [tile('Bob')], [tile('Bob')], [tile('Bob')], [tile('Ann', false, 'ann-2'), tile('Bob')]];
    for (const tiles of steps) {
      tracker.observe(tiles);
      clock.advance(POLL);
    }
    const ann = tracker.list().find((p) => p.name === 'Ann')!;
    expect(ann).toMatchObject({ firstSeen: at(0), lastSeen: at(2500) });
    expect(ann.intervals).toEqual([
      { joinedAt: at(0), leftAt: at(1000) },
      { joinedAt: at(2500), leftAt: null },
    ]);
    expect(tracker.list().find((p) => p.name === 'Bob')!.intervals).toEqual([{ joinedAt: at(0), leftAt: null }]);
    // Roster changes: both in, Ann out, Ann back.
    expect(changes.map((l) => l.length)).toEqual([2, 2, 2]);
  });

  it('a tile missing from a single probe (re-render) is not a leave', () => {
    const clock = new FakeClock(T0);
    const tracker = new ParticipantTracker(clock, () => undefined, POLL);
    for (const tiles of [[tile('Ann')], [], [tile('Ann')], [tile('Ann')]]) {
      tracker.observe(tiles);
      clock.advance(POLL);
    }
    expect(tracker.list()[0]!.intervals).toEqual([{ joinedAt: at(0), leftAt: null }]);
  });

  it('Meet presentation tiles are neither participants nor speakers; speaking tiles feed the timeline', () => {
    const clock = new FakeClock(T0);
    const tracker = new ParticipantTracker(clock, () => undefined, POLL);
    for (let i = 0; i < 3; i++) {
      tracker.observe([tile('Ann', true), tile('Ann (Presentation)', true, 'spaces/x/devices/9')]);
      clock.advance(POLL);
    }
    tracker.observeOutsideCall(); // the call UI is gone: nobody seen speaking any more
    expect(tracker.list().map((p) => p.name)).toEqual(['Ann']);
    expect(tracker.speakers.report().timeline).toEqual([{ participant: 'Ann', start: at(0), end: at(1500) }]);
  });
});

/** Deterministic PRNG (mulberry32), so the simulated meetings are the same on every run. */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A 20-minute meeting of 3 people: talk bursts of 1–15 s, silences of 0.2–10 s (between
 * sentences, between turns). Probes come every `pollMs` plus 0–80 ms of probe time. Returns the
 * largest talk-time error of any participant, in seconds and as a share of their true talk time.
 */
function simulate(pollMs: number, seed: number): { worstSec: number; worstShare: number } {
  const random = rng(seed);
  const lengthMs = 20 * 60_000;
  const people = ['Ann', 'Bob', 'Cy'].map((name) => {
    const spans: Array<[number, number]> = [];
    for (let t = random() * 10_000; t < lengthMs; ) {
      const end = Math.min(lengthMs, t + 1_000 + random() * 14_000);
      spans.push([t, end]);
      t = end + 200 + random() * 9_800;
    }
    return { name, spans, truth: spans.reduce((s, [a, b]) => s + b - a, 0) / 1000 };
  });
  const clock = new FakeClock(T0);
  const tl = new SpeakerTimeline(clock, pollMs);
  for (let t = 0; t < lengthMs; t += pollMs + random() * 80) {
    clock.advance(t - (clock.now() - T0));
    tl.sample(people.filter((p) => p.spans.some(([a, b]) => t >= a && t < b)).map((p) => p.name));
  }
  const talk = tl.report(T0 + lengthMs).talkTimeSec;
  const errors = people.map((p) => ({ sec: Math.abs((talk[p.name] ?? 0) - p.truth), share: Math.abs((talk[p.name] ?? 0) - p.truth) / p.truth }));
  return { worstSec: Math.max(...errors.map((e) => e.sec)), worstShare: Math.max(...errors.map((e) => e.share)) };
}

describe('talk-time resolution', () => {
  it(`the monitor's ${CALL_POLL_MS} ms poll keeps each person's talk time within 1.5 % over a 20-minute meeting`, () => {
    for (let seed = 1; seed <= 5; seed++) {
      const { worstShare } = simulate(CALL_POLL_MS, seed);
      expect(worstShare).toBeLessThan(0.015);
    }
  });

  it('a 1 s poll is measurably worse on the same meetings (bridged pauses count as talk)', () => {
    let fast = 0;
    let slow = 0;
    for (let seed = 1; seed <= 5; seed++) {
      fast += simulate(500, seed).worstSec;
      slow += simulate(1_000, seed).worstSec;
    }
    expect(slow).toBeGreaterThan(fast * 1.5);
  });
});
