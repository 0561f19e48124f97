import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, type Config } from '../../src/config/index.js';
import { controlChannel, replyKey } from '../../src/control/channel.js';
import { sendOperatorCommand } from '../../src/control/client.js';
import { signEnvelopeV2 } from '../../src/control/envelope.js';
import { startControlListener, type ControlListener } from '../../src/control/listener.js';
import { MeetcapError, type StopReason } from '../../src/contracts/index.js';
import { fleetKeys } from '../../src/fleet/keys.js';
import { createOps, type OpsApi } from '../../src/ops/api.js';
import { publishOperatorVerifier } from '../../src/ops/auth.js';

/**
 * Operator commands through real Redis and the real listener, with stand-in sessions (the e2e
 * file drives real ones): routing to the one worker that runs the target, the operator check
 * and audit, and what each command does to a session or worker.
 */
const SECRET = 'fleet-secret-3b9d0c7e1a5f';
const prefix = `meetcap-test-${randomBytes(4).toString('hex')}`;
const config: Config = loadConfig({ ...process.env, MEETCAP_QUEUE_PREFIX: prefix, MEETCAP_CONTROL_SECRET: SECRET });
const keys = fleetKeys(prefix);

/** A stand-in for a RunningSession that records what the worker asked of it. */
function standIn(meetingId: string, png: Buffer = tinyPng(640, 360)) {
  const sessionId = `ses_${crypto.randomUUID()}`;
  const stops: StopReason[] = [];
  return {
    meetingId,
    sessionId,
    stops,
    control: async () => ({ ok: true as const, state: 'recording' as const }),
    stop: (reason: StopReason) => void stops.push(reason),
    screenshot: async () => png,
  };
}

/** A PNG header is all the ops API reads; the rest is opaque bytes. */
function tinyPng(width: number, height: number, size = 64): Buffer {
  const b = Buffer.alloc(size);
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).copy(b, 0);
  b.writeUInt32BE(13, 8);
  b.write('IHDR', 12, 'latin1');
  b.writeUInt32BE(width, 16);
  b.writeUInt32BE(height, 20);
  return b;
}

function fakeWorker(id: string, sessions: Array<ReturnType<typeof standIn>>, logLines: string[]) {
  let drains = 0;
  return {
    id,
    sessions,
    drains: () => drains,
    logLines,
    listen: (redis: Redis) =>
      startControlListener({
        redis,
        queuePrefix: prefix,
        secret: SECRET,
        log: pino({ level: 'info' }, { write: (l: string) => void logLines.push(l) }),
        sessions: () => sessions,
        worker: { id, stopGraceSec: 30, drain: async () => void drains++ },
      }),
  };
}

const a1 = standIn('crm-a1');
const b1 = standIn('crm-b1');
const big = standIn('crm-big', tinyPng(8000, 8000, 9 * 1024 * 1024));
const workerA = fakeWorker('host-a:101:aaaa1111', [a1, big], []);
const workerB = fakeWorker('host-b:202:bbbb2222', [b1], []);
let redis: Redis;
let listeners: ControlListener[] = [];
let ops: OpsApi;

beforeAll(async () => {
  redis = new Redis(config.redisUrl);
  listeners = [await workerA.listen(redis), await workerB.listen(redis)];
  await publishOperatorVerifier(redis, keys, SECRET);
  ops = createOps(config, { controlReplyTimeoutMs: 1_000 });
});

afterAll(async () => {
  await ops?.close();
  for (const l of listeners) await l.close();
  const found = await redis.keys(`${prefix}:*`);
  if (found.length) await redis.del(...found);
  await redis.quit();
});

async function rejection(p: Promise<unknown>): Promise<MeetcapError> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(MeetcapError);
  return err as MeetcapError;
}

async function auditEntries(): Promise<Array<Record<string, string>>> {
  const rows = await redis.xrange(keys.audit, '-', '+');
  return rows.map(([, fields]) => Object.fromEntries(fields.flatMap((_, i) => (i % 2 ? [] : [[fields[i]!, fields[i + 1]!]]))));
}

