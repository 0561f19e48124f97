import type { SerializedError } from './errors.js';
import type { AnyJob } from './file-job.js';
import type { SessionEvent } from './events.js';
import type { SessionState } from './states.js';

/** Recording commands an operator or the job owner can send to a live session. */
export const CONTROL_COMMANDS = ['pause', 'resume', 'start_recording'] as const;
export type ControlCommand = (typeof CONTROL_COMMANDS)[number];

/** What a session answers to a control command: its state afterwards, or why it could not. */
export type ControlResult = { ok: true; state: SessionState } | { ok: false; error: SerializedError };

/**
 * Messages between a worker and its `meetcap session` child (Node IPC channel). The session knows
 * nothing of BullMQ; this is its whole interface to the fleet.
 */
export type WorkerToSession =
  | { type: 'start'; sessionId: string; job: AnyJob }
  | { type: 'stop'; reason: 'stopped_by_operator' | 'worker_draining' }
  | { type: 'control'; requestId: string; command: ControlCommand };

export type SessionToWorker =
  | { type: 'event'; event: SessionEvent }
  | { type: 'control_result'; requestId: string; result: ControlResult };

export function isSessionToWorker(msg: unknown): msg is SessionToWorker {
  const type = (msg as { type?: unknown } | null)?.type;
  return type === 'event' || type === 'control_result';
}

export function isWorkerToSession(msg: unknown): msg is WorkerToSession {
  const type = (msg as { type?: unknown } | null)?.type;
  return type === 'start' || type === 'stop' || type === 'control';
}
