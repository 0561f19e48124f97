import type { Redis } from 'ioredis';
import { MeetcapError, type FleetEvent } from '../contracts/index.js';
import type { OpsDeps } from './api.js';
import { duplicateConnection } from '../scheduler/queue.js';

/** One entry of the events stream: `id` is what a consumer resumes from. */
export interface StreamedEvent {
  id: string;
  event: FleetEvent;
}

export interface EventsOptions {
  /**
   * Resume after this stream id (exclusive; `0` = from the oldest retained event). Default: `0`
   * without `follow`, and only events from now on with it (like `tail -f`).
   */
  from?: string;
  /** Keep waiting for new events until `signal` aborts. */
  follow?: boolean;
  signal?: AbortSignal;
  onEvent: (e: StreamedEvent) => void | Promise<void>;
}

export interface EventOps {
  /** Reads the lifecycle events stream (docs/events.md); resolves with the last id seen (or `from`). */
  events(opts: EventsOptions): Promise<{ lastId: string }>;
}

const PAGE = 500;
const FOLLOW_BLOCK_MS = 5_000;
const STREAM_ID = /^\d{1,20}(-\d{1,20})?$/;

type Entry = [string, string[]];

export function eventOps(deps: OpsDeps): EventOps {
  return {
    async events(opts) {
      const redis = deps.redis();
      const key = deps.keys.events;
      if (opts.from !== undefined && !STREAM_ID.test(opts.from)) {
        throw new MeetcapError('invalid_job', `--from must be a stream id such as 1763719200000-0 (or 0), not ${JSON.stringify(opts.from.slice(0, 40))}`, { field: 'from' });
      }
      let lastId = opts.from ?? (opts.follow ? await newestId(redis, key) : '0');
      lastId = await readBacklog(redis, key, lastId, opts);
      if (opts.follow && !opts.signal?.aborted) lastId = await follow(redis, key, lastId, opts);
      return { lastId };
    },
  };
}

/** Everything already in the stream after `from`, in pages. */
async function readBacklog(redis: Redis, key: string, from: string, opts: EventsOptions): Promise<string> {
  let lastId = from;
  for (;;) {
    const start = lastId === '0' ? '-' : `(${lastId}`;
    const page = (await redis.xrange(key, start, '+', 'COUNT', PAGE)) as Entry[];
    lastId = await deliver(page, lastId, opts);
    if (page.length < PAGE || opts.signal?.aborted) return lastId;
  }
}

/** Blocking reads on a connection of its own, which an abort closes to end the wait at once. */
async function follow(redis: Redis, key: string, from: string, opts: EventsOptions): Promise<string> {
  const reader = duplicateConnection(redis);
  const onAbort = (): void => reader.disconnect();
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  let lastId = from;
  try {
    while (!opts.signal?.aborted) {
      let reply: Array<[string, Entry[]]> | null;
      try {
        reply = (await reader.xread('COUNT', PAGE, 'BLOCK', FOLLOW_BLOCK_MS, 'STREAMS', key, lastId)) as Array<[string, Entry[]]> | null;
      } catch (err) {
        if (opts.signal?.aborted) break;
        throw err;
      }
      for (const [, entries] of reply ?? []) lastId = await deliver(entries, lastId, opts);
    }
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
    reader.disconnect();
  }
  return lastId;
}

async function deliver(entries: Entry[], lastId: string, opts: EventsOptions): Promise<string> {
  for (const [id, fields] of entries) {
    lastId = id;
    const event = parseEntry(fields);
    if (event) await opts.onEvent({ id, event });
  }
  return lastId;
}

/** The `event` field's JSON; entries that are not events are skipped (nothing else writes here). */
function parseEntry(fields: string[]): FleetEvent | undefined {
  const i = fields.indexOf('event');
  if (i < 0 || i % 2 !== 0) return undefined;
  try {
    return JSON.parse(fields[i + 1] ?? '') as FleetEvent;
  } catch {
    return undefined;
  }
}

/** The id to follow from when starting "now": the newest entry's, so nothing added meanwhile is missed. */
async function newestId(redis: Redis, key: string): Promise<string> {
  const last = (await redis.xrevrange(key, '+', '-', 'COUNT', 1)) as Entry[];
  return last[0]?.[0] ?? '0-0';
}
