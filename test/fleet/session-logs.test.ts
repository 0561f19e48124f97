import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { MeetcapError } from '../../src/contracts/index.js';
import { attachRegistry, type RegistryAttached } from '../../src/fleet/registry.js';
import { attachSessionLogs, type SessionLogsAttached } from '../../src/fleet/session-logs.js';
import { createOps, type OpsApi } from '../../src/ops/api.js';
import { publishOperatorVerifier } from '../../src/ops/auth.js';
import { prettyLine } from '../../src/ops/commands/logs.js';
import { cli, fakeWorker, fleetTestEnv, SECRET, until, type FakeWorker, type FleetTestEnv } from './fake-fleet.js';

/**
 * Per-session log streams: a fake worker's `log` events go to Redis through the real feature,
 * and `ops.logs` / `meetcap logs` read them back (replay, follow, end, refusal).
 */
let t: FleetTestEnv;
let w: FakeWorker;
let registry: RegistryAttached;
let logs: SessionLogsAttached;
let ops: OpsApi;

beforeAll(async () => {
  t = fleetTestEnv({ MEETCAP_SESSION_LOG_MAX_LINES: '100', MEETCAP_SESSION_LOG_TTL_SEC: '600' });
  w = fakeWorker(t);
  registry = await attachRegistry(w.ctx);
  logs = await attachSessionLogs(w.ctx);
  await publishOperatorVerifier(t.redis, t.keys, SECRET);
  ops = createOps(t.config);
});
afterAll(async () => {
  await ops?.close();
  await logs?.close();
  await registry?.close();
  await t?.close();
});

const line = (sessionId: string, meetingId: string, msg: string, extra: Record<string, unknown> = {}): string =>
  JSON.stringify({ level: 'info', time: '2026-11-21T12:01:02.345Z', pid: 9, name: 'meetcap-session', sessionId, meetingId, msg, ...extra });

function say(meetingId: string, sessionId: string, msgs: string[]): void {
  for (const msg of msgs) w.emit('log', { sessionId, meetingId, line: line(sessionId, meetingId, msg) });
}

async function collect(id: string, follow: boolean, signal?: AbortSignal): Promise<{ msgs: string[]; result: Awaited<ReturnType<OpsApi['logs']>> }> {
  const msgs: string[] = [];
  const result = await ops.logs(id, { follow, signal, blockMs: 500, onLine: ({ line: l }) => msgs.push((JSON.parse(l) as { msg: string }).msg) });
  return { msgs, result };
}

