import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { fleetKeys } from '../../src/fleet/keys.js';
import { meetingClaims } from '../../src/scheduler/meeting-claim.js';

/** The meeting claim against real Redis: one holder at a time, parts carried over, a lost claim noticed. */
const prefix = `meetcap-test-claim-${randomBytes(4).toString('hex')}`;
const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
const keys = fleetKeys(prefix);
const log = pino({ level: 'silent' });
const claims = (workerId: string) => meetingClaims({ redis, keys, workerId, heartbeatSec: 1, maxWaitSec: 10, log });

afterAll(async () => {
  const found = await redis.keys(`${prefix}:*`);
  if (found.length) await redis.del(...found);
  await redis.quit();
});

const aborted = (signal: AbortSignal): Promise<void> => new Promise((r) => (signal.aborted ? r() : signal.addEventListener('abort', () => r(), { once: true })));

describe('meeting claim', () => {
  it('a second worker waits for the first to let go, then continues with its sessions as earlier parts', async () => {
    const a = await claims('w-a').acquire('m-1', 'job-1');
    expect(a.previous).toEqual([]);
    await a.addSession({ sessionId: 'ses_a', leasedAt: '2026-11-21T10:00:00.000Z' });
    let bHas = false;
    const b = claims('w-b').acquire('m-1', 'job-1').then((c) => ((bHas = true), c));
    await new Promise((r) => setTimeout(r, 1_200));
    expect(bHas).toBe(false);
    await a.release(false); // the first worker is gone mid-meeting: its parts stay
    const claimB = await b;
    expect(claimB.previous).toEqual([{ sessionId: 'ses_a', leasedAt: '2026-11-21T10:00:00.000Z' }]);
    await claimB.release(true);
    expect(await redis.exists(keys.meetingParts('m-1'), keys.meetingOwner('m-1'))).toBe(0);
  });

  it('a claim taken over by someone else is reported lost, and releasing it leaves the new holder alone', async () => {
    const a = await claims('w-a').acquire('m-2', 'job-2');
    await a.addSession({ sessionId: 'ses_a', leasedAt: '2026-11-21T10:00:00.000Z' });
    await redis.set(keys.meetingOwner('m-2'), 'w-c|job-2|other');
    await aborted(a.lost);
    await a.release(true);
    expect(await redis.get(keys.meetingOwner('m-2'))).toBe('w-c|job-2|other');
    expect(await redis.hlen(keys.meetingParts('m-2'))).toBe(1);
  });
});
