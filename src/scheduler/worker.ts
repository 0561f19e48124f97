import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { hostname } from 'node:os';
import { UnrecoverableError, Worker } from 'bullmq';
import type { Logger } from 'pino';
import type { Config } from '../config/index.js';
import { startControlListener } from '../control/listener.js';
import { REASONS, type AnyJob, type SessionOutcome } from '../contracts/index.js';
import type { TypedEmitter, WorkerEventMap } from '../fleet/context.js';
import { attachFleet } from '../fleet/index.js';
import { fleetKeys } from '../fleet/keys.js';
import { publishOperatorVerifier } from '../ops/auth.js';
import { createStorage, storageConfigFromEnv, type Storage } from '../media/storage/index.js';
import { launchSession, type RunningSession } from './launcher.js';
import { recoverCrashedSession, sweepSpools } from './recovery.js';
import { QUEUE_NAME, redisConnection } from './queue.js';

export interface WorkerOptions {
  config: Config;
  log: Logger;
  /** Extra environment for session processes (tests pass storage and sandbox settings). */
  sessionEnv?: NodeJS.ProcessEnv;
  /** Where session log lines go; defaults to this process's stdout (the fleet's collector). */
  onLogLine?: (line: string) => void;
}

export interface MeetcapWorker {
  /** `<host>:<pid>:<random>`, as the registry shows it. */
  readonly workerId: string;
  /** Typed lifecycle events of every session this worker runs. */
  readonly events: TypedEmitter<WorkerEventMap>;
  readonly sessions: ReadonlyMap<string, RunningSession>;
  /** What the worker serves, e.g. `metrics` -> its /metrics URL. */
  readonly endpoints: Readonly<Record<string, string>>;
  /** Stops leasing; resolves once the running sessions have ended on their own. Idempotent. */
  drain(): Promise<void>;
  /** Stops leasing, asks running sessions to finish, waits for them. Idempotent. */
  close(): Promise<void>;
}

export type { TypedEmitter } from '../fleet/context.js';

