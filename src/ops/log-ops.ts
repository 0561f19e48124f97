import type { Redis } from 'ioredis';
import { MeetcapError } from '../contracts/index.js';
import { resolveSession } from '../fleet/registry.js';
import type { LogEnd } from '../fleet/session-logs.js';
import type { OpsDeps } from './api.js';
import { requireOperator } from './auth.js';
import { duplicateConnection } from '../scheduler/queue.js';

/** One entry of a session's log stream: the raw pino JSON line the session wrote (already redacted). */
export interface LogLine {
  /** The stream entry id (`<ms>-<seq>`), usable to resume. */
  id: string;
  line: string;
}

export interface LogsOptions {
  /** Keep reading new lines until the session ends or `signal` aborts. */
  follow?: boolean;
  signal?: AbortSignal;
  onLine: (line: LogLine) => void;
  /** How long one blocking read waits before checking the session is still there (default 5 s). */
  blockMs?: number;
}

export interface LogsResult {
  sessionId: string;
  meetingId?: string;
  lines: number;
  /** The session's end marker was read: nothing more will come. */
  ended: boolean;
  end?: LogEnd;
}

export interface LogOps {
  /**
   * A session's log lines from the beginning (lines written before the call included); with
   * `follow`, then live until its end marker or the signal. Needs MEETCAP_CONTROL_SECRET
   * (`control_unauthorized` otherwise, audited); `meeting_not_live` for an id nothing is known of.
   */
  logs(id: string, options: LogsOptions): Promise<LogsResult>;
}

const PAGE = 1_000;

type StreamEntries = Array<[id: string, fields: string[]]>;

export function logOps(deps: OpsDeps): LogOps {
  return {
    async logs(id, options) {
      const redis = deps.redis();
      await requireOperator(redis, deps.keys, deps.config.controlSecret, 'logs', id);
      const resolved = await resolveSession(redis, deps.keys, id, { lostAfterSec: deps.config.fleet.lostAfterSec });
      const key = resolved && deps.keys.logs(resolved.sessionId);
      if (!resolved || !key || (!resolved.session && (await redis.exists(key)) === 0)) {
        throw new MeetcapError('meeting_not_live', `no session logs for ${id}: no such meeting or session, or its logs have expired`, { id });
      }
      const reader = entryReader(options);
      const result: LogsResult = { sessionId: resolved.sessionId, ...(resolved.meetingId ? { meetingId: resolved.meetingId } : {}), lines: 0, ended: false };
      let last = '0-0';
      // Replay without blocking, page by page, on the shared connection.
      for (;;) {
        const page = await readAfter(redis, key, last, []);
        if (page.length === 0) break;
        last = reader(page, result);
        if (page.length < PAGE) break;
      }
      if (options.follow && !result.ended && !options.signal?.aborted) await follow(redis, key, last, reader, result, options, () => sessionGone(deps, resolved.sessionId));
      return result;
    },
  };
}

/** Hands line entries to onLine and records an end marker; returns the last id read. */
function entryReader(options: LogsOptions) {
  return (entries: StreamEntries, result: LogsResult): string => {
    let last = '0-0';
    for (const [id, fields] of entries) {
      last = id;
      for (let i = 0; i + 1 < fields.length; i += 2) {
        if (fields[i] === 'line') {
          result.lines++;
          options.onLine({ id, line: fields[i + 1]! });
        } else if (fields[i] === 'end') {
          result.ended = true;
          result.end = parseEnd(fields[i + 1]!);
        }
      }
    }
    return last;
  };
}

function parseEnd(raw: string): LogEnd {
  try {
    return JSON.parse(raw) as LogEnd;
  } catch {
    return { state: 'unknown' };
  }
}

async function readAfter(redis: Redis, key: string, after: string, block: Array<string | number>): Promise<StreamEntries> {
  const reply = (await redis.xread('COUNT', PAGE, ...(block as ['BLOCK', number]), 'STREAMS', key, after)) as Array<[string, StreamEntries]> | null;
  return reply?.[0]?.[1] ?? [];
}

/**
 * Blocking reads on a connection of its own (a blocked connection can do nothing else, and
 * disconnecting it is how an abort cuts a read short). Ends at the end marker, at the signal, or
 * when a read times out and the session's registry record is gone (its worker died before it
 * could write the marker, and the record has since been cleaned up).
 */
async function follow(
  redis: Redis,
  key: string,
  from: string,
  reader: (entries: StreamEntries, result: LogsResult) => string,
  result: LogsResult,
  options: LogsOptions,
  gone: () => Promise<boolean>,
): Promise<void> {
  const blocking = duplicateConnection(redis);
  const abort = (): void => blocking.disconnect();
  options.signal?.addEventListener('abort', abort, { once: true });
  let last = from;
  try {
    while (!result.ended && !options.signal?.aborted) {
      const entries = await readAfter(blocking, key, last, ['BLOCK', options.blockMs ?? 5_000]);
      if (entries.length > 0) last = reader(entries, result);
      else if (await gone()) break;
    }
  } catch (err) {
    if (!options.signal?.aborted) throw err;
  } finally {
    options.signal?.removeEventListener('abort', abort);
    blocking.disconnect();
  }
}

async function sessionGone(deps: OpsDeps, sessionId: string): Promise<boolean> {
  return (await deps.redis().exists(deps.keys.session(sessionId))) === 0;
}
