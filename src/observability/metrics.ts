import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import type { Attached, FleetContext } from '../fleet/context.js';
import { MetricsRecorder } from './metrics-recorder.js';

/** A scrape must not hang on a Redis that is down: queue depth is skipped after this. */
const QUEUE_READ_TIMEOUT_MS = 2_000;

/**
 * The worker's Prometheus endpoint (docs/deploy.md lists every metric): its own registry (never
 * prom-client's global one, so two workers in one test process do not share series), default
 * process metrics, event-driven session metrics, and the queue depth read at scrape time.
 * `/healthz` answers 200 while the worker's Redis connection is ready, 503 otherwise: a worker
 * that cannot reach Redis cannot renew its leases, so it is not healthy whatever else works.
 */
export async function attachMetrics(ctx: FleetContext): Promise<Attached> {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  registerQueueDepth(registry, ctx);
  new Gauge({ name: 'meetcap_worker_slots', help: 'Sessions this worker runs at most at once (MEETCAP_SLOTS).', registers: [registry] }).set(ctx.config.slots);
  const recorder = new MetricsRecorder(registry);
  const listeners = [
    ['session_started', recorder.onStarted],
    ['state', recorder.onState],
    ['health', recorder.onHealth],
    ['session_ended', recorder.onEnded],
    ['lease', recorder.onLease],
  ] as const;
  for (const [name, fn] of listeners) ctx.events.on(name, fn as never);

  const log = ctx.log.child({ component: 'metrics' });
  const server = createServer((req, res) => void serve(req, res, registry, ctx));
  const { metricsHost, metricsPort } = ctx.config.fleet;
  await listen(server, metricsPort, metricsHost);
  const { port } = server.address() as AddressInfo;
  // A wildcard bind is reachable from other machines under the host's name, not under 0.0.0.0.
  const shownHost = metricsHost === '0.0.0.0' || metricsHost === '::' ? ctx.host : metricsHost;
  const base = `http://${shownHost.includes(':') ? `[${shownHost}]` : shownHost}:${port}`;
  log.info({ host: metricsHost, port }, 'metrics endpoint listening');

  let closing: Promise<void> | undefined;
  return {
    endpoints: { metrics: `${base}/metrics`, healthz: `${base}/healthz` },
    close: () =>
      (closing ??= (async () => {
        for (const [name, fn] of listeners) ctx.events.off(name, fn as never);
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
        registry.clear();
      })()),
  };
}

async function serve(req: IncomingMessage, res: ServerResponse, registry: Registry, ctx: FleetContext): Promise<void> {
  const path = (req.url ?? '/').split('?')[0];
  if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'text/plain', 'method not allowed\n');
  if (path === '/healthz') {
    const ready = ctx.redis.status === 'ready';
    return send(res, ready ? 200 : 503, 'text/plain', ready ? 'ok\n' : `redis ${ctx.redis.status}\n`);
  }
  if (path !== '/metrics') return send(res, 404, 'text/plain', 'not found\n');
  try {
    send(res, 200, registry.contentType, await registry.metrics());
  } catch (err) {
    ctx.log.warn({ err }, 'metrics collection failed');
    send(res, 500, 'text/plain', 'metrics collection failed\n');
  }
}

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
  res.end(body);
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

const QUEUE_STATES = ['waiting', 'paused', 'active', 'delayed', 'prioritized', 'waiting-children', 'completed', 'failed'] as const;
type QueueCounts = Record<(typeof QUEUE_STATES)[number], number> & { due: number };

/**
 * Queue depth straight from BullMQ's keys (ctx.keys.queue), one pipeline per scrape. Only the
 * scheduler may import BullMQ, so this reads the keys rather than calling Queue.getJobCounts; the
 * metrics test checks both agree. `due` is what scaling needs: jobs ready to run now. Scheduled
 * meetings wait in the delayed ZSET until a worker with a free slot promotes them, so while every
 * slot is busy a due meeting is never in `wait`: it is counted from delayed by its score.
 */
function registerQueueDepth(registry: Registry, ctx: FleetContext): void {
  // The registry collects its metrics concurrently: the three gauges share one read per scrape.
  let inflight: Promise<QueueCounts | undefined> | undefined;
  const read = (): Promise<QueueCounts | undefined> =>
    (inflight ??= readQueueCounts(ctx)
      .catch(() => undefined)
      .finally(() => {
        inflight = undefined;
      }));
  const registers = [registry];
  new Gauge({
    name: 'meetcap_queue_jobs',
    help: 'Jobs in the meetings queue by BullMQ state (queue-wide, read at scrape time).',
    labelNames: ['state'],
    registers,
    async collect() {
      const counts = await read();
      // Keep the last values rather than report a falsely empty queue (meetcap_queue_read_ok says so).
      if (counts) for (const s of QUEUE_STATES) this.set({ state: s }, counts[s]);
    },
  });
  new Gauge({
    name: 'meetcap_queue_due_jobs',
    help: 'Jobs ready to be leased now: waiting + prioritized + delayed whose due time has passed (queue-wide).',
    registers,
    async collect() {
      const counts = await read();
      if (counts) this.set(counts.due);
    },
  });
  new Gauge({
    name: 'meetcap_queue_read_ok',
    help: '1 if the last scrape read the queue depth from Redis, 0 if Redis was not ready or too slow.',
    registers,
    async collect() {
      this.set((await read()) ? 1 : 0);
    },
  });
}

async function readQueueCounts(ctx: FleetContext): Promise<QueueCounts> {
  // With maxRetriesPerRequest: null a command on a dead connection waits forever: never send one.
  if (ctx.redis.status !== 'ready') throw new Error('redis not ready');
  const q = ctx.keys.queue;
  // BullMQ's delayed score is dueMs * 0x1000 + a counter: everything due by now sorts below this.
  const dueBound = (ctx.now() + 1) * 0x1000 - 1;
  const pipeline = ctx.redis
    .pipeline()
    .llen(q.wait)
    .llen(q.paused)
    .llen(q.active)
    .zcard(q.delayed)
    .zcard(q.prioritized)
    .zcard(q.waitingChildren)
    .zcard(q.completed)
    .zcard(q.failed)
    .zcount(q.delayed, 0, dueBound);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('queue depth read timed out')), QUEUE_READ_TIMEOUT_MS);
  });
  try {
    const results = await Promise.race([pipeline.exec(), timeout]);
    const n = (results ?? []).map(([err, v]) => {
      if (err) throw err;
      return Number(v);
    });
    const [waiting, paused, active, delayed, prioritized, waitingChildren, completed, failed, dueDelayed] = n as [number, number, number, number, number, number, number, number, number];
    return { waiting, paused, active, delayed, prioritized, 'waiting-children': waitingChildren, completed, failed, due: waiting + prioritized + dueDelayed };
  } finally {
    clearTimeout(timer);
  }
}
