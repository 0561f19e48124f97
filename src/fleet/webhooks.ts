import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { WebhookEndpoint } from '../contracts/index.js';
import { loadTenantSettings } from '../ingest/allow-list.js';
import type { Attached, FleetContext } from './context.js';
import { postWebhook, type AttemptResult } from './webhooks/send.js';
import { parseWebhookSecret, webhookHeaders } from './webhooks/sign.js';
import { DeliveryStore, WEBHOOK_GROUP, type Delivery, type NewDelivery } from './webhooks/store.js';
import { duplicateConnection } from '../scheduler/queue.js';

/** Delays before attempts 2…10 (docs/events.md); each gets ±20 % jitter. 10 attempts over ~4.6 h, then the dead-letter stream. */
export const RETRY_DELAYS_MS: readonly number[] = [5_000, 30_000, 120_000, 600_000, 1_800_000, 3_600_000, 3_600_000, 3_600_000, 3_600_000];

export interface WebhookOptions {
  /** Delay before each retry; the number of attempts is this length + 1. */
  retryDelaysMs: readonly number[];
  /** In [0, 1): the jitter source. */
  random: () => number;
  /** How often due retries are looked for. */
  pollMs: number;
  /** XREADGROUP BLOCK. */
  blockMs: number;
  /** An entry read but not handed over for this long belongs to a dead consumer and is reclaimed. */
  claimIdleMs: number;
  claimEveryMs: number;
  /** One attempt's bound (connect, send, answer). */
  requestTimeoutMs: number;
  /** How long a claimed delivery is this worker's before another may take it over. */
  leaseMs: number;
  /** How long a tenant's webhook settings are cached. */
  tenantCacheMs: number;
  /** Attempts in flight per worker. */
  concurrency: number;
  /** Where `secretEnv` names are looked up. */
  env: NodeJS.ProcessEnv;
}

export const WEBHOOK_DEFAULTS: WebhookOptions = {
  retryDelaysMs: RETRY_DELAYS_MS,
  random: Math.random,
  pollMs: 1_000,
  blockMs: 5_000,
  claimIdleMs: 60_000,
  claimEveryMs: 30_000,
  requestTimeoutMs: 15_000,
  leaseMs: 60_000,
  tenantCacheMs: 30_000,
  concurrency: 16,
  env: process.env,
};

export function attachWebhooks(ctx: FleetContext): Promise<Attached> {
  return startWebhooks(ctx);
}

/**
 * Signed webhooks per tenant (Standard Webhooks). Every worker is a consumer in one group on
 * the events stream, so each entry is handed over once fleet-wide; each delivery then lives in
 * a Redis schedule whose entries are leased to one worker per attempt (docs/events.md).
 */
export async function startWebhooks(ctx: FleetContext, options: Partial<WebhookOptions> = {}): Promise<Attached> {
  const opts = { ...WEBHOOK_DEFAULTS, ...options };
  const log = ctx.log.child({ component: 'webhooks' });
  const store = new DeliveryStore(ctx.redis, ctx.keys);
  // Not fatal: webhooks must never keep a worker from leasing; the read loop recreates the group on NOGROUP.
  await store.ensureGroup().catch((err: unknown) => log.warn({ err: (err as Error).message }, 'webhook consumer group not created yet'));
  const reader = duplicateConnection(ctx.redis);
  const stop = new AbortController();
  const tenants = tenantEndpoints(ctx, opts, log);
  const attempts = new AttemptRunner(ctx, opts, store, log, stop.signal);

  const handle = async (entryId: string, fields: string[]): Promise<void> => {
    const body = fieldOf(fields, 'event');
    const event = parseEvent(body);
    if (!event || body === undefined) return void (await store.ack([entryId]));
    const endpoints = await tenants(event.tenantId);
    // Unreadable tenant settings: the entry stays pending and is retried by the reclaim loop.
    if (!endpoints) return;
    const matching = endpoints.filter((e) => !e.events || (e.events as readonly string[]).includes(event.type));
    if (!matching.length) return void (await store.ack([entryId]));
    const deliveries: NewDelivery[] = matching.map((e) => ({ deliveryId: deliveryIdFor(event.eventId, e.url), url: e.url, secretEnv: e.secretEnv }));
    const leaseUntil = ctx.now() + opts.leaseMs;
    if (!(await store.handOff(entryId, event, body, deliveries, leaseUntil))) return;
    for (const d of deliveries) {
      await attempts.start({ ...d, eventId: event.eventId, tenantId: event.tenantId, type: event.type, body, attempts: 0 });
    }
  };

  const loops = [
    loop('read', stop.signal, 0, log, () => readOnce(reader, ctx, opts, handle)),
    loop('reclaim', stop.signal, opts.claimEveryMs, log, () => reclaim(ctx, opts, store, handle, log)),
    loop('retries', stop.signal, opts.pollMs, log, async () => {
      for (const d of await store.claimDue(ctx.now(), ctx.now() + opts.leaseMs, opts.concurrency)) await attempts.start(d);
    }),
  ];
  let closing: Promise<void> | undefined;
  return {
    close() {
      closing ??= (async () => {
        stop.abort();
        reader.disconnect();
        await Promise.allSettled(loops);
        await attempts.drain();
      })();
      return closing;
    },
  };
}

