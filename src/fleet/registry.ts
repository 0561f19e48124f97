import type { Redis } from 'ioredis';
import type { Attached, FleetContext, WorkerEventMap } from './context.js';
import type { FleetKeys } from './keys.js';
import { removeAfterSec, type SessionRecord } from './registry-read.js';

export {
  getSession,
  listSessions,
  listWorkers,
  removeAfterSec,
  resolveSession,
  type ListOptions,
  type RegistryStatus,
  type ResolvedSession,
  type SessionView,
  type WorkerView,
} from './registry-read.js';

export interface RegistryAttached extends Attached {
  /** Runs one heartbeat now (at `ctx.now()`) and resolves once it is written: tests drive time with it. */
  heartbeat(): Promise<void>;
  /** Resolves once every registry write queued so far has landed (or after 2 s). */
  settled(): Promise<void>;
}

/** How many sessions of one meeting are remembered (newest first) for logs and kill by meetingId. */
const MEETING_SESSIONS_KEPT = 20;

/**
 * Removes index members whose heartbeat is older than the cutoff, with their hashes, atomically
 * (a record refreshed between a read and a delete would otherwise be removed while live).
 */
const SWEEP = `
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
for _, id in ipairs(ids) do
  redis.call('DEL', ARGV[2] .. id)
  redis.call('ZREM', KEYS[1], id)
end
return #ids`;

/**
 * The worker's part of the registry (docs/operations.md, "Registry"): one hash per live session
 * and one for the worker itself, refreshed every heartbeatSec, so any CLI anywhere can list the
 * fleet. Records are written from a local copy in full, so a record lost in Redis (restart without
 * AOF) comes back at the next heartbeat; once a session ended it is never written again.
 */
export async function attachRegistry(ctx: FleetContext): Promise<RegistryAttached> {
  const writer = serialWriter(ctx);
  const sessions = sessionRecords(ctx, writer);
  const worker = workerRecord(ctx, writer, sessions.live);
  ctx.events.on('session_started', sessions.onStarted);
  ctx.events.on('state', sessions.onState);
  ctx.events.on('health', sessions.onHealth);
  ctx.events.on('session_ended', sessions.onEnded);
  worker.register();
  const timer = setInterval(worker.beat, ctx.config.fleet.heartbeatSec * 1000);
  timer.unref();

  let closing: Promise<void> | undefined;
  return {
    async heartbeat() {
      await writer.idle();
      worker.beat();
      await writer.idle();
    },
    settled: () => writer.idle(),
    close: () =>
      (closing ??= (async () => {
        clearInterval(timer);
        ctx.events.off('session_started', sessions.onStarted);
        ctx.events.off('state', sessions.onState);
        ctx.events.off('health', sessions.onHealth);
        ctx.events.off('session_ended', sessions.onEnded);
        // Sessions still running here (a close without drain) are left to show as lost.
        worker.unregister();
        await writer.idle();
      })()),
  };
}

type Pipeline = ReturnType<Redis['pipeline']>;
type Writer = ReturnType<typeof serialWriter>;

const isoAt = (ctx: FleetContext): string => new Date(ctx.now()).toISOString();

function writeSession(ctx: FleetContext, pipe: Pipeline, r: SessionRecord): void {
  const key = ctx.keys.session(r.sessionId);
  pipe.hset(key, r).expire(key, removeAfterSec(ctx.config.fleet.lostAfterSec)).zadd(ctx.keys.sessions, Date.parse(r.heartbeatAt), r.sessionId);
}

