import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import type { Attached, FleetContext, TypedEmitter, WorkerEventMap } from '../../src/fleet/context.js';
import { fleetKeys } from '../../src/fleet/keys.js';
import { attachMetrics } from '../../src/observability/metrics.js';
import { QUEUE_NAME } from '../../src/scheduler/queue.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `mctest-metrics-${randomUUID().slice(0, 8)}`;
let redis: Redis;
let attached: Attached[] = [];

beforeAll(() => {
  redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
});
afterEach(async () => {
  for (const a of attached) await a.close();
  attached = [];
});
afterAll(async () => {
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length) await redis.del(...keys);
  await redis.quit();
});

/** A FleetContext with nothing behind it but Redis: the test plays the worker by emitting events. */
function fakeContext(over: { now?: () => number; redis?: Redis } = {}) {
  const config = loadConfig({ ...process.env, REDIS_URL, MEETCAP_QUEUE_PREFIX: prefix, MEETCAP_METRICS_PORT: '0', MEETCAP_METRICS_HOST: '127.0.0.1', MEETCAP_SLOTS: '3' });
  const events = new EventEmitter() as unknown as TypedEmitter<WorkerEventMap>;
  const ctx: FleetContext = {
    config,
    redis: over.redis ?? redis,
    keys: fleetKeys(prefix),
    log: pino({ level: 'silent' }),
    workerId: 'test-host:1:abcd',
    host: 'test-host',
    pid: 1,
    events,
    sessions: new Map(),
    now: over.now ?? Date.now,
  };
  return { ctx, events };
}

async function attach(ctx: FleetContext): Promise<{ endpoints: { metrics: string; healthz: string } }> {
  const a = await attachMetrics(ctx);
  attached.push(a);
  const { metrics, healthz } = a.endpoints ?? {};
  if (!metrics || !healthz) throw new Error('attachMetrics returned no endpoints');
  return { endpoints: { metrics, healthz } };
}

type Sample = { name: string; labels: Record<string, string>; value: number };

/** Parses Prometheus text exposition (the subset prom-client writes) into samples. */
function parseExposition(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) throw new Error(`unparseable exposition line: ${line}`);
    const labels: Record<string, string> = {};
    for (const [, k, v] of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[k!] = v!;
    samples.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return samples;
}

async function scrape(url: string) {
  const res = await fetch(url);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toContain('text/plain');
  const text = await res.text();
  const samples = parseExposition(text);
  const value = (name: string, labels: Record<string, string> = {}): number | undefined =>
    samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;
  return { text, samples, value };
}

const started = (sessionId: string, meetingId: string, over: Partial<WorkerEventMap['session_started']> = {}): WorkerEventMap['session_started'] => ({
  sessionId, meetingId, tenantId: 't1', source: 'meeting', jobId: `job-${sessionId}`, dueAt: '2026-11-21T12:00:00.000Z', leasedAt: '2026-11-21T12:00:01.500Z', ...over,
});
const state = (sessionId: string, meetingId: string, s: WorkerEventMap['state']['state'], platform: 'meet' | 'zoom' | 'teams' = 'meet') =>
  ({ sessionId, meetingId, state: s, at: new Date().toISOString(), platform }) as WorkerEventMap['state'];
const health = (sessionId: string, meetingId: string, mediaBytes: number, uploadBacklogBytes: number): WorkerEventMap['health'] =>
  ({ sessionId, meetingId, at: new Date().toISOString(), state: 'recording', mediaBytes, uploadBacklogBytes });