/** Runs `work` until aborted, `everyMs` apart; a failure is logged (once per streak) and retried a second later. */
async function loop(name: string, signal: AbortSignal, everyMs: number, log: Logger, work: () => Promise<void>): Promise<void> {
  let failing = false;
  while (!signal.aborted) {
    try {
      await work();
      failing = false;
      if (everyMs > 0) await sleep(everyMs, undefined, { signal });
    } catch (err) {
      if (signal.aborted) return;
      if (!failing) log.warn({ err: (err as Error).message, loop: name }, 'webhook loop failed; retrying');
      failing = true;
      await sleep(1_000, undefined, { signal }).catch(() => undefined);
    }
  }
}

type EntryHandler = (entryId: string, fields: string[]) => Promise<void>;
type StreamReply = Array<[string, Array<[string, string[]]>]> | null;

async function readOnce(reader: Redis, ctx: FleetContext, opts: WebhookOptions, handle: EntryHandler): Promise<void> {
  let reply: StreamReply;
  try {
    reply = (await reader.xreadgroup('GROUP', WEBHOOK_GROUP, ctx.workerId, 'COUNT', 32, 'BLOCK', opts.blockMs, 'STREAMS', ctx.keys.events, '>')) as StreamReply;
  } catch (err) {
    // The stream or group was deleted (a Redis flush): recreate it and carry on.
    if (String((err as Error).message).includes('NOGROUP')) return void (await new DeliveryStore(ctx.redis, ctx.keys).ensureGroup());
    throw err;
  }
  for (const [, entries] of reply ?? []) {
    for (const [id, fields] of entries) await handle(id, fields);
  }
}

/** Takes over entries a dead consumer read but never handed over, and forgets long-idle consumers. */
async function reclaim(ctx: FleetContext, opts: WebhookOptions, store: DeliveryStore, handle: EntryHandler, log: Logger): Promise<void> {
  let cursor = '0-0';
  do {
    const [next, entries, deleted] = (await ctx.redis.xautoclaim(ctx.keys.events, WEBHOOK_GROUP, ctx.workerId, opts.claimIdleMs, cursor, 'COUNT', 32)) as [string, Array<[string, string[]] | null>, string[]?];
    cursor = next;
    if (deleted?.length) {
      log.warn({ entries: deleted.length }, 'pending webhook events were trimmed from the stream before delivery');
      await store.ack(deleted);
    }
    for (const entry of entries) if (entry) await handle(entry[0], entry[1]);
  } while (cursor !== '0-0');
  const consumers = (await ctx.redis.xinfo('CONSUMERS', ctx.keys.events, WEBHOOK_GROUP)) as Array<Array<string | number>>;
  for (const c of consumers) {
    const info = Object.fromEntries(pairs(c));
    if (info.name !== ctx.workerId && Number(info.pending) === 0 && Number(info.idle) > 3_600_000) {
      await ctx.redis.xgroup('DELCONSUMER', ctx.keys.events, WEBHOOK_GROUP, String(info.name));
    }
  }
}

/** Makes attempts (at most `concurrency` at once) and records what came of them. */
class AttemptRunner {
  private readonly running = new Set<Promise<void>>();
  constructor(
    private readonly ctx: FleetContext,
    private readonly opts: WebhookOptions,
    private readonly store: DeliveryStore,
    private readonly log: Logger,
    private readonly signal: AbortSignal,
  ) {}