describe('session log streams', () => {
  it('a chatty session costs one pipeline per event-loop turn, not a round trip per line', async () => {
    const spy = vi.spyOn(w.ctx.redis, 'pipeline');
    const sessionId = w.start('log-1');
    await registry.settled();
    spy.mockClear();
    say('log-1', sessionId, Array.from({ length: 80 }, (_, i) => `line ${i}`));
    await logs.settled();
    expect(spy.mock.calls.length).toBe(1);
    spy.mockRestore();
    expect(await t.redis.xlen(t.keys.logs(sessionId))).toBe(80);
  });

  it('replays lines written before the command, follows new ones, and stops at the end marker; the stream then expires', async () => {
    const sessionId = w.start('log-2');
    say('log-2', sessionId, ['before 1', 'before 2']);
    await logs.settled();
    const following = collect('log-2', true);
    await until(async () => (await t.redis.xlen(t.keys.logs(sessionId))) === 2);
    say('log-2', sessionId, ['after 1', 'after 2']);
    w.end('log-2', sessionId);
    const { msgs, result } = await following;
    expect(msgs).toEqual(['before 1', 'before 2', 'after 1', 'after 2']);
    expect(result).toMatchObject({ sessionId, meetingId: 'log-2', lines: 4, ended: true, end: { state: 'done', reason: 'meeting_ended' } });
    const ttl = await t.redis.ttl(t.keys.logs(sessionId));
    expect(ttl).toBeGreaterThan(590);
    expect(ttl).toBeLessThanOrEqual(600);
    // After the end, by sessionId or meetingId, without follow: the whole log again.
    expect((await collect(sessionId, false)).msgs).toEqual(msgs);
  });

  it('keeps about sessionLogMaxLines per session, the newest', async () => {
    const sessionId = w.start('log-3');
    say('log-3', sessionId, Array.from({ length: 1_000 }, (_, i) => `n${i}`));
    await logs.settled();
    const { msgs } = await collect(sessionId, false);
    expect(msgs.length).toBeGreaterThanOrEqual(100);
    expect(msgs.length).toBeLessThan(300); // MAXLEN ~ trims whole stream nodes (100 entries each by default)
    expect(msgs.at(-1)).toBe('n999');
  });

  it('Ctrl-C (the signal) ends a follow of a live session promptly', async () => {
    const sessionId = w.start('log-4');
    say('log-4', sessionId, ['only line']);
    await logs.settled();
    const stop = new AbortController();
    const msgs: string[] = [];
    const following = ops.logs('log-4', { follow: true, signal: stop.signal, blockMs: 30_000, onLine: ({ line: l }) => msgs.push(l) });
    // Abort while the read is blocked in Redis (it would otherwise wait 30 s).
    await until(async () => ((await t.redis.client('LIST')) as string).includes('cmd=xread'));
    const t0 = Date.now();
    stop.abort();
    const result = await following;
    expect(Date.now() - t0).toBeLessThan(1_000);
    expect(msgs).toHaveLength(1);
    expect(result.ended).toBe(false);
  });

  it('refuses an unknown id with meeting_not_live, and a tail without the fleet secret with control_unauthorized (audited)', async () => {
    await expect(ops.logs('no-such-meeting', { onLine: () => undefined })).rejects.toMatchObject({ code: 'meeting_not_live' });
    const { controlSecret: _none, ...noSecret } = t.config;
    const anonymous = createOps(noSecret);
    try {
      const err = await anonymous.logs('log-2', { onLine: () => undefined }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(MeetcapError);
      expect((err as MeetcapError).code).toBe('control_unauthorized');
    } finally {
      await anonymous.close();
    }
    const audit = await t.redis.xrevrange(t.keys.audit, '+', '-', 'COUNT', 5);
    expect(audit.map(([, f]) => f.join(' '))).toContainEqual(expect.stringMatching(/op logs target log-2 outcome refused/));
  });

  it('Redis trouble costs lines, never the worker: drops are counted and warned about once', async () => {
    const dead = new Redis('redis://127.0.0.1:1', { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: () => null });
    dead.on('error', () => undefined);
    const cut = fakeWorker(t, { redis: dead });
    const cutLogs = await attachSessionLogs(cut.ctx);
    try {
      for (let round = 0; round < 3; round++) {
        expect(() => cut.emit('log', { sessionId: 'ses_x', meetingId: 'm', line: '{}' })).not.toThrow();
        await cutLogs.settled();
      }
      expect(cutLogs.dropped()).toBe(3);
      expect(cut.logLines.filter((l) => l.includes('session log lines dropped'))).toHaveLength(1);
    } finally {
      await cutLogs.close();
      dead.disconnect();
    }
  });

  it('`meetcap logs <meetingId> --json` prints the raw lines; the default is one readable line each', async () => {
    const sessionId = w.start('log-5');
    w.emit('log', { sessionId, meetingId: 'log-5', line: line(sessionId, 'log-5', 'joined', { state: 'in_call', phase: 'a b' }) });
    w.end('log-5', sessionId);
    await until(async () => (await t.redis.xlen(t.keys.logs(sessionId))) === 2);
    const raw = await cli(['logs', 'log-5', '--json'], t.env);
    expect(raw.code).toBe(0);
    expect(JSON.parse(raw.stdout.trim())).toMatchObject({ msg: 'joined', sessionId, state: 'in_call' });
    const pretty = await cli(['logs', 'log-5', '-f'], t.env);
    expect(pretty.stdout).toBe('12:01:02.345 INFO  joined  state=in_call phase="a b"\n');
    expect(prettyLine('not json')).toBe('not json');
    expect(prettyLine(JSON.stringify({ level: 'warn', time: '2026-11-21T12:01:02.345Z', msg: 'slow', err: { message: 'x' } }), true))
      .toBe('12:01:02.345 \u001b[33mWARN \u001b[0m slow  err={"message":"x"}');
  });
});