/** Session records kept from the worker's events. */
function sessionRecords(ctx: FleetContext, writer: Writer) {
  const { keys } = ctx;
  const live = new Map<string, SessionRecord>();
  const update = (sessionId: string, fields: Partial<SessionRecord>): void => {
    const r = live.get(sessionId);
    if (!r) return;
    Object.assign(r, fields, { heartbeatAt: isoAt(ctx) });
    writer.run((pipe) => writeSession(ctx, pipe, r));
  };
  return {
    live,
    onStarted(e: WorkerEventMap['session_started']): void {
      const now = isoAt(ctx);
      const r: SessionRecord = {
        sessionId: e.sessionId, meetingId: e.meetingId, tenantId: e.tenantId, source: e.source, workerId: ctx.workerId,
        host: ctx.host, workerPid: String(ctx.pid), sessionPid: e.pid === undefined ? '' : String(e.pid), state: 'launching',
        platform: e.platform ?? '', startedAt: now, heartbeatAt: now, reason: '', mediaBytes: '0',
      };
      live.set(e.sessionId, r);
      const list = keys.meetingSessions(e.meetingId);
      writer.run((pipe) => {
        writeSession(ctx, pipe, r);
        pipe.lpush(list, e.sessionId).ltrim(list, 0, MEETING_SESSIONS_KEPT - 1).expire(list, ctx.config.fleet.sessionLogTtlSec);
      });
    },
    onState: (s: WorkerEventMap['state']): void =>
      update(s.sessionId, { state: s.state, reason: s.reason ?? '', ...(s.platform ? { platform: s.platform } : {}) }),
    onHealth: (h: WorkerEventMap['health']): void => update(h.sessionId, { state: h.state, mediaBytes: String(h.mediaBytes) }),
    onEnded(e: WorkerEventMap['session_ended']): void {
      live.delete(e.sessionId);
      writer.run((pipe) => pipe.del(keys.session(e.sessionId)).zrem(keys.sessions, e.sessionId));
    },
  };
}

/** The worker's own record, and the heartbeat that refreshes it, its sessions, and sweeps the lost. */
function workerRecord(ctx: FleetContext, writer: Writer, live: ReadonlyMap<string, SessionRecord>) {
  const { keys } = ctx;
  const key = keys.worker(ctx.workerId);
  const ttlSec = removeAfterSec(ctx.config.fleet.lostAfterSec);
  const startedAt = isoAt(ctx);
  const fields = () => ({
    workerId: ctx.workerId, host: ctx.host, pid: String(ctx.pid), startedAt, slots: String(ctx.config.slots),
    sessions: String(ctx.sessions.size), heartbeatAt: isoAt(ctx),
  });
  let beating = false;
  const beat = (): void => {
    // While Redis is unreachable, one queued heartbeat is enough: it rewrites everything when it lands.
    if (beating) return;
    beating = true;
    const now = ctx.now();
    const heartbeatAt = new Date(now).toISOString();
    writer.run((pipe) => {
      for (const id of ctx.sessions.keys()) {
        const r = live.get(id);
        if (r) writeSession(ctx, pipe, Object.assign(r, { heartbeatAt }));
      }
      pipe.hset(key, fields()).expire(key, ttlSec).zadd(keys.workers, now, ctx.workerId);
      sweep(pipe, keys, now - ttlSec * 1000);
    }, () => (beating = false));
  };
  return {
    beat,
    register(): void {
      // `draining` is written once here; `meetcap drain` sets it to 1 (src/control/operator.ts) and heartbeats leave it alone.
      writer.run((pipe) => pipe.hset(key, { ...fields(), draining: '0' }));
      beat();
    },
    unregister(): void {
      writer.run((pipe) => pipe.del(key).zrem(keys.workers, ctx.workerId));
    },
  };
}

function sweep(pipe: Pipeline, keys: FleetKeys, cutoffMs: number): void {
  pipe.eval(SWEEP, 1, keys.sessions, String(cutoffMs), keys.session(''));
  pipe.eval(SWEEP, 1, keys.workers, String(cutoffMs), keys.worker(''));
}

/**
 * Runs pipelines one after another on the worker's connection, so registry writes land in the
 * order the events happened, and never throws: Redis trouble is logged once per outage and the
 * next heartbeat rewrites every record anyway.
 */
function serialWriter(ctx: FleetContext) {
  const log = ctx.log.child({ component: 'registry' });
  let chain: Promise<void> = Promise.resolve();
  let failing = false;
  return {
    run(fill: (pipe: Pipeline) => void, done?: () => void): void {
      chain = chain.then(async () => {
        try {
          const pipe = ctx.redis.pipeline();
          fill(pipe);
          const replies = (await pipe.exec()) ?? [];
          const err = replies.find(([e]) => e)?.[0];
          if (err) throw err;
          if (failing) log.info('registry writes recovered');
          failing = false;
        } catch (err) {
          if (!failing) log.warn({ err: (err as Error).message }, 'registry write failed; records will be rewritten at the next heartbeat');
          failing = true;
        } finally {
          done?.();
        }
      });
    },
    /** Resolves when queued writes landed, or after `maxMs` (a close must not hang on a dead Redis). */
    idle(maxMs = 2_000): Promise<void> {
      return new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, maxMs);
        timer.unref();
        void chain.then(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    },
  };
}
