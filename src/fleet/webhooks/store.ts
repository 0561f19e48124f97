import type { Redis } from 'ioredis';
import type { FleetKeys } from '../keys.js';

/** The consumer group that turns stream entries into webhook deliveries (one per endpoint). */
export const WEBHOOK_GROUP = 'webhooks';

/** Dead letters kept (XADD MAXLEN ~). */
const DEAD_MAXLEN = 10_000;

/** One pending delivery of one event to one endpoint, as kept in its Redis hash. */
export interface Delivery {
  deliveryId: string;
  eventId: string;
  tenantId: string;
  type: string;
  url: string;
  secretEnv: string;
  /** The exact bytes signed and sent on every attempt (the stream entry's JSON). */
  body: string;
  /** Attempts made so far. */
  attempts: number;
  lastError?: string;
}

export interface NewDelivery {
  deliveryId: string;
  url: string;
  secretEnv: string;
}

/**
 * Hands a stream entry over to the delivery schedule, atomically with its XACK: only the call
 * whose XACK acknowledges the entry creates the deliveries, so a reclaimed entry handled twice
 * still starts exactly one chain per endpoint. The deliveries are created leased to the caller
 * (due at `leaseUntil`), which makes the first attempt at once.
 */
const HAND_OFF = `
if redis.call('XACK', KEYS[1], ARGV[1], ARGV[2]) == 0 then return 0 end
for i = 3, #KEYS do
  local o = 8 + (i - 3) * 3
  redis.call('HSET', KEYS[i], 'deliveryId', ARGV[o], 'url', ARGV[o + 1], 'secretEnv', ARGV[o + 2],
    'eventId', ARGV[4], 'tenantId', ARGV[5], 'type', ARGV[6], 'body', ARGV[7], 'attempts', 0)
  redis.call('ZADD', KEYS[2], 'NX', ARGV[3], ARGV[o])
end
return 1`;

/** Leases the due deliveries to the caller until `leaseUntil`; a worker that dies lets the lease lapse. */
const CLAIM_DUE = `
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[3]))
for _, id in ipairs(ids) do redis.call('ZADD', KEYS[1], 'XX', ARGV[2], id) end
return ids`;

export class DeliveryStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: FleetKeys,
  ) {}

  async ensureGroup(): Promise<void> {
    try {
      // `$`: a new fleet sends webhooks for events from now on, not for the stream's history.
      await this.redis.xgroup('CREATE', this.keys.events, WEBHOOK_GROUP, '$', 'MKSTREAM');
    } catch (err) {
      if (!String((err as Error).message).includes('BUSYGROUP')) throw err;
    }
  }

  /** True when this call created the deliveries (the entry was still unacknowledged). */
  async handOff(entryId: string, event: { eventId: string; tenantId: string; type: string }, body: string, deliveries: NewDelivery[], leaseUntil: number): Promise<boolean> {
    const keys = [this.keys.events, this.keys.webhookDue, ...deliveries.map((d) => this.keys.webhookDelivery(d.deliveryId))];
    const args = [WEBHOOK_GROUP, entryId, leaseUntil, event.eventId, event.tenantId, event.type, body, ...deliveries.flatMap((d) => [d.deliveryId, d.url, d.secretEnv])];
    const created = await this.redis.eval(HAND_OFF, keys.length, ...keys, ...args);
    return created === 1;
  }

  async ack(entryIds: string[]): Promise<void> {
    if (entryIds.length) await this.redis.xack(this.keys.events, WEBHOOK_GROUP, ...entryIds);
  }

  async claimDue(now: number, leaseUntil: number, limit: number): Promise<Delivery[]> {
    const ids = (await this.redis.eval(CLAIM_DUE, 1, this.keys.webhookDue, now, leaseUntil, limit)) as string[];
    const out: Delivery[] = [];
    for (const id of ids) {
      const h = await this.redis.hgetall(this.keys.webhookDelivery(id));
      if (!h.deliveryId || h.body === undefined) {
        await this.redis.zrem(this.keys.webhookDue, id);
        continue;
      }
      out.push(toDelivery(h));
    }
    return out;
  }

  async delivered(d: Delivery): Promise<void> {
    await this.redis.multi().zrem(this.keys.webhookDue, d.deliveryId).del(this.keys.webhookDelivery(d.deliveryId)).exec();
  }

  async retryAt(d: Delivery, dueAt: number, error: string): Promise<void> {
    await this.redis
      .multi()
      .hset(this.keys.webhookDelivery(d.deliveryId), 'attempts', d.attempts, 'lastError', error)
      .zadd(this.keys.webhookDue, 'XX', dueAt, d.deliveryId)
      .exec();
  }

  /** Hands a leased delivery back untouched (the worker is closing): due now, for another worker. */
  async release(d: Delivery, now: number): Promise<void> {
    await this.redis.zadd(this.keys.webhookDue, 'XX', now, d.deliveryId);
  }

  async giveUp(d: Delivery, safeUrl: string, error: string): Promise<void> {
    await this.redis
      .multi()
      .xadd(this.keys.webhookDead, 'MAXLEN', '~', DEAD_MAXLEN, '*', 'deliveryId', d.deliveryId, 'eventId', d.eventId, 'tenantId', d.tenantId, 'url', safeUrl, 'attempts', String(d.attempts), 'lastError', error, 'event', d.body)
      .zrem(this.keys.webhookDue, d.deliveryId)
      .del(this.keys.webhookDelivery(d.deliveryId))
      .exec();
  }
}

function toDelivery(h: Record<string, string>): Delivery {
  return {
    deliveryId: h.deliveryId!,
    eventId: h.eventId ?? '',
    tenantId: h.tenantId ?? '',
    type: h.type ?? '',
    url: h.url ?? '',
    secretEnv: h.secretEnv ?? '',
    body: h.body!,
    attempts: Number(h.attempts ?? 0),
    ...(h.lastError ? { lastError: h.lastError } : {}),
  };
}
