import type { MeetingJob } from './job.js';
import type { SessionEvent } from './events.js';

/**
 * Messages between a worker and its `meetcap session` child (Node IPC channel). The session knows
 * nothing of BullMQ; this is its whole interface to the fleet.
 */
export type WorkerToSession =
  | { type: 'start'; sessionId: string; job: MeetingJob }
  | { type: 'stop'; reason: 'stopped_by_operator' | 'worker_draining' };

export type SessionToWorker = { type: 'event'; event: SessionEvent };

export function isSessionToWorker(msg: unknown): msg is SessionToWorker {
  return typeof msg === 'object' && msg !== null && (msg as { type?: unknown }).type === 'event';
}

export function isWorkerToSession(msg: unknown): msg is WorkerToSession {
  const type = (msg as { type?: unknown } | null)?.type;
  return type === 'start' || type === 'stop';
}
