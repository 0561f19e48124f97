import { describe, expect, it } from 'vitest';
import { CallPresence } from '../../src/session/call-presence.js';
import { monitorCall, waitForAdmission, RECONNECT_GRACE_MS, UNRECOGNISED_GRACE_MS, type LobbyWait } from '../../src/session/monitor.js';
import { scriptedCall } from '../helpers/scripted-call.js';
import { FakeClock } from '../helpers/fake-clock.js';

const LIMITS = { reconnecting: 180_000, waiting_room: 900_000, unrecognised: 20_000 };

describe('call presence: time out of the call after admission', () => {
  it('a reconnect is waited out up to its allowance, counted from when the page first said so', () => {
    const clock = new FakeClock();
    const p = new CallPresence(clock, LIMITS);
    const start = clock.now();
    expect(p.observe('in_call')).toBeNull();
    // A blank redraw first, then the page says it is reconnecting.
    expect(p.observe('unrecognised')).toBeNull(); // not a span yet: redraws come and go
    clock.advance(15_000);
    expect(p.observe('reconnecting')).toEqual({ kind: 'left_call', to: 'reconnecting' });
    clock.advance(179_999);
    expect(p.check()).toBeNull();
    clock.advance(1);
    expect(p.check()).toBe('connection_failed');
    // The span starts when the bot was last seen out of the call, not when the page explained it.
    expect(p.interruptions()).toEqual([{ kind: 'reconnecting', startedAt: new Date(start).toISOString(), endedAt: null }]);
  });

  it('a reconnect after a long wait in the waiting room gets its own allowance, not what the wait left of it', () => {
    const clock = new FakeClock();
    const p = new CallPresence(clock, LIMITS); // waiting room: 900 s
    p.observe('waiting_room');
    clock.advance(200_000);
    expect(p.observe('reconnecting')).toEqual({ kind: 'changed', from: 'waiting_room', to: 'reconnecting' });
    expect(p.check()).toBeNull();
    clock.advance(179_999);
    expect(p.check()).toBeNull();
    clock.advance(1);
    expect(p.check()).toBe('connection_failed');
  });

  it('each kind spends its own budget: a reconnect, a long wait in the waiting room, then a reconnect again', () => {
    const clock = new FakeClock();
    const p = new CallPresence(clock, LIMITS); // waiting room: 900 s
    p.observe('reconnecting');
    clock.advance(5_000);
    p.observe('waiting_room');
    clock.advance(300_000);
    expect(p.observe('reconnecting')).toEqual({ kind: 'changed', from: 'waiting_room', to: 'reconnecting' });
    expect(p.check()).toBeNull();
    clock.advance(174_999); // 5 s + 174.999 s of the reconnect's 180 s
    expect(p.check()).toBeNull();
    clock.advance(1);
    expect(p.check()).toBe('connection_failed');
  });

  it('probes that keep failing after the waiting room count as a blank page: a minute, not the rest of 15', () => {
    const clock = new FakeClock();
    const p = new CallPresence(clock, LIMITS);
    p.observe('waiting_room');
    clock.advance(10_000);
    for (let t = 0; t < 59_000; t += 1_000) {
      expect(p.observe('unreadable')).toBeNull();
      clock.advance(1_000);
      expect(p.check()).toBeNull();
    }
    clock.advance(1_000);
    expect(p.check()).toBe('meeting_ended');
  });

  it('a page that goes blank for good after saying what it was doing is given a minute, not the rest of its allowance', () => {
    const clock = new FakeClock();
    const p = new CallPresence(clock, LIMITS); // waiting room: 900 s
    p.observe('waiting_room');
    clock.advance(30_000);
    p.observe('unrecognised');
    clock.advance(59_999);
    expect(p.observe('unreadable')).toBeNull();
    expect(p.check()).toBeNull();
    clock.advance(1);
    expect(p.check()).toBe('meeting_ended');
  });

  it('a page flipping between "Trying to reconnect" and a blank redraw gets the allowance once, not per flip', () => {
    const clock = new FakeClock();
    const p = new CallPresence(clock, LIMITS);
    p.observe('reconnecting');
    for (let t = 0; t < 170_000; t += 10_000) {
      clock.advance(5_000);
      expect(p.observe('unrecognised')).toBeNull(); // still the reconnect: nothing new to say
      expect(p.check()).toBeNull(); // and no 20 s clock of its own
      clock.advance(5_000);
      p.observe('reconnecting');
    }
    clock.advance(10_000);
    expect(p.check()).toBe('connection_failed');
    expect(p.interruptions()).toHaveLength(1);
  });

  it('a call that comes back clears the timer and is reported with the time out; a blip is not reported at all', () => {
    const clock = new FakeClock();
    const p = new CallPresence(clock, LIMITS);
    const start = clock.now();
    p.observe('reconnecting');
    clock.advance(170_000);
    expect(p.observe('in_call')).toEqual({ kind: 'back', from: 'reconnecting', afterMs: 170_000 });
    clock.advance(10 * 60_000);
    expect(p.check()).toBeNull();
    // One failed probe and a half-second redraw: nothing to report.
    expect(p.observe('unreadable')).toBeNull();
    clock.advance(500);
    expect(p.observe('unrecognised')).toBeNull();
    expect(p.observe('in_call')).toBeNull();
    // Out again: a new allowance, not what was left of the first.
    p.observe('reconnecting');
    clock.advance(100_000);
    expect(p.check()).toBeNull();
    expect(p.interruptions()).toEqual([
      { kind: 'reconnecting', startedAt: new Date(start).toISOString(), endedAt: new Date(start + 170_000).toISOString() },
      { kind: 'reconnecting', startedAt: new Date(start + 770_500).toISOString(), endedAt: null },
    ]);
  });

  it('back in the waiting room: the waiting-room limit governs, whatever the page shows in between', () => {
    const clock = new FakeClock();
    const p = new CallPresence(clock, { ...LIMITS, waiting_room: 30_000 });
    expect(p.observe('waiting_room')).toEqual({ kind: 'left_call', to: 'waiting_room' });
    clock.advance(10_000);
    expect(p.observe('unreadable')).toBeNull();
    expect(p.observe('unrecognised')).toBeNull();
    clock.advance(19_999);
    expect(p.check()).toBeNull();
    clock.advance(1);
    expect(p.check()).toBe('waiting_room_timeout');
  });

  it('an unrecognised page ends the call after its allowance; a "you left" page at once', () => {
    const clock = new FakeClock();
    const p = new CallPresence(clock, LIMITS);
    p.observe('unrecognised');
    clock.advance(1_000);
    expect(p.observe('unrecognised')).toEqual({ kind: 'left_call', to: 'unrecognised' });
    clock.advance(18_999);
    expect(p.check()).toBeNull();
    clock.advance(1);
    expect(p.check()).toBe('meeting_ended');
    // Straight to "You left the meeting": a span of its own, over at once.
    const r = new CallPresence(clock, LIMITS);
    expect(r.observe('left')).toEqual({ kind: 'left_call', to: 'left' });
    expect(r.check()).toBe('meeting_ended');
    expect(r.interruptions().map((x) => x.kind)).toEqual(['left']);
    const q = new CallPresence(clock, LIMITS);
    q.observe('reconnecting');
    clock.advance(1_000);
    expect(q.observe('left')).toEqual({ kind: 'changed', from: 'reconnecting', to: 'left' });
    expect(q.check()).toBe('meeting_ended');
  });
});