describe('worker /metrics', () => {
  it('reports sessions, joins, failures, capture bytes, upload lag, lease renewals and lease delay', async () => {
    const { ctx, events } = fakeContext();
    const { endpoints } = await attach(ctx);
    expect(endpoints.metrics).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);

    // Bot A joins Meet and records; bot B fails in Zoom's lobby; bot C is still joining Teams.
    events.emit('session_started', started('sA', 'crm-secret-meeting-A'));
    events.emit('state', state('sA', 'crm-secret-meeting-A', 'joining'));
    events.emit('state', state('sA', 'crm-secret-meeting-A', 'in_call'));
    events.emit('state', state('sA', 'crm-secret-meeting-A', 'recording'));
    events.emit('health', health('sA', 'crm-secret-meeting-A', 1_000_000, 300_000));
    events.emit('health', health('sA', 'crm-secret-meeting-A', 2_500_000, 200_000));
    events.emit('session_started', started('sB', 'mB', { leasedAt: '2026-11-21T12:00:45.000Z' }));
    events.emit('state', state('sB', 'mB', 'waiting_room', 'zoom'));
    events.emit('session_started', started('sC', 'mC'));
    events.emit('state', state('sC', 'mC', 'joining', 'teams'));
    events.emit('health', { ...health('sC', 'mC', 0, 50_000), state: 'joining' });
    events.emit('session_ended', { sessionId: 'sB', meetingId: 'mB', outcome: { sessionId: 'sB', meetingId: 'mB', state: 'failed', reason: 'waiting_room_timeout' } });
    events.emit('lease', { kind: 'renewed', jobIds: ['j1', 'j2'] });
    events.emit('lease', { kind: 'renewal_failed', jobIds: ['j3'] });
    // A job refused at lease: a failure by its reason, never a join nor a lease delay.
    events.emit('session_started', started('sR', 'mR', { refused: true, leasedAt: '2026-11-21T12:10:00.000Z' }));
    events.emit('session_ended', { sessionId: 'sR', meetingId: 'mR', outcome: { sessionId: 'sR', meetingId: 'mR', state: 'failed', reason: 'invalid_job' } });

    const m = await scrape(endpoints.metrics);
    expect(m.value('meetcap_sessions', { state: 'recording' })).toBe(1);
    expect(m.value('meetcap_sessions', { state: 'joining' })).toBe(1);
    expect(m.value('meetcap_sessions', { state: 'waiting_room' })).toBe(0);
    expect(m.value('meetcap_joins_total', { platform: 'meet', outcome: 'joined' })).toBe(1);
    expect(m.value('meetcap_joins_total', { platform: 'zoom', outcome: 'failed' })).toBe(1);
    expect(m.value('meetcap_joins_total', { platform: 'teams' })).toBeUndefined();
    expect(m.value('meetcap_join_failures_total', { platform: 'zoom', reason: 'waiting_room_timeout' })).toBe(1);
    expect(m.value('meetcap_session_failures_total', { reason: 'waiting_room_timeout' })).toBe(1);
    expect(m.value('meetcap_session_failures_total', { reason: 'invalid_job' })).toBe(1);
    expect(m.value('meetcap_join_failures_total', { platform: 'unknown', reason: 'invalid_job' })).toBeUndefined();
    expect(m.value('meetcap_session_outcomes_total', { state: 'failed', reason: 'waiting_room_timeout' })).toBe(1);
    expect(m.value('meetcap_capture_bytes_total')).toBe(2_500_000);
    expect(m.value('meetcap_upload_backlog_bytes')).toBe(250_000);
    expect(m.value('meetcap_lease_renewals_total', { kind: 'renewed' })).toBe(2);
    expect(m.value('meetcap_lease_renewals_total', { kind: 'renewal_failed' })).toBe(1);
    expect(m.value('meetcap_lease_delay_seconds_count')).toBe(3);
    expect(m.value('meetcap_lease_delay_seconds_bucket', { le: '2' })).toBe(2); // 1.5 s twice
    expect(m.value('meetcap_lease_delay_seconds_bucket', { le: '30' })).toBe(2); // 45 s once
    expect(m.value('meetcap_lease_delay_seconds_bucket', { le: '60' })).toBe(3);
    expect(m.value('meetcap_worker_slots')).toBe(3);
    expect(m.value('process_cpu_seconds_total')).toBeGreaterThan(0);
    // Bounded labels: no meeting or session id ever becomes a series.
    expect(m.text).not.toContain('crm-secret-meeting-A');
    expect(m.text).not.toMatch(/sessionId|meetingId|"sA"/);

    // A ended meeting leaves the live gauges; counters keep counting.
    events.emit('session_ended', { sessionId: 'sA', meetingId: 'crm-secret-meeting-A', outcome: { sessionId: 'sA', meetingId: 'crm-secret-meeting-A', state: 'done', reason: 'meeting_ended' } });
    const after = await scrape(endpoints.metrics);
    expect(after.value('meetcap_sessions', { state: 'recording' })).toBe(0);
    expect(after.value('meetcap_upload_backlog_bytes')).toBe(50_000);
    expect(after.value('meetcap_session_outcomes_total', { state: 'done', reason: 'meeting_ended' })).toBe(1);
    expect(after.value('meetcap_joins_total', { platform: 'meet', outcome: 'joined' })).toBe(1);
  });

  it('reads queue depth at scrape time, agreeing with BullMQ, and counts due meetings still in delayed', async () => {
    const queue = new Queue(QUEUE_NAME, { connection: redis, prefix });
    try {
      await queue.add('now', { n: 1 }, { jobId: 'now-1' });
      await queue.add('soon', { n: 2 }, { jobId: 'soon-1', delay: 60_000 });
      await queue.add('later', { n: 3 }, { jobId: 'later-1', delay: 3_600_000 });
      // The injected clock is 2 minutes ahead: "soon" is due but no worker has promoted it.
      const { ctx } = fakeContext({ now: () => Date.now() + 120_000 });
      const { endpoints } = await attach(ctx);
      const m = await scrape(endpoints.metrics);
      const bull = await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'paused', 'waiting-children', 'completed', 'failed');
      for (const [s, n] of Object.entries(bull)) expect(m.value('meetcap_queue_jobs', { state: s }), s).toBe(n);
      expect(m.value('meetcap_queue_jobs', { state: 'waiting' })).toBe(1);
      expect(m.value('meetcap_queue_jobs', { state: 'delayed' })).toBe(2);
      expect(m.value('meetcap_queue_due_jobs')).toBe(2);
      expect(m.value('meetcap_queue_read_ok')).toBe(1);
      // The key KEDA reads (deploy/k8s) is BullMQ's own wait list.
      expect(ctx.keys.queue.wait).toBe(queue.keys.wait);
      expect(ctx.keys.queue.delayed).toBe(queue.keys.delayed);
      expect(await redis.type(ctx.keys.queue.wait)).toBe('list');
      expect(await redis.type(ctx.keys.queue.delayed)).toBe('zset');
    } finally {
      await queue.obliterate({ force: true });
      await queue.close();
    }
  });

  it('/healthz is 200 while Redis is ready and 503 once it is not; /metrics still answers', async () => {
    const own = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
    try {
      const { ctx } = fakeContext({ redis: own });
      await new Promise<void>((resolve) => (own.status === 'ready' ? resolve() : own.once('ready', () => resolve())));
      const { endpoints } = await attach(ctx);
      const ok = await fetch(endpoints.healthz);
      expect([ok.status, await ok.text()]).toEqual([200, 'ok\n']);
      // disconnect() only starts closing: the status leaves 'ready' when the socket closes.
      const ended = new Promise((resolve) => own.once('end', resolve));
      own.disconnect();
      await ended;
      const down = await fetch(endpoints.healthz);
      expect(down.status).toBe(503);
      const m = await scrape(endpoints.metrics);
      expect(m.value('meetcap_queue_read_ok')).toBe(0);
      expect((await fetch(endpoints.metrics.replace('/metrics', '/other'))).status).toBe(404);
    } finally {
      own.disconnect();
    }
  });

  it('close() is idempotent, frees the port and stops listening to events', async () => {
    const { ctx, events } = fakeContext();
    const a = await attachMetrics(ctx);
    const url = a.endpoints!.metrics!;
    await Promise.all([a.close(), a.close()]);
    await a.close();
    await expect(fetch(url)).rejects.toThrow();
    expect((events as unknown as EventEmitter).listenerCount('state')).toBe(0);
  });
});
