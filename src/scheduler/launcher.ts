import { fork, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import {
  isSessionToWorker,
  type MeetingJob,
  type SessionEvent,
  type SessionOutcome,
  type WorkerToSession,
} from '../contracts/index.js';

const CLI = fileURLToPath(new URL('../../bin/meetcap.js', import.meta.url));

export interface LaunchOptions {
  sessionId: string;
  job: MeetingJob;
  log: Logger;
  env?: NodeJS.ProcessEnv;
  onEvent: (event: SessionEvent) => void;
  /** Every log line the session writes (pino JSON, already carrying sessionId and meetingId). */
  onLogLine: (line: string) => void;
  /** SIGINT first (the session leaves and finalizes), SIGKILL after this many ms. */
  stopGraceMs: number;
}

export interface RunningSession {
  readonly sessionId: string;
  readonly pid: number | undefined;
  /** Resolves with the session's outcome; a crash without one becomes `session_crashed`. */
  readonly outcome: Promise<SessionOutcome>;
  /** Asks the session to leave and finalize; kills it if it has not exited after the grace period. */
  stop(reason: 'stopped_by_operator' | 'worker_draining'): void;
}

/**
 * Runs one meeting in its own `meetcap session` process. The worker's event loop stays free of
 * media work, so BullMQ lock renewal never starves even through a 10-hour meeting.
 */
export function launchSession(opts: LaunchOptions): RunningSession {
  const child = fork(CLI, ['session'], {
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
  child.on('message', (msg) => {
    if (!isSessionToWorker(msg) || msg.type !== 'event') return;
    if (msg.event.type === 'outcome') outcome = msg.event.data;
    opts.onEvent(msg.event);
  });
  send(child, { type: 'start', sessionId: opts.sessionId, job: opts.job });

  const done = new Promise<SessionOutcome>((resolve) => {
    child.once('exit', (code, signal) => {
      if (outcome) return resolve(outcome);
      opts.log.error({ code, signal, stderr: stderrTail }, 'session exited without an outcome');
      const crashed: SessionOutcome = {
        meetingId: opts.job.meetingId,
        sessionId: opts.sessionId,
        state: 'failed',
        reason: 'session_crashed',
        error: {
          code: 'session_crashed',
          message: `session process exited (code ${code}, signal ${signal}) without an outcome`,
          fault: 'us',
          retryable: true,
          details: {},
        },
      };
      opts.onEvent({ type: 'outcome', data: crashed });
      resolve(crashed);
    });
  });

  let stopping = false;
  return {
    sessionId: opts.sessionId,
    pid: child.pid,
    outcome: done,
    stop(reason) {
      if (stopping || child.exitCode !== null) return;
      stopping = true;
      send(child, { type: 'stop', reason });
      const timer = setTimeout(() => child.kill('SIGKILL'), opts.stopGraceMs);
      timer.unref();
      void done.then(() => clearTimeout(timer));
    },
  };
}

/** A child that is exiting can close its channel between the check and the write; that is not an error here. */
function send(child: ChildProcess, msg: WorkerToSession): void {
  if (child.connected) child.send(msg, (err) => void err);
}
