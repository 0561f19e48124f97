import { runCli, type CliResult } from '../helpers/cli.js';
import { randomBytes } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fleetKeys } from '../../src/fleet/keys.js';
import { startHarness, TEST_CONTROL_SECRET, type Harness, type Tracked } from '../helpers/harness.js';
import { schedule } from './scenarios.js';

/**
 * Operator commands from the shell against a real worker running two live Meet sandbox meetings:
 * kill one (the other keeps recording), refusals without the fleet secret, a screenshot, and a
 * drain that stops leasing but lets the running session end on its own.
 */

let h: Harness;
let redis: Redis;
const live: Array<{ code: string; meetingId: string; t: Tracked }> = [];
/** Set by the drain test: the worker's drain promise and the meeting scheduled after it. */
let drain: { done: Promise<void>; drained: boolean; waitingMeetingId: string } | undefined;
/** Every meeting the worker leased, in order. */
const leased: string[] = [];
beforeAll(async () => {
  h = await startHarness({ env: { MEETCAP_SLOTS: '2' } });
  redis = new Redis(h.config.redisUrl);
  h.worker.events.on('session_started', (s) => leased.push(s.meetingId));
  const started = await Promise.all(
    ['Alice Example', 'Bob Example'].map(async (name) => {
      const m = h.sandbox.api.createMeeting({ platform: 'meet', autoAdmitAfterMs: 0 });
      await h.sandbox.api.addParticipant(m.code, { name, toneHz: 440, speaking: true });
      // Audio-only: what is checked here is the fleet's control surface, and two 720p bots
      // on two cores starve the CLI processes under test (44 s for three CLI calls).
      const { t, meetingId } = await schedule(h, m.url, { recording: 'audio_only' });
      return { code: m.code, meetingId, t };
    }),
  );
  live.push(...started);
  await Promise.all(live.map((m) => m.t.reached('recording')));
});
afterAll(async () => {
  for (const m of live) h?.sandbox.api.end(m.code);
  await redis?.quit();
  await h?.close();
});

/** Runs the real CLI against the harness's Redis prefix, with the fleet secret unless overridden. */
function cli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  return runCli(args, { ...process.env, MEETCAP_QUEUE_PREFIX: h.config.queuePrefix, MEETCAP_CONTROL_SECRET: TEST_CONTROL_SECRET, ...env });
}

async function audit(): Promise<Array<Record<string, string>>> {
  const rows = await redis.xrange(fleetKeys(h.config.queuePrefix).audit, '-', '+');
  return rows.map(([, f]) => Object.fromEntries(f.flatMap((_, i) => (i % 2 ? [] : [[f[i]!, f[i + 1]!]]))));
}

const running = (meetingId: string): boolean => [...h.worker.sessions.values()].some((s) => s.meetingId === meetingId);
const leftCall = (t: Tracked): boolean => t.states.some((s) => ['leaving', 'finalizing'].includes(s.state));