describe('kill', () => {
  it('by meeting id: only the worker running it answers, and stops only that session', async () => {
    const r = await ops.kill('crm-a1', { reason: 'bot joined the\nwrong call' });
    expect(r).toEqual({ status: 'stopping', workerId: workerA.id, graceSec: 30, sessions: [{ sessionId: a1.sessionId, meetingId: 'crm-a1' }] });
    expect(a1.stops).toEqual(['stopped_by_operator']);
    expect(b1.stops).toEqual([]);
    expect(await auditEntries()).toContainEqual(expect.objectContaining({ op: 'kill', target: 'crm-a1', outcome: 'accepted', reason: 'bot joined the wrong call' }));
    const logged = workerA.logLines.map((l) => JSON.parse(l)).find((l) => l.msg === 'operator kill: stopping session');
    expect(logged).toMatchObject({ sessionId: a1.sessionId, operatorReason: 'bot joined the wrong call' });
  });

  it('by session id', async () => {
    const r = await ops.kill(b1.sessionId);
    expect(r.workerId).toBe(workerB.id);
    expect(b1.stops).toEqual(['stopped_by_operator']);
  });

  it('with the wrong secret: refused before anything is sent, and audited', async () => {
    const stopsBefore = a1.stops.length;
    const wrong = createOps({ ...config, controlSecret: 'not-the-fleet-secret-0000' });
    try {
      const err = await rejection(wrong.kill('crm-a1'));
      expect(err.code).toBe('control_unauthorized');
      expect(err.message).toMatch(/does not match the fleet/);
    } finally {
      await wrong.close();
    }
    expect(a1.stops.length).toBe(stopsBefore);
    expect((await auditEntries()).at(-1)).toMatchObject({ op: 'kill', target: 'crm-a1', outcome: 'refused' });
  });

  it('a forged envelope that skips the ops API is refused by the worker, logged with why', async () => {
    const stopsBefore = a1.stops.length;
    const send = { redis: () => redis, queuePrefix: prefix, secret: 'not-the-fleet-secret-0000', replyTimeoutMs: 1_000 };
    const err = await rejection(sendOperatorCommand(send, { kind: 'meeting', id: 'crm-a1' }, 'kill'));
    expect(err).toMatchObject({ code: 'control_unauthorized', details: { why: 'bad_signature' } });
    expect(a1.stops.length).toBe(stopsBefore);
    const refused = workerA.logLines.map((l) => JSON.parse(l)).filter((l) => l.msg === 'control command refused');
    expect(refused).toEqual([expect.objectContaining({ target: 'meeting:crm-a1', command: 'kill', why: 'bad_signature' })]);
  });

  it('a meeting nobody runs is meeting_not_live; a reason the envelope cannot carry is refused', async () => {
    const quick = createOps(config, { controlReplyTimeoutMs: 300 });
    try {
      expect((await rejection(quick.kill('crm-nobody'))).code).toBe('meeting_not_live');
    } finally {
      await quick.close();
    }
    const err = await rejection(ops.kill('crm-a1', { reason: 'x'.repeat(201) }));
    expect(err).toMatchObject({ code: 'control_refused', details: { why: 'bad_reason' } });
  });
});

describe('screenshot', () => {
  it('returns the PNG with its session and size', async () => {
    const png = await ops.screenshot('crm-a1');
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    expect({ sessionId: png.sessionId, workerId: png.workerId, width: png.width, height: png.height, bytes: png.length }).toEqual({
      sessionId: a1.sessionId, workerId: workerA.id, width: 640, height: 360, bytes: 64,
    });
  });

  it('refuses a PNG over the size bound instead of pushing it through Redis', async () => {
    const err = await rejection(ops.screenshot('crm-big'));
    expect(err.code).toBe('internal_error');
    expect(err.message).toMatch(/over the 8388608-byte limit/);
  });
});

describe('drain', () => {
  it('marks the worker record draining and drains only that worker', async () => {
    expect(await ops.drain(workerB.id)).toEqual({ status: 'draining', workerId: workerB.id, sessions: 1 });
    expect(await redis.hget(keys.worker(workerB.id), 'draining')).toBe('1');
    expect(workerB.drains()).toBe(1);
    expect(workerA.drains()).toBe(0);
    expect(await redis.exists(keys.worker(workerA.id))).toBe(0);
  });

  it('an unknown worker id is meeting_not_live', async () => {
    const quick = createOps(config, { controlReplyTimeoutMs: 300 });
    try {
      const err = await rejection(quick.drain('host-z:1:zzzz'));
      expect(err).toMatchObject({ code: 'meeting_not_live', details: { workerId: 'host-z:1:zzzz' } });
    } finally {
      await quick.close();
    }
  });
});

describe('recording commands as v2', () => {
  it('a pause aimed at a session id reaches that session', async () => {
    const e = signEnvelopeV2({ target: { kind: 'session', id: b1.sessionId }, command: 'pause' }, SECRET);
    const waiter = redis.duplicate();
    try {
      expect(await redis.publish(controlChannel(prefix), JSON.stringify(e))).toBe(2);
      const replies = [await waiter.blpop(replyKey(prefix, e.requestId), 2), await waiter.blpop(replyKey(prefix, e.requestId), 2)];
      // LPUSH + BLPOP: when both replies are in before the first pop, the result comes out first.
      expect(replies.map((r) => JSON.parse(r![1])).sort((x, y) => x.kind.localeCompare(y.kind))).toEqual([
        { v: 1, requestId: e.requestId, kind: 'accepted' },
        { v: 1, requestId: e.requestId, kind: 'result', result: { ok: true, state: 'recording' } },
      ]);
    } finally {
      waiter.disconnect();
    }
  });
});
