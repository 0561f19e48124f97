import { describe, expect, it } from 'vitest';
import { AloneWatchdog, firstTripped, keepRecording, maxDurationWatchdog, waitingRoomWatchdog } from '../../src/session/watchdogs.js';
import { FakeClock } from '../helpers/fake-clock.js';

describe('watchdogs', () => {
  it('waiting room gives up exactly at its limit', () => {
    const clock = new FakeClock();
    const w = waitingRoomWatchdog(clock, clock.now(), 900);
    clock.advance(899_999);
    expect(w.check()).toBeNull();
    clock.advance(1);
    expect(w.check()).toBe('waiting_room_timeout');
  });

  it('max duration trips at the maximum recorded length (10 h default)', () => {
    const clock = new FakeClock();
    const start = clock.now();
    const w = maxDurationWatchdog(clock, () => start, 36_000);
    clock.advance(36_000_000 - 1);
    expect(w.check()).toBeNull();
    clock.advance(1);
    expect(w.check()).toBe('max_duration_reached');
  });

  it('max duration counts from a recording that started late, not from the join', () => {
    const clock = new FakeClock();
    let startedAt = clock.now(); // in the call, not recording yet
    const w = maxDurationWatchdog(clock, () => startedAt, 60);
    clock.advance(50_000);
    startedAt = clock.now(); // the delayed start
    clock.advance(59_999);
    expect(w.check()).toBeNull();
    clock.advance(1);
    expect(w.check()).toBe('max_duration_reached');
  });

  it('alone timer starts at admission, resets when someone is seen, trips after the limit', () => {
    const clock = new FakeClock();
    const alone = new AloneWatchdog(clock, 60);
    clock.advance(59_000);
    alone.observe(1); // the first participant arrives just in time
    clock.advance(120_000);
    expect(alone.check()).toBeNull();
    alone.observe(0);
    clock.advance(59_999);
    expect(alone.check()).toBeNull();
    clock.advance(1);
    expect(alone.check()).toBe('everyone_left');
  });

  it('alone timer stops while the bot is out of the call and goes on from where it was when it is back', () => {
    const clock = new FakeClock();
    const alone = new AloneWatchdog(clock, 60);
    alone.observe(0);
    clock.advance(50_000); // alone for 50 s, then the call drops
    alone.outOfCall();
    clock.advance(170_000); // a long reconnect: nobody can be seen, nobody is counted as gone
    alone.outOfCall();
    expect(alone.check()).toBeNull();
    alone.observe(0); // back, still alone: 10 s left of the 60
    clock.advance(9_999);
    expect(alone.check()).toBeNull();
    clock.advance(1);
    expect(alone.check()).toBe('everyone_left');
    // Someone there when the call dropped: alone-time starts only when the bot sees nobody.
    const other = new AloneWatchdog(clock, 60);
    other.observe(1);
    other.outOfCall();
    clock.advance(120_000);
    other.observe(0);
    clock.advance(59_999);
    expect(other.check()).toBeNull();
    clock.advance(1);
    expect(other.check()).toBe('everyone_left');
  });

  it('reports the first rule that trips', () => {
    const clock = new FakeClock();
    const alone = new AloneWatchdog(clock, 10);
    const start = clock.now();
    const max = maxDurationWatchdog(clock, () => start, 10);
    clock.advance(10_000);
    expect(firstTripped([max, alone])).toBe('max_duration_reached');
  });

  it('keeps a recording only at or above the minimum', () => {
    expect(keepRecording(119.9, 120)).toBe(false);
    expect(keepRecording(120, 120)).toBe(true);
  });
});
