import { createHash } from 'node:crypto';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import type { Config } from '../config/index.js';
import type { AnyJob } from '../contracts/index.js';

export const QUEUE_NAME = 'meetings';

/**
 * BullMQ job id for a meeting. Derived, not the raw meetingId: BullMQ refuses ':' in custom ids
 * and meeting ids come from other systems. Same meetingId, same job: that is the idempotency key.
 */
export function jobIdFor(meetingId: string): string {
  return `mtg-${createHash('sha256').update(meetingId).digest('hex').slice(0, 40)}`;
}

export function redisConnection(config: Config): Redis {
  // BullMQ workers need maxRetriesPerRequest: null so blocking commands survive reconnects.
  return listened(new Redis(config.redisUrl, { maxRetriesPerRequest: null, lazyConnect: false }));
}

/**
 * A duplicate of `redis` for blocking reads or SUBSCRIBE. Every connection gets an error
 * listener: without one ioredis prints "Unhandled error event" on stderr for every failed
 * reconnect while Redis is down. Outages still surface where they matter: commands reject
 * (and are logged by their callers) and BullMQ's worker emits its own errors.
 */
export function duplicateConnection(redis: Redis): Redis {
  return listened(redis.duplicate());
}

function listened(conn: Redis): Redis {
  conn.on('error', () => undefined);
  return conn;
}

/** Meetings for bots and file jobs share the queue: same idempotency key, same workers. */
export type MeetingQueue = Queue<AnyJob, unknown, string>;

export function openQueue(config: Config, connection: Redis): MeetingQueue {
  return new Queue<AnyJob, unknown, string>(QUEUE_NAME, { connection, prefix: config.queuePrefix });
}
