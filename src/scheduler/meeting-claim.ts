import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { PreviousSession } from '../contracts/index.js';
import type { FleetKeys } from '../fleet/keys.js';

/**
 * Who holds a meeting's media right now. BullMQ's lease says which worker runs the job; this
 * says that no other bot is in the meeting: a worker that lost its lease (killed, or cut off from
 * Redis) may still have a session leaving the call, so the next one waits until the old claim
 * has lapsed. The claim also remembers the meeting's sessions, so a takeover continues the
 * recording as a new part instead of starting over.
 */
export interface MeetingClaim {
  /** Earlier sessions of this meeting, oldest first; the processor appends as it goes. */
  readonly previous: PreviousSession[];
  /**
   * Aborted when the claim can no longer be vouched for (someone else holds it, or it could not
   * be refreshed for its whole lifetime): another worker may be joining, so this one must leave.
   */
  readonly lost: AbortSignal;
  addSession(session: PreviousSession): Promise<void>;
  /** Ends the claim; `finished`: the job is over, so its parts record goes too (only while the claim is ours). Idempotent. */
  release(finished?: boolean): Promise<void>;
}

export interface MeetingClaims {
  acquire(meetingId: string, jobId: string): Promise<MeetingClaim>;
}

export interface ClaimOptions {
  redis: Redis;
  keys: FleetKeys;
  workerId: string;
  /** The claim is refreshed this often and lapses after 3x this without a refresh. */
  heartbeatSec: number;
  /** Longest wait for another holder's claim to lapse before the lease is given back. */
  maxWaitSec: number;
  log: Logger;
}

const PARTS_TTL_SEC = 2 * 86_400;
const POLL_MS = 500;
// Refresh / release only a claim that is still ours: a lapsed claim may belong to someone else now.
const REFRESH = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) else return 0 end`;
// The parts record goes too when the job finished, but only while the claim is still ours: a
// worker that lost it must not wipe the record its successor is using.
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('DEL', KEYS[1])
  if ARGV[2] == '1' then redis.call('DEL', KEYS[2]) end
  return 1
end
return 0`;

export function meetingClaims(o: ClaimOptions): MeetingClaims {
  const ttlMs = o.heartbeatSec * 3 * 1000;
  return {
    async acquire(meetingId, jobId) {
      const owner = o.keys.meetingOwner(meetingId);
      const partsKey = o.keys.meetingParts(meetingId);
      const token = `${o.workerId}|${jobId}|${randomUUID()}`;
      await waitForClaim(o, owner, token, ttlMs, meetingId);
      const lost = new AbortController();
      const stopRefresh = keepClaim(o, owner, token, ttlMs, meetingId, lost);
      let released: Promise<void> | undefined;
      const release = (finished = true): Promise<void> =>
        (released ??= (async () => {
          stopRefresh();
          await o.redis.eval(RELEASE, 2, owner, partsKey, token, finished ? '1' : '0').catch(() => undefined);
        })());
      let previous: PreviousSession[];
      try {
        previous = Object.values(await o.redis.hgetall(partsKey))
          .map((v) => JSON.parse(v) as PreviousSession)
          .sort((a, b) => a.leasedAt.localeCompare(b.leasedAt));
      } catch (err) {
        await release(false);
        throw err;
      }
      if (previous.length) o.log.warn({ meetingId, previous: previous.map((p) => p.sessionId) }, 'meeting was recorded before: continuing as a new part');
      return {
        previous,
        lost: lost.signal,
        async addSession(session) {
          await o.redis.multi().hset(partsKey, session.sessionId, JSON.stringify(session)).expire(partsKey, PARTS_TTL_SEC).exec();
        },
        release,
      };
    },
  };
}

/**
 * Refreshes the claim every heartbeat. A refresh that finds the claim gone or someone else's,
 * or no successful refresh for the claim's whole lifetime (cut off from Redis), aborts `lost`.
 */
function keepClaim(o: ClaimOptions, owner: string, token: string, ttlMs: number, meetingId: string, lost: AbortController): () => void {
  let lastOk = Date.now();
  const timer = setInterval(() => {
    o.redis.eval(REFRESH, 1, owner, token, String(ttlMs)).then(
      (kept) => {
        if (kept === 1) lastOk = Date.now();
        else giveUp('the claim is gone or held by another worker');
      },
      (err: unknown) => {
        o.log.warn({ meetingId, err: (err as Error).message }, 'meeting claim refresh failed');
        if (Date.now() - lastOk >= ttlMs) giveUp('the claim could not be refreshed for its whole lifetime');
      },
    );
  }, o.heartbeatSec * 1000);
  timer.unref();
  const giveUp = (why: string): void => {
    if (lost.signal.aborted) return;
    o.log.error({ meetingId, why }, 'lost the claim on the meeting: its session must leave');
    lost.abort();
    clearInterval(timer);
  };
  return () => clearInterval(timer);
}

/** SET NX, waiting for another holder's claim to lapse; gives up (retryable) after maxWaitSec. */
async function waitForClaim(o: ClaimOptions, owner: string, token: string, ttlMs: number, meetingId: string): Promise<void> {
  const deadline = Date.now() + o.maxWaitSec * 1000;
  let logged = false;
  for (;;) {
    if ((await o.redis.set(owner, token, 'PX', ttlMs, 'NX')) === 'OK') return;
    if (Date.now() > deadline) throw new Error(`meeting ${meetingId} is still claimed by another session after ${o.maxWaitSec} s`);
    if (!logged) {
      o.log.warn({ meetingId, holder: (await o.redis.get(owner))?.split('|')[0] }, 'meeting still claimed by an earlier session; waiting for it to lapse');
      logged = true;
    }
    await delay(POLL_MS);
  }
}
