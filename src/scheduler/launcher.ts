import { fork, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import {
  isSessionToWorker,
  MeetcapError,
  type ControlCommand,
  type ControlResult,
  type AnyJob,
  type SessionEvent,
  type SessionHealth,
  type SessionOutcome,
  type SessionToWorker,
  type StopReason,
  type WorkerToSession,
} from '../contracts/index.js';

const CLI = fileURLToPath(new URL('../../bin/meetcap.js', import.meta.url));

export interface LaunchOptions {
  sessionId: string;
  job: AnyJob;
  log: Logger;
  env?: NodeJS.ProcessEnv;
  onEvent: (event: SessionEvent) => void;
  /** The session's periodic health report. */
  onHealth?: (health: SessionHealth) => void;
  /** Every log line the session writes (pino JSON, already carrying sessionId and meetingId). */
  onLogLine: (line: string) => void;
  /** After a crash (exit without an outcome): completes what the session spooled, if anything. */
  recover?: () => Promise<SessionOutcome | undefined>;
  /** SIGINT first (the session leaves and finalizes), SIGKILL after this many ms. */
  stopGraceMs: number;
}

export interface RunningSession {
  readonly sessionId: string;
  readonly meetingId: string;
  readonly pid: number | undefined;
  /** Resolves with the session's outcome; a crash without one becomes `session_crashed`. */
  readonly outcome: Promise<SessionOutcome>;
  /** Asks the session to leave and finalize; kills it if it has not exited after the grace period. */
  stop(reason: StopReason): void;
  /** Hard kill of the session's process group now (the crash path then finalizes from the spool). */
  kill(): void;
  /** A PNG of what the bot sees now; `internal_error` if the session does not answer in time. */
  screenshot(requestId: string, timeoutMs: number): Promise<Buffer>;
  /**
   * Forwards a recording-control command and resolves with the session's answer. Never rejects:
   * no answer within `timeoutMs` is `internal_error`, a session that exits first `meeting_not_live`.
   */
  control(requestId: string, command: ControlCommand, timeoutMs: number): Promise<ControlResult>;
}

/**
 * Runs one meeting in its own `meetcap session` process. The worker's event loop stays free of
 * media work, so BullMQ lock renewal never starves even through a 10-hour meeting.
 */
export function launchSession(opts: LaunchOptions): RunningSession {
  // Its own process group: if the session dies, its Chromium and ffmpeg are ended with it.
  const child = fork(CLI, ['session'], {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    env: { ...process.env, ...opts.env },
    serialization: 'json',
  });
  let outcome: SessionOutcome | undefined;
  let stderrTail = '';
  createInterface({ input: child.stdout! }).on('line', opts.onLogLine);
  child.stderr!.on('data', (d: Buffer) => {
    stderrTail = (stderrTail + d.toString()).slice(-4_000);
  });
  const controls = controlReplies();
  const shots = new Map<string, (r: Extract<SessionToWorker, { type: 'screenshot_result' }>['result']) => void>();
  child.on('message', (msg) => {
    if (!isSessionToWorker(msg)) return;
    if (msg.type === 'control_result') return controls.answer(msg.requestId, msg.result);
    if (msg.type === 'health') return opts.onHealth?.(msg.health);
    if (msg.type === 'screenshot_result') return shots.get(msg.requestId)?.(msg.result);
    if (msg.event.type === 'outcome') outcome = msg.event.data;
    opts.onEvent(msg.event);
  });
  send(child, { type: 'start', sessionId: opts.sessionId, job: opts.job });

  const done = new Promise<SessionOutcome>((resolve) => {
    child.once('exit', async (code, signal) => {
      controls.closeAll();
      for (const settle of [...shots.values()]) settle({ ok: false, error: sessionGone().error });
      if (outcome) return resolve(outcome);
      opts.log.error({ code, signal, stderr: stderrTail }, 'session exited without an outcome');
      killGroup(child.pid);
      const crashed = (await opts.recover?.().catch(() => undefined)) ?? crashOutcome(opts, `code ${code}, signal ${signal}`);
      opts.onEvent({ type: 'outcome', data: crashed });
      resolve(crashed);
    });
  });

  let stopping = false;
  return {
    sessionId: opts.sessionId,
    meetingId: opts.job.meetingId,
    pid: child.pid,
    outcome: done,
    stop(reason) {
      if (stopping || child.exitCode !== null) return;
      stopping = true;
      send(child, { type: 'stop', reason });
      const timer = setTimeout(() => killGroup(child.pid), opts.stopGraceMs);
      timer.unref();
      void done.then(() => clearTimeout(timer));
    },
    kill() {
      killGroup(child.pid);
    },
    screenshot(requestId, timeoutMs) {
      if (child.exitCode !== null || child.signalCode !== null || !child.connected) return Promise.reject(new MeetcapError('meeting_not_live', 'the session has ended'));
      return new Promise<Buffer>((resolve, reject) => {
        const timer = setTimeout(() => settle({ ok: false, error: new MeetcapError('internal_error', `no screenshot within ${timeoutMs} ms`).toJSON() }), timeoutMs);
        const settle = (r: Extract<SessionToWorker, { type: 'screenshot_result' }>['result']): void => {
          clearTimeout(timer);
          shots.delete(requestId);
          if (r.ok) resolve(Buffer.from(r.pngBase64, 'base64'));
          else reject(new MeetcapError(r.error.code, r.error.message, r.error.details));
        };
        shots.set(requestId, settle);
        send(child, { type: 'screenshot', requestId });
      });
    },
    control(requestId, command, timeoutMs) {
      if (child.exitCode !== null || child.signalCode !== null || !child.connected) return Promise.resolve(sessionGone());
      const answer = controls.await(requestId, timeoutMs);
      send(child, { type: 'control', requestId, command });
      return answer;
    },
  };
}

const sessionGone = (): Extract<ControlResult, { ok: false }> => ({ ok: false, error: new MeetcapError('meeting_not_live', 'the session has ended').toJSON() });

/** Pending control commands of one session, each settled exactly once (answer, timeout or exit). */
function controlReplies() {
  const pending = new Map<string, (r: ControlResult) => void>();
  return {
    await(requestId: string, timeoutMs: number): Promise<ControlResult> {
      return new Promise<ControlResult>((resolve) => {
        const timer = setTimeout(() => {
          const error = new MeetcapError('internal_error', `the session did not answer the control command within ${timeoutMs} ms`);
          settle({ ok: false, error: error.toJSON() });
        }, timeoutMs);
        const settle = (r: ControlResult): void => {
          clearTimeout(timer);
          pending.delete(requestId);
          resolve(r);
        };
        pending.set(requestId, settle);
      });
    },
    answer(requestId: string, result: ControlResult): void {
      pending.get(requestId)?.(result);
    },
    closeAll(): void {
      for (const settle of [...pending.values()]) settle(sessionGone());
    },
  };
}

function crashOutcome(opts: LaunchOptions, exit: string): SessionOutcome {
  return {
    meetingId: opts.job.meetingId,
    sessionId: opts.sessionId,
    state: 'failed',
    reason: 'session_crashed',
    error: {
      code: 'session_crashed',
      message: `session process exited (${exit}) without an outcome`,
      fault: 'us',
      retryable: true,
      details: {},
    },
  };
}

/** SIGKILL to the session's process group (the session, its Chromium, its ffmpeg). */
function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}

/** A child that is exiting can close its channel between the check and the write; that is not an error here. */
function send(child: ChildProcess, msg: WorkerToSession): void {
  if (child.connected) child.send(msg, (err) => void err);
}
