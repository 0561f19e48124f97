import type { SerializedError } from './errors.js';
import type { AnyJob } from './file-job.js';
import type { SessionEvent } from './events.js';
import type { SessionState } from './states.js';

/** An earlier session of the same meeting (crash takeover, browser restart). */
export interface PreviousSession {
  sessionId: string;
  /** When a worker leased the meeting for it (ISO-8601). */
  leasedAt: string;
}

/** Recording commands an operator or the job owner can send to a live session. */
export const CONTROL_COMMANDS = ['pause', 'resume', 'start_recording'] as const;
export type ControlCommand = (typeof CONTROL_COMMANDS)[number];

/** What a session answers to a control command: its state afterwards, or why it could not. */
export type ControlResult = { ok: true; state: SessionState } | { ok: false; error: SerializedError };

/** Why a worker asks its session to stop (each is also the outcome's reason). */
export type StopReason = 'stopped_by_operator' | 'worker_draining' | 'stuck_session_killed' | 'worker_lost';

/**
 * A session's periodic report to its worker (every HEALTH_INTERVAL_MS): what the registry shows,
 * what the stuck watchdog and the metrics read. Counters are totals since the session started.
 */
export interface SessionHealth {
  at: string;
  state: SessionState;
  /** Media bytes the page has handed over so far (0 before recording). */
  mediaBytes: number;
  /** Bytes captured but not yet acknowledged by storage (the upload's backlog). */
  uploadBacklogBytes: number;
  /** Last time the browser answered a probe (absent before it was launched). */
  browserRespondedAt?: string;
}

export const HEALTH_INTERVAL_MS = 5_000;

/**
 * Messages between a worker and its `meetcap session` child (Node IPC channel). The session knows
 * nothing of BullMQ; this is its whole interface to the fleet.
 */
export type WorkerToSession =
  | { type: 'start'; sessionId: string; job: AnyJob; previousSessions?: PreviousSession[] }
  | { type: 'stop'; reason: StopReason }
  | { type: 'control'; requestId: string; command: ControlCommand }
  | { type: 'screenshot'; requestId: string };

export type SessionToWorker =
  /** Loaded and listening: a spare started ahead of a lease can be handed its job at once. */
  | { type: 'ready' }
  | { type: 'event'; event: SessionEvent }
  | { type: 'control_result'; requestId: string; result: ControlResult }
  | { type: 'health'; health: SessionHealth }
  | { type: 'screenshot_result'; requestId: string; result: { ok: true; pngBase64: string } | { ok: false; error: SerializedError } };

export function isSessionToWorker(msg: unknown): msg is SessionToWorker {
  const type = (msg as { type?: unknown } | null)?.type;
  return type === 'ready' || type === 'event' || type === 'control_result' || type === 'health' || type === 'screenshot_result';
}

export function isWorkerToSession(msg: unknown): msg is WorkerToSession {
  const type = (msg as { type?: unknown } | null)?.type;
  return type === 'start' || type === 'stop' || type === 'control' || type === 'screenshot';
}