/** Leases due meetings (up to `config.slots` at once) and runs each as a session child process. */
export async function startWorker(opts: WorkerOptions): Promise<MeetcapWorker> {
  const { config, log } = opts;
  const events = new EventEmitter() as unknown as TypedEmitter<WorkerEventMap>;
  const sessions = new Map<string, RunningSession>();
  const connection = redisConnection(config);
  const writeLine = opts.onLogLine ?? ((line: string) => process.stdout.write(`${line}\n`));
  const storage = recoveryStorage(opts.sessionEnv, log);
  const host = hostname();
  const workerId = `${host}:${process.pid}:${randomUUID().slice(0, 8)}`;

  const worker = new Worker<AnyJob, SessionOutcome, string>(
    QUEUE_NAME,
    async (job) => {
      const sessionId = `ses_${randomUUID()}`;
      const { meetingId } = job.data;
      const slog = log.child({ sessionId, meetingId });
      slog.info({ jobId: job.id }, 'leased meeting; starting session');
      const session = launchSession({
        sessionId,
        job: job.data,
        log: slog,
        env: opts.sessionEnv,
        onEvent: (event) => events.emit(event.type, event.data as never),
        onHealth: (health) => events.emit('health', { ...health, sessionId, meetingId }),
        onLogLine: (line) => {
          writeLine(line);
          events.emit('log', { sessionId, meetingId, line });
        },
        stopGraceMs: config.sessionStopGraceSec * 1000,
        recover: async () => (storage ? recoverCrashedSession({ sessionId, meetingId: job.data.meetingId }, job.data.limits.minDurationSec, storage, slog) : undefined),
      });
      sessions.set(sessionId, session);
      const dueAt = new Date(job.timestamp + (job.delay ?? 0)).toISOString();
      const source = job.data.source === 'file' ? 'file' : 'meeting';
      events.emit('session_started', { sessionId, meetingId, tenantId: job.data.tenantId, source, jobId: job.id ?? '', pid: session.pid, dueAt, leasedAt: new Date().toISOString() });
      try {
        const outcome = await session.outcome;
        events.emit('session_ended', { sessionId, meetingId, outcome });
        slog.info({ state: outcome.state, reason: outcome.reason }, 'session finished');
        if (outcome.state !== 'failed') return outcome;
        const reason = outcome.reason ?? 'internal_error';
        const message = `${reason}: ${outcome.error?.message ?? REASONS[reason].summary}`;
        throw REASONS[reason].retryable ? new Error(message) : new UnrecoverableError(message);
      } finally {
        sessions.delete(sessionId);
      }
    },
    {
      connection,
      prefix: config.queuePrefix,
      concurrency: config.slots,
      // Renewed every lockDuration/2 by this (media-free) process for as long as the session runs.
      lockDuration: 60_000,
      maxStalledCount: 1,
    },
  );
  worker.on('error', (err) => log.error({ err }, 'worker error'));
  worker.on('locksRenewed', ({ jobIds }) => events.emit('lease', { kind: 'renewed', jobIds }));
  worker.on('lockRenewalFailed', (jobIds) => events.emit('lease', { kind: 'renewal_failed', jobIds }));
  const control = await startControlListener({
    redis: connection,
    queuePrefix: config.queuePrefix,
    secret: config.controlSecret,
    log,
    sessions: () => sessions.values(),
  });
  const keys = fleetKeys(config.queuePrefix);
  await publishOperatorVerifier(connection, keys, config.controlSecret);
  const fleet = await attachFleet({
    config,
    redis: connection,
    keys,
    log,
    workerId,
    host,
    pid: process.pid,
    events,
    sessions,
    now: Date.now,
  });
  await worker.waitUntilReady();
  log.info({ workerId, slots: config.slots, prefix: config.queuePrefix }, 'worker ready');
  if (storage) sweepInBackground(storage, new Set(sessions.keys()), log);

  let draining: Promise<void> | undefined;
  let closing: Promise<void> | undefined;
  return {
    workerId,
    events,
    sessions,
    endpoints: fleet.endpoints ?? {},
    drain() {
      // close() without stopping sessions: BullMQ stops fetching and waits for the active jobs.
      draining ??= worker.close();
      return draining;
    },
    close() {
      closing ??= (async () => {
        for (const s of sessions.values()) s.stop('worker_draining');
        await worker.close();
        await fleet.close();
        await control.close();
        await connection.quit().catch(() => undefined);
      })();
      return closing;
    },
  };
}

function sweepInBackground(storage: Storage, running: ReadonlySet<string>, log: Logger): void {
  void sweepSpools(storage, running, log).then(
    (n) => n > 0 && log.warn({ recovered: n }, 'completed recordings left by sessions of an earlier worker process'),
    (err: unknown) => log.error({ err }, 'spool sweep failed'),
  );
}

/** The storage sessions write to (same environment), for finishing what crashed sessions spooled. */
function recoveryStorage(sessionEnv: NodeJS.ProcessEnv | undefined, log: Logger): Storage | undefined {
  try {
    return createStorage(storageConfigFromEnv({ ...process.env, ...sessionEnv }));
  } catch (err) {
    log.warn({ err: (err as Error).message }, 'no storage for crash recovery');
    return undefined;
  }
}

/**
 * Follows one meeting: `onState` sees its state events until its outcome, which the promise
 * resolves with; the listeners are removed then.
 */
export function followMeeting(
  events: MeetcapWorker['events'],
  meetingId: string,
  onState: (s: WorkerEventMap['state']) => void,
): Promise<SessionOutcome> {
  const stateListener = (s: WorkerEventMap['state']): void => {
    if (s.meetingId === meetingId) onState(s);
  };
  events.on('state', stateListener);
  return new Promise<SessionOutcome>((resolve) => {
    const onOutcome = (o: SessionOutcome): void => {
      if (o.meetingId !== meetingId) return;
      events.off('outcome', onOutcome);
      events.off('state', stateListener);
      resolve(o);
    };
    events.on('outcome', onOutcome);
  });
}