/** The recording started now: the maximum-length rule stays out of the way. */
const started = (clock: FakeClock): (() => number) => {
  const at = clock.now();
  return () => at;
};

describe('the call monitor with the presence rules (scripted pages, fake clock)', { timeout: 20_000 }, () => {
  it('rides out a reconnect shorter than its allowance, then ends an unrecognised page as meeting_ended', async () => {
    const clock = new FakeClock();
    const { ctx } = scriptedCall(clock, [
      [{}, 1_000],
      [{ phase: 'loading', reconnecting: true }, 1_000],
      [{ phase: 'loading', reconnecting: true }, RECONNECT_GRACE_MS - 2_000],
      [{}, 1_000],
      [{ phase: 'loading' }, 1_000],
      [{ phase: 'loading' }, UNRECOGNISED_GRACE_MS],
    ]);
    expect(await monitorCall(ctx, started(clock))).toBe('meeting_ended');
    const spans = ctx.presence.interruptions();
    expect(spans.map((s) => s.kind)).toEqual(['reconnecting', 'unrecognised']);
    expect(Date.parse(spans[0]!.endedAt!) - Date.parse(spans[0]!.startedAt)).toBe(RECONNECT_GRACE_MS - 1_000);
    expect(spans[1]!.endedAt).toBeNull();
  });

  it('a reconnect that never comes back ends as connection_failed', async () => {
    const clock = new FakeClock();
    const { ctx } = scriptedCall(clock, [
      [{}, 1_000],
      [{ phase: 'loading', reconnecting: true }, 1_000],
      [{ phase: 'loading', reconnecting: true }, RECONNECT_GRACE_MS],
    ]);
    expect(await monitorCall(ctx, started(clock))).toBe('connection_failed');
  });

  it('a bot that was alone when the call dropped waits out the reconnect, then counts the rest of its alone-time', async () => {
    const clock = new FakeClock();
    const nobody = { participants: [] };
    const { ctx } = scriptedCall(clock, [
      [nobody, 1_000],
      [nobody, 50_000],
      [{ phase: 'loading', reconnecting: true }, 1_000], // first seen out after 52 s alone of its 60
      [{ phase: 'loading', reconnecting: true }, 120_000], // without the pause, everyone_left here
      [nobody, 1_000], // back after 121 s out, still alone: 8 s left
      [nobody, 7_000],
      [nobody, 1_000],
    ], 60);
    const start = clock.now();
    expect(await monitorCall(ctx, started(clock))).toBe('everyone_left');
    expect(clock.now() - start).toBe(52_000 + 121_000 + 8_000);
    expect(ctx.presence.interruptions().map((s) => s.kind)).toEqual(['reconnecting']);
  });

  it('a sign-in page after admission (Zoom sends a removed guest to /signin) is a removal, not a sign-in wall', async () => {
    const clock = new FakeClock();
    const { ctx } = scriptedCall(clock, [
      [{}, 1_000],
      [{ phase: 'left', reason: 'sign_in_required' }, 1_000],
    ]);
    expect(await monitorCall(ctx, started(clock))).toBe('removed_by_host');
  });

  it('a request the platform drops before the job\'s waiting-room limit is asked again; the limit counts from the first entry', async () => {
    const clock = new FakeClock();
    const expired = { phase: 'left', reason: 'waiting_room_timeout' } as const;
    const { ctx, job } = scriptedCall(clock, [
      [{ phase: 'waiting_room' }, 1_000],
      [expired, 600_000], // Meet gives up on the request after about 10 minutes
      [{ phase: 'waiting_room' }, 5_000], // asked again
      [{ phase: 'waiting_room' }, 290_000],
      [{ phase: 'waiting_room' }, 5_000], // the job's own limit, counted from the first entry
    ]);
    const lobby: LobbyWait = { enteredAt: null };
    let entries = 0;
    expect(await waitForAdmission(ctx, () => entries++, lobby)).toBe('dropped');
    await expect(waitForAdmission(ctx, () => entries++, lobby)).rejects.toMatchObject({ code: 'waiting_room_timeout' });
    expect(clock.now() - lobby.enteredAt!).toBe(job.limits.waitingRoomTimeoutSec * 1000);
    expect(entries).toBe(1);
    // Dropped by the platform after the job's limit: that is the timeout, not another request.
    const late = scriptedCall(clock, [[{ phase: 'waiting_room' }, 1_000], [expired, 900_000]]);
    await expect(waitForAdmission(late.ctx, () => undefined)).rejects.toMatchObject({ code: 'waiting_room_timeout' });
  });

  it('in the lobby, a page that only says the bot left (Meet, after a denial) is a denial, not a page to wait on', async () => {
    const clock = new FakeClock();
    const { ctx } = scriptedCall(clock, [
      [{ phase: 'waiting_room' }, 1_000],
      [{ phase: 'left' }, 1_000],
    ]);
    await expect(waitForAdmission(ctx, () => undefined)).rejects.toMatchObject({ code: 'denied_by_host' });
  });
});