describe('operator commands against a live worker', () => {
  it('meetcap sessions, logs and /metrics show the two live meetings', async () => {
    const [sessions, workers, logs] = await Promise.all([cli(['sessions', '--json']), cli(['workers', '--json']), cli(['logs', live[0]!.meetingId, '--json'])]);
    expect(sessions.code, sessions.stderr).toBe(0);
    const rows = JSON.parse(sessions.stdout) as Array<Record<string, unknown>>;
    for (const m of live) {
      expect(rows.find((r) => r.meetingId === m.meetingId)).toMatchObject({ state: 'recording', platform: 'meet', workerId: h.worker.workerId, status: 'live' });
    }
    expect(JSON.parse(workers.stdout)).toContainEqual(expect.objectContaining({ workerId: h.worker.workerId, draining: false, status: 'live' }));
    // The session's own lines, from its first one, as pino JSON.
    expect(logs.code, logs.stderr).toBe(0);
    const lines = logs.stdout.trim().split('\n').map((l) => JSON.parse(l) as { msg: string; meetingId: string });
    expect(lines.every((l) => l.meetingId === live[0]!.meetingId)).toBe(true);
    expect(lines.map((l) => l.msg)).toEqual(expect.arrayContaining(['session launching', 'session joining', 'session in_call', 'session recording']));

    const metrics = await (await fetch(h.worker.endpoints.metrics!)).text();
    expect(metrics).toMatch(/^meetcap_sessions\{state="recording"\} 2$/m);
  });

  it('kill without the fleet secret is refused (exit 2, audited) and the session is untouched', async () => {
    const [a] = live;
    const [wrong, absent] = await Promise.all([
      cli(['kill', a!.meetingId], { MEETCAP_CONTROL_SECRET: 'not-the-fleet-secret-0000' }),
      cli(['kill', a!.meetingId], { MEETCAP_CONTROL_SECRET: '' }),
    ]);
    for (const r of [wrong!, absent!]) {
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(JSON.parse(r.stderr)).toMatchObject({ error: { code: 'control_unauthorized' } });
    }
    const refused = (await audit()).filter((e) => e.op === 'kill' && e.outcome === 'refused');
    expect(refused.map((e) => [e.target, e.why]).sort()).toEqual([
      [a!.meetingId, 'MEETCAP_CONTROL_SECRET does not match the fleet'],
      [a!.meetingId, 'MEETCAP_CONTROL_SECRET is not set'],
    ]);
    expect(running(a!.meetingId)).toBe(true);
    expect(leftCall(a!.t)).toBe(false);
  });

  it('meetcap kill: the meeting ends stopped_by_operator with its recording; the other keeps recording', async () => {
    const [a, b] = live;
    const r = await cli(['kill', a!.meetingId, '--reason', 'e2e: bot joined the wrong call', '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ status: 'stopping', workerId: h.worker.workerId, sessions: [{ meetingId: a!.meetingId }] });

    const outcome = await a!.t.outcome;
    expect(outcome).toMatchObject({ state: 'done', reason: 'stopped_by_operator' });
    const prefix = `acme/${a!.meetingId}/${outcome.sessionId}/`;
    expect(await h.objectKeys(`acme/${a!.meetingId}/`)).toEqual([`${prefix}manifest.json`, `${prefix}recording.m4a`]);
    const manifest = JSON.parse(await readFile(await h.download(`${prefix}manifest.json`), 'utf8'));
    expect(manifest.outcome).toEqual({ state: 'done', reason: 'stopped_by_operator' });
    expect(manifest.recording.durationSec).toBeGreaterThan(1);

    expect(running(b!.meetingId)).toBe(true);
    expect(leftCall(b!.t)).toBe(false);
    expect((await audit()).at(-1)).toMatchObject({ op: 'kill', target: a!.meetingId, outcome: 'accepted', reason: 'e2e: bot joined the wrong call' });
  });

  it('meetcap drain: no new lease while the running session goes on; drained when it ends', async () => {
    const [, b] = live;
    const r = await cli(['drain', h.worker.workerId, '--json']);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual({ status: 'draining', workerId: h.worker.workerId, sessions: 1 });
    expect(await redis.hget(fleetKeys(h.config.queuePrefix).worker(h.worker.workerId), 'draining')).toBe('1');

    // A due meeting and a free slot: a leasing worker would start it within milliseconds. The
    // window it has is everything until the last test (the screenshot test runs in between).
    const c = h.sandbox.api.createMeeting({ platform: 'meet', autoAdmitAfterMs: 0 });
    const { meetingId: waitingMeetingId } = await schedule(h, c.url);
    const d = { done: h.worker.drain(), drained: false, waitingMeetingId };
    void d.done.then(() => (d.drained = true));
    drain = d;
    expect(running(b!.meetingId)).toBe(true);
  });

  it('meetcap screenshot: a PNG of what the bot sees, named after its session', async () => {
    const [, b] = live;
    const file = join(tmpdir(), `meetcap-shot-${randomBytes(4).toString('hex')}.png`);
    try {
      const r = await cli(['screenshot', b!.meetingId, '-o', file, '--json']);
      expect(r.stderr).toBe('');
      const out = JSON.parse(r.stdout);
      expect(out).toMatchObject({ file, width: expect.any(Number), height: expect.any(Number) });
      expect(out.width).toBeGreaterThan(100);
      const png = await readFile(file);
      expect(png.length).toBe(out.bytes);
      expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
    } finally {
      await rm(file, { force: true });
    }
  });

  it('the drain resolves once the running session has ended, and the waiting meeting was never leased', async () => {
    const [, b] = live;
    expect(drain).toBeDefined();
    const { waitingMeetingId } = drain!;
    expect(leased).not.toContain(waitingMeetingId);
    expect(drain!.drained).toBe(false);
    expect(leftCall(b!.t)).toBe(false);
    h.sandbox.api.end(b!.code);
    // The session ends on its own (the meeting ended), not because the worker stopped it.
    expect(await b!.t.outcome).toMatchObject({ state: 'done', reason: 'meeting_ended' });
    await drain!.done;
    expect(h.worker.sessions.size).toBe(0);
    expect(leased).not.toContain(waitingMeetingId);
    expect(await h.ops.cancel(waitingMeetingId)).toEqual({ meetingId: waitingMeetingId, status: 'cancelled' });
  });
});
