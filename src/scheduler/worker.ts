import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { hostname } from 'node:os';
import { Worker } from 'bullmq';
import type { Logger } from 'pino';
import type { Config } from '../config/index.js';
import { startControlListener } from '../control/listener.js';
import type { AnyJob, SessionOutcome } from '../contracts/index.js';
import type { TypedEmitter, WorkerEventMap } from '../fleet/context.js';
import { attachFleet } from '../fleet/index.js';
import { fleetKeys } from '../fleet/keys.js';
import { publishOperatorVerifier } from '../ops/auth.js';
import { createStorage, storageConfigFromEnv, type Storage } from '../media/storage/index.js';
import type { RunningSession } from './launcher.js';
import { meetingClaims } from './meeting-claim.js';
import { meetingProcessor } from './processor.js';
import { sweepSpools } from './recovery.js';
import { spareSession } from './spare.js';
import { QUEUE_NAME, redisConnection } from './queue.js';

export interface WorkerOptions {
  config: Config;
  log: Logger;
  /** Extra environment for session processes (tests pass storage and sandbox settings). */
  sessionEnv?: NodeJS.ProcessEnv;
  /** Where session log lines go; defaults to this process's stdout (the fleet's collector). */
  onLogLine?: (line: string) => void;
  /** Called once a drain (`drain()` or an operator's `meetcap drain`) has finished: `meetcap worker` exits then. */
  onDrained?: () => void;
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

  const keys = fleetKeys(config.queuePrefix);
  // Wait at least a whole claim lifetime (3 heartbeats) for a dead worker's claim to lapse.
  const maxWaitSec = Math.max(config.fleet.lostAfterSec * 2, config.fleet.heartbeatSec * 3 + 10);
  const claims = meetingClaims({ redis: connection, keys, workerId, heartbeatSec: config.fleet.heartbeatSec, maxWaitSec, log });
  let closing: Promise<void> | undefined;
  const spare = config.spareSession ? spareSession({ env: opts.sessionEnv, log }) : undefined;
  const processor = meetingProcessor({ config, log, events, sessions, claims, storage, sessionEnv: opts.sessionEnv, spare, writeLine, closing: () => closing !== undefined });
  const lockMs = config.fleet.leaseLockSec * 1000;
  const worker = new Worker<AnyJob, SessionOutcome, string>(
    QUEUE_NAME,
    processor,
    {
      connection,
      prefix: config.queuePrefix,
      concurrency: config.slots,
      // Renewed every lockDuration/2 by this (media-free) process for as long as the session runs.
      // A dead worker's lease lapses within lockDuration and the stalled check (every
      // lockDuration/2, run by every worker) puts the meeting back: taken over within 1.5x.
      lockDuration: lockMs,
      stalledInterval: lockMs / 2,
      // Each stall is a worker lost mid-meeting; a meeting survives a few of those.
      maxStalledCount: 3,
    },
  );
  worker.on('error', (err) => log.error({ err }, 'worker error'));
  worker.on('locksRenewed', ({ jobIds }) => events.emit('lease', { kind: 'renewed', jobIds }));
  worker.on('lockRenewalFailed', (jobIds) => events.emit('lease', { kind: 'renewal_failed', jobIds }));
  // close() without stopping sessions: BullMQ stops fetching and waits for the active jobs.
  let draining: Promise<void> | undefined;
  const drain = (): Promise<void> => {
    spare?.close(); // a draining worker leases nothing more
    return (draining ??= worker.close().then(() => opts.onDrained?.()));
  };
  const control = await startControlListener({
    redis: connection, queuePrefix: config.queuePrefix, secret: config.controlSecret, log, sessions: () => sessions.values(),
    worker: { id: workerId, stopGraceSec: config.sessionStopGraceSec, drain },
  });
  await publishOperatorVerifier(connection, keys, config.controlSecret);
  const fleet = await attachFleet({ config, redis: connection, keys, log, workerId, host, pid: process.pid, events, sessions, now: Date.now });
  await worker.waitUntilReady();
  log.info({ workerId, slots: config.slots, prefix: config.queuePrefix }, 'worker ready');
  if (storage) sweepInBackground(storage, new Set(sessions.keys()), log);

  return {
    workerId,
    events,
    sessions,
    endpoints: fleet.endpoints ?? {},
    drain,
    close() {
      closing ??= (async () => {
        spare?.close();
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