  async start(d: Delivery): Promise<void> {
    while (this.running.size >= this.opts.concurrency) await Promise.race(this.running);
    const p = this.attempt(d).catch((err: unknown) => this.log.warn({ err: (err as Error).message, deliveryId: d.deliveryId }, 'webhook attempt not recorded'));
    this.running.add(p);
    void p.finally(() => this.running.delete(p));
  }

  async drain(): Promise<void> {
    await Promise.allSettled([...this.running]);
  }

  private async attempt(d: Delivery): Promise<void> {
    const key = parseWebhookSecret(this.opts.env[d.secretEnv]);
    const url = safeUrl(d.url);
    let result: AttemptResult;
    if (!key) {
      result = { ok: false, error: `secret ${d.secretEnv} is unset or not a whsec_ secret of 24-64 bytes` };
    } else {
      const headers = webhookHeaders(key, d.eventId, Math.floor(this.ctx.now() / 1000), d.body);
      result = await postWebhook(d.url, d.body, headers, this.opts.requestTimeoutMs, this.signal);
      if (this.signal.aborted && !result.ok) return this.store.release(d, this.ctx.now());
    }
    const done = { ...d, attempts: d.attempts + 1 };
    const where = { deliveryId: d.deliveryId, eventId: d.eventId, tenantId: d.tenantId, url, attempt: done.attempts };
    if (result.ok) {
      this.log.info({ ...where, status: result.status }, 'webhook delivered');
      return this.store.delivered(done);
    }
    const delay = this.opts.retryDelaysMs[d.attempts];
    if (result.gone || delay === undefined) {
      this.log.error({ ...where, error: result.error }, 'webhook given up; see the dead-letter stream');
      return this.store.giveUp(done, url, result.error);
    }
    const jittered = Math.round(delay * (0.8 + 0.4 * this.opts.random()));
    const wait = Math.max(jittered, result.retryAfterMs ?? 0);
    this.log.warn({ ...where, error: result.error, retryInMs: wait }, 'webhook attempt failed');
    return this.store.retryAt(done, this.ctx.now() + wait, result.error);
  }
}

/** A tenant's endpoints, cached; undefined when its settings cannot be read (logged once per cache period). */
function tenantEndpoints(ctx: FleetContext, opts: WebhookOptions, log: Logger): (tenantId: string) => Promise<WebhookEndpoint[] | undefined> {
  const cache = new Map<string, { at: number; endpoints: WebhookEndpoint[] | undefined }>();
  return async (tenantId) => {
    const hit = cache.get(tenantId);
    if (hit && ctx.now() - hit.at < opts.tenantCacheMs) return hit.endpoints;
    let endpoints: WebhookEndpoint[] | undefined;
    // A tenant id that is not a job-schema id cannot name a file (no path tricks, '-' = unknown tenant).
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/.test(tenantId)) endpoints = [];
    else {
      try {
        endpoints = (await loadTenantSettings(ctx.config.tenantsDir, tenantId)).webhooks;
      } catch (err) {
        log.error({ tenantId, err: (err as Error).message }, 'tenant settings unreadable; webhooks held until fixed');
      }
    }
    cache.set(tenantId, { at: ctx.now(), endpoints });
    return endpoints;
  };
}

function parseEvent(body: string | undefined): { eventId: string; tenantId: string; type: string } | undefined {
  try {
    const e = JSON.parse(body ?? '') as Record<string, unknown>;
    if (typeof e.eventId === 'string' && typeof e.tenantId === 'string' && typeof e.type === 'string') return { eventId: e.eventId, tenantId: e.tenantId, type: e.type };
  } catch {
    // Not ours to deliver.
  }
  return undefined;
}

function deliveryIdFor(eventId: string, url: string): string {
  return `${eventId}~${createHash('sha256').update(url).digest('hex').slice(0, 16)}`;
}

function fieldOf(fields: string[], name: string): string | undefined {
  for (let i = 0; i + 1 < fields.length; i += 2) if (fields[i] === name) return fields[i + 1];
  return undefined;
}

function pairs(flat: Array<string | number>): Array<[string, string | number]> {
  const out: Array<[string, string | number]> = [];
  for (let i = 0; i + 1 < flat.length; i += 2) out.push([String(flat[i]), flat[i + 1]!]);
  return out;
}

/** Origin and path: a receiver's URL may carry a token in its query, which must not reach a log. */
function safeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.origin}${u.pathname}`;
  } catch {
    return '[not a URL]';
  }
}
