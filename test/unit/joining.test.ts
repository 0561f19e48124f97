import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { meetAdapter } from '../../src/platforms/meet/index.js';
import { joinAndWait, MAX_JOIN_REQUESTS } from '../../src/session/joining.js';
import { SessionMachine } from '../../src/session/machine.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { scriptedCall } from '../helpers/scripted-call.js';

const log = pino({ level: 'silent' });
const meeting = meetAdapter.parseUrl(new URL('https://meet.google.com/abc-defg-hij'))!;
const expired = { phase: 'left', reason: 'waiting_room_timeout' } as const;
const lobby = { phase: 'waiting_room' } as const;

function machineOn(clock: FakeClock): SessionMachine {
  const machine = new SessionMachine({ meetingId: 'm-presence', sessionId: 'ses_1' }, () => undefined, clock, log);
  machine.to('launching');
  return machine;
}
const entries = (m: SessionMachine): number => m.timeline.filter((s) => s.state === 'waiting_room').length;

describe('asking to join again when the platform drops the request (scripted pages, fake clock)', { timeout: 20_000 }, () => {
  it('admitted on the second request: one waiting-room state, two requests', async () => {
    const clock = new FakeClock();
    const { ctx, joins } = scriptedCall(clock, [[lobby, 1_000], [expired, 600_000], [lobby, 1_000], [{}, 1_000]]);
    const machine = machineOn(clock);
    await joinAndWait(ctx, machine, meeting);
    expect(machine.state).toBe('in_call');
    expect(joins).toHaveLength(2);
    expect(entries(machine)).toBe(1);
  });

  it(`dropped every time: at most ${MAX_JOIN_REQUESTS} requests, then waiting_room_timeout`, async () => {
    const clock = new FakeClock();
    const { ctx, joins } = scriptedCall(clock, [[lobby, 1_000], [expired, 100_000], [lobby, 1_000], [expired, 100_000], [lobby, 1_000], [expired, 100_000]]);
    const machine = machineOn(clock);
    await expect(joinAndWait(ctx, machine, meeting)).rejects.toMatchObject({ code: 'waiting_room_timeout', details: { requests: MAX_JOIN_REQUESTS } });
    expect(joins).toHaveLength(MAX_JOIN_REQUESTS);
    expect(entries(machine)).toBe(1);
  });

  it('less than 30 s of the waiting-room limit left: no new request, waiting_room_timeout', async () => {
    const clock = new FakeClock();
    // Entered at 1 s; the job allows 900 s; dropped at 881 s: 20 s left.
    const { ctx, joins, job } = scriptedCall(clock, [[lobby, 1_000], [expired, 880_000]]);
    expect(job.limits.waitingRoomTimeoutSec).toBe(900);
    await expect(joinAndWait(ctx, machineOn(clock), meeting)).rejects.toMatchObject({ code: 'waiting_room_timeout', details: { requests: 1 } });
    expect(joins).toHaveLength(1);
  });
});
