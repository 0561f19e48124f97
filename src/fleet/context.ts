import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Config } from '../config/index.js';
import type { PlatformId, SessionEventMap, SessionHealth, SessionOutcome } from '../contracts/index.js';
import type { RunningSession } from '../scheduler/launcher.js';
import type { FleetKeys } from './keys.js';

/** What one worker reports about itself and its sessions, as a typed event map. */
export interface WorkerEventMap extends SessionEventMap {
  /** A lease became a session process. `dueAt`: when the meeting was due to be leased. */
  session_started: {
    sessionId: string;
    meetingId: string;
    tenantId: string;
    source: 'meeting' | 'file';
    platform?: PlatformId;
    jobId: string;
    pid?: number;
    dueAt: string;
    leasedAt: string;
    /** A job refused when leased: no session process ran; only its failed outcome follows. */
    refused?: true;
  };
  /** The session process is gone and its outcome is known (also after a crash). */
  session_ended: { sessionId: string; meetingId: string; outcome: SessionOutcome };
  /** The session's periodic health report (every HEALTH_INTERVAL_MS). */
  health: SessionHealth & { sessionId: string; meetingId: string };
  /** One pino JSON line the session wrote (already redacted, carries sessionId and meetingId). */
  log: { sessionId: string; meetingId: string; line: string };
  /** BullMQ lock renewals of this worker's leases. */
  lease: { kind: 'renewed' | 'renewal_failed'; jobIds: string[] };
}

export interface TypedEmitter<M> {
  on<K extends keyof M & string>(event: K, listener: (data: M[K]) => void): this;
  off<K extends keyof M & string>(event: K, listener: (data: M[K]) => void): this;
  emit<K extends keyof M & string>(event: K, data: M[K]): boolean;
}

/** Everything a fleet feature (registry, logs, events, metrics) gets from the worker it runs in. */
export interface FleetContext {
  config: Config;
  /** The worker's command connection (not for blocking reads or SUBSCRIBE: duplicate() for those). */
  redis: Redis;
  keys: FleetKeys;
  log: Logger;
  /** Stable for the process: `<host>:<pid>:<random>`. */
  workerId: string;
  host: string;
  pid: number;
  events: TypedEmitter<WorkerEventMap>;
  sessions: ReadonlyMap<string, RunningSession>;
  now: () => number;
}

/** A feature attached to a worker; close() is idempotent and runs in reverse attach order. */
export interface Attached {
  close(): Promise<void>;
  /** URLs the feature serves (e.g. `metrics: http://127.0.0.1:9464/metrics`), shown by the worker. */
  endpoints?: Record<string, string>;
}
