import type { Attached, FleetContext, WorkerEventMap } from './context.js';

/** Lines held while Redis is slow or away; beyond this the oldest are dropped (and counted). */
const MAX_BUFFERED = 10_000;
/** How often the streams of running sessions get their TTL pushed out (a quiet session must not expire). */
const TTL_REFRESH_MS = 60_000;

/**
 * The worker learns the outcome when the session process exits, which can be a moment before the
 * last lines of its stdout pipe are read: the end marker waits this long so they land before it.
 */
const END_GRACE_MS = 500;

type Entry = { sessionId: string; field: 'line' | 'end'; value: string };

/** The JSON an end marker carries: how the session ended. */
export interface LogEnd {
  state: string;
  reason?: string;
}

export interface SessionLogsAttached extends Attached {
  /** Lines dropped since attach (Redis slow or unreachable for long). */
  dropped(): number;
  /** Resolves once every line handed over so far is written (end markers still in their 500 ms grace are not). */
  settled(): Promise<void>;
}

/**
 * Per-session log streams (docs/operations.md, "Logs and retention"): every line a session writes
 * goes to `keys.logs(sessionId)`, capped at ~sessionLogMaxLines while the session runs, closed by
 * an `end` entry and kept sessionLogTtlSec after it. Lines are batched into one pipeline per
 * event-loop turn, with at most one pipeline in flight; Redis trouble costs lines, never the
 * worker (the buffer is bounded, drops are counted and warned about once per outage).
 */
export async function attachSessionLogs(ctx: FleetContext): Promise<SessionLogsAttached> {
  const { keys } = ctx;
  const ttlSec = ctx.config.fleet.sessionLogTtlSec;
  const writer = streamWriter(ctx);
  const ending = new Map<string, { timer: NodeJS.Timeout; entry: Entry }>();
  const endNow = (sessionId: string): void => {
    const pending = ending.get(sessionId);
    if (!pending) return;
    clearTimeout(pending.timer);
    ending.delete(sessionId);
    writer.push(pending.entry);
  };
  const onLog = (l: WorkerEventMap['log']): void => writer.push({ sessionId: l.sessionId, field: 'line', value: l.line });
  const onEnded = (e: WorkerEventMap['session_ended']): void => {
    const end: LogEnd = { state: e.outcome.state, ...(e.outcome.reason ? { reason: e.outcome.reason } : {}) };
    const timer = setTimeout(() => endNow(e.sessionId), END_GRACE_MS);
    timer.unref();
    ending.set(e.sessionId, { timer, entry: { sessionId: e.sessionId, field: 'end', value: JSON.stringify(end) } });
  };
  const refreshTtl = (): void => {
    if (ctx.sessions.size === 0) return;
    const pipe = ctx.redis.pipeline();
    for (const id of ctx.sessions.keys()) pipe.expire(keys.logs(id), ttlSec);
    pipe.exec().catch(() => undefined);
  };
  ctx.events.on('log', onLog);
  ctx.events.on('session_ended', onEnded);
  const timer = setInterval(refreshTtl, Math.min(TTL_REFRESH_MS, (ttlSec * 1000) / 3));
  timer.unref();

  let closing: Promise<void> | undefined;
  return {
    dropped: writer.dropped,
    settled: () => writer.drain(),
    close: () =>
      (closing ??= (async () => {
        clearInterval(timer);
        ctx.events.off('log', onLog);
        ctx.events.off('session_ended', onEnded);
        for (const id of [...ending.keys()]) endNow(id);
        // Write what is buffered, but never hang a shutdown on a dead Redis.
        await waitAtMost(2_000, writer.drain());
      })()),
  };
}

/** The bounded buffer and its pipelined flushes (one in flight at a time, so order is kept). */
function streamWriter(ctx: FleetContext) {
  const { keys } = ctx;
  const { sessionLogMaxLines: maxLines, sessionLogTtlSec: ttlSec } = ctx.config.fleet;
  const log = ctx.log.child({ component: 'session-logs' });
  let buffer: Entry[] = [];
  let flushing: Promise<void> | undefined;
  let scheduled = false;
  let dropped = 0;
  let warned = false;

  const drop = (n: number, why: string): void => {
    dropped += n;
    if (warned || n === 0) return;
    warned = true;
    log.warn({ why, dropped }, 'session log lines dropped: Redis is slow or unreachable (the worker carries on)');
  };
  const flush = async (): Promise<void> => {
    while (buffer.length > 0) {
      const batch = buffer;
      buffer = [];
      const pipe = ctx.redis.pipeline();
      for (const e of batch) pipe.xadd(keys.logs(e.sessionId), 'MAXLEN', '~', maxLines, '*', e.field, e.value);
      for (const id of new Set(batch.map((e) => e.sessionId))) pipe.expire(keys.logs(id), ttlSec);
      try {
        const failed = ((await pipe.exec()) ?? []).filter(([err]) => err).length;
        if (failed > 0) throw new Error(`${failed} log writes failed`);
        if (warned) log.info({ dropped }, 'session log writes recovered');
        warned = false;
      } catch (err) {
        drop(batch.length, (err as Error).message);
      }
    }
  };
  const schedule = (): void => {
    if (scheduled || flushing) return;
    scheduled = true;
    setImmediate(() => {
      scheduled = false;
      flushing = flush().finally(() => {
        flushing = undefined;
        if (buffer.length > 0) schedule();
      });
    });
  };
  return {
    dropped: (): number => dropped,
    push(e: Entry): void {
      buffer.push(e);
      if (buffer.length > MAX_BUFFERED) {
        // Keep end markers: they tell a follower the session is over.
        const excess = buffer.length - MAX_BUFFERED;
        const cut = buffer.slice(0, excess);
        buffer = [...cut.filter((x) => x.field === 'end'), ...buffer.slice(excess)];
        drop(cut.filter((x) => x.field !== 'end').length, 'buffer full');
      }
      schedule();
    },
    async drain(): Promise<void> {
      while (scheduled || flushing || buffer.length > 0) {
        // A scheduled flush starts on the next turn: wait for it there (awaiting nothing would spin in microtasks).
        await (flushing ?? (scheduled ? new Promise<void>((r) => setImmediate(r)) : flush()));
      }
    },
  };
}

function waitAtMost(ms: number, p: Promise<unknown>): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    timer.unref();
    void p.finally(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}
