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
  type PreviousSession,
  type ReasonCode,
  type SessionEvent,
  type SessionHealth,
  type SessionOutcome,
  type SessionToWorker,
  type StopReason,
  type WorkerToSession,
} from '../contracts/index.js';
import { descendants, killAll } from './process-tree.js';
import { removeProfileDirs } from './profile-cleanup.js';

const CLI = fileURLToPath(new URL('../../bin/meetcap.js', import.meta.url));

export interface LaunchOptions {
  sessionId: string;
  job: AnyJob;
  /** Earlier sessions of the same meeting: this one continues its recording as a new part. */
  previousSessions?: PreviousSession[];
  log: Logger;
  env?: NodeJS.ProcessEnv;
  onEvent: (event: SessionEvent) => void;
  /** The session's periodic health report. */
  onHealth?: (health: SessionHealth) => void;
  /** Every log line the session writes (pino JSON, already carrying sessionId and meetingId). */
  onLogLine: (line: string) => void;
  /**
   * After an exit without an outcome: completes what the session spooled, if anything. `reason`
   * is session_crashed for a genuine crash, or the stop reason when the worker killed it.
   */
  recover?: (reason: ReasonCode) => Promise<SessionOutcome | undefined>;
  /** SIGINT first (the session leaves and finalizes), SIGKILL after this many ms. */
  stopGraceMs: number;
  /** A session process started ahead of the lease with the same `env` (spare.ts); forked now when absent. */
  process?: ChildProcess;
}

export interface RunningSession {
  readonly sessionId: string;
  readonly meetingId: string;
  readonly pid: number | undefined;
  readonly job: AnyJob;
  /** Why the worker asked it to stop (or killed it), once it did. */
  readonly stopReason: StopReason | undefined;
  /**
   * Resolves with the session's outcome. An exit without one is finalized from the spool: its
   * reason is the stop reason when the worker killed it (grace expired, stuck), else session_crashed.
   */
  readonly outcome: Promise<SessionOutcome>;
  /** Asks the session to leave and finalize; kills it if it has not exited after the grace period. */
  stop(reason: StopReason): void;
  /** Hard kill of the session now, Chromium included (finalized from the spool, with `reason`). */
  kill(reason?: StopReason): void;
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
  const child = opts.process ?? forkSessionProcess(opts.env);
  let outcome: SessionOutcome | undefined;
  let stderrTail = '';
  createInterface({ input: child.stdout! }).on('line', opts.onLogLine);
  child.stderr!.on('data', (d: Buffer) => {
    stderrTail = (stderrTail + d.toString()).slice(-4_000);
  });
  const controls = controlReplies();
  const shots = screenshotReplies();
  child.on('message', (msg) => {
    if (!isSessionToWorker(msg) || msg.type === 'ready') return;
    if (msg.type === 'control_result') return controls.answer(msg.requestId, msg.result);
    if (msg.type === 'health') return opts.onHealth?.(msg.health);
    if (msg.type === 'screenshot_result') return shots.answer(msg.requestId, msg.result);
    if (msg.event.type === 'outcome') outcome = msg.event.data;
    opts.onEvent(msg.event);
  });
  send(child, { type: 'start', sessionId: opts.sessionId, job: opts.job, ...(opts.previousSessions?.length ? { previousSessions: opts.previousSessions } : {}) });

  // Set when the worker stops or kills the session: an exit without an outcome then carries it.
  let stopReason: StopReason | undefined;
  const done = whenEnded(child, opts, {
    outcome: () => outcome,
    stopReason: () => stopReason,
    stderr: () => stderrTail,
    onExit: () => {
      controls.closeAll();
      shots.closeAll();
    },
  });

  const exited = (): boolean => child.exitCode !== null || child.signalCode !== null;
  return {
    sessionId: opts.sessionId,
    meetingId: opts.job.meetingId,
    pid: child.pid,
    job: opts.job,
    get stopReason() {
      return stopReason;
    },
    outcome: done,
    stop(reason) {
      if (stopReason || exited()) return;
      stopReason = reason;
      send(child, { type: 'stop', reason });
      const timer = setTimeout(() => killTree(child.pid), opts.stopGraceMs);
      timer.unref();
      void done.then(() => clearTimeout(timer));
    },
    kill(reason = 'stopped_by_operator') {
      if (exited()) return;
      stopReason ??= reason;
      killTree(child.pid);
    },
    screenshot(requestId, timeoutMs) {
      if (exited() || !child.connected) return Promise.reject(new MeetcapError('meeting_not_live', 'the session has ended'));
      const shot = shots.await(requestId, timeoutMs);
      send(child, { type: 'screenshot', requestId });
      return shot;
    },
    control(requestId, command, timeoutMs) {
      if (exited() || !child.connected) return Promise.resolve(sessionGone());
      const answer = controls.await(requestId, timeoutMs);
      send(child, { type: 'control', requestId, command });
      return answer;
    },
  };
}

/**
 * A `meetcap session` process waiting for its job on the IPC channel. Its own process group: if
 * the session dies, its Chromium and ffmpeg are ended with it.
 */
export function forkSessionProcess(env?: NodeJS.ProcessEnv): ChildProcess {
  return fork(CLI, ['session'], { detached: true, stdio: ['ignore', 'pipe', 'pipe', 'ipc'], env: { ...process.env, ...env }, serialization: 'json' });
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

/** The session's outcome once its process is gone: its own, or one made up from how it ended. */
function whenEnded(
  child: ChildProcess,
  opts: LaunchOptions,
  state: { outcome(): SessionOutcome | undefined; stopReason(): StopReason | undefined; stderr(): string; onExit(): void },
): Promise<SessionOutcome> {
  return new Promise<SessionOutcome>((resolve) => {
    child.once('exit', (code, signal) => {
      state.onExit();
      const own = state.outcome();
      const exit = `code ${code}, signal ${signal}`;
      void (async () => {
        // A session that finished closed its browser and removed the profile; a killed one could not.
        const left = await removeProfileDirs(opts.sessionId).catch((err: unknown) => opts.log.warn({ err }, 'removing the session\'s browser profile failed'));
        if (left) opts.log.info({ profiles: left }, 'removed the browser profile the session left behind');
        resolve(own ?? (await outcomeAfterExit(opts, child.pid, state.stopReason(), exit, state.stderr())));
      })();
    });
    // fork() itself can fail (EAGAIN, ENOMEM on a full box): no process, so no 'exit' either.
    child.once('error', (err) => {
      if (child.pid !== undefined) return opts.log.warn({ err: err.message }, 'session process error');
      opts.log.error({ err: err.message }, 'could not start the session process');
      resolve(crashOutcome(opts, 'session_crashed', `spawn failed: ${err.message}`));
    });
  });
}

/**
 * The session exited without sending its outcome: finalized from its spool by `recover`, with the
 * stop reason when the worker killed it (grace expired, stuck) and session_crashed otherwise.
 */
async function outcomeAfterExit(opts: LaunchOptions, pid: number | undefined, stopReason: StopReason | undefined, exit: string, stderr: string): Promise<SessionOutcome> {
  const reason: ReasonCode = stopReason ?? 'session_crashed';
  if (stopReason) opts.log.warn({ exit, reason }, 'session killed before it finalized; finalizing from its spool');
  else opts.log.error({ exit, stderr }, 'session exited without an outcome');
  killGroup(pid);
  const outcome = (await opts.recover?.(reason).catch(() => undefined)) ?? crashOutcome(opts, reason, exit);
  try {
    opts.onEvent({ type: 'outcome', data: outcome });
  } catch (err) {
    // A listener's bug must not leave the lease waiting for an outcome forever.
    opts.log.error({ err: (err as Error).message }, 'outcome listener failed');
  }
  return outcome;
}

type ScreenshotResult = Extract<SessionToWorker, { type: 'screenshot_result' }>['result'];

/** Pending screenshots of one session, each settled once: the PNG, a typed refusal, a timeout or the exit. */
function screenshotReplies() {
  const pending = new Map<string, (r: ScreenshotResult) => void>();
  return {
    await(requestId: string, timeoutMs: number): Promise<Buffer> {
      return new Promise<Buffer>((resolve, reject) => {
        const timer = setTimeout(() => settle({ ok: false, error: new MeetcapError('internal_error', `no screenshot within ${timeoutMs} ms`).toJSON() }), timeoutMs);
        const settle = (r: ScreenshotResult): void => {
          clearTimeout(timer);
          pending.delete(requestId);
          if (r.ok) resolve(Buffer.from(r.pngBase64, 'base64'));
          else reject(new MeetcapError(r.error.code, r.error.message, r.error.details));
        };
        pending.set(requestId, settle);
      });
    },
    answer(requestId: string, result: ScreenshotResult): void {
      pending.get(requestId)?.(result);
    },
    closeAll(): void {
      for (const settle of [...pending.values()]) settle({ ok: false, error: sessionGone().error });
    },
  };
}

/** Nothing to recover: the session failed, with its stop reason if the worker killed it. */
function crashOutcome(opts: LaunchOptions, reason: ReasonCode, exit: string): SessionOutcome {
  const message = reason === 'session_crashed' ? `session process exited (${exit}) without an outcome` : `session killed (${reason}) before it finalized (${exit})`;
  return {
    meetingId: opts.job.meetingId,
    sessionId: opts.sessionId,
    state: 'failed',
    reason,
    error: new MeetcapError(reason, message).toJSON(),
  };
}

/** The session's process group and every descendant outside it (Chromium has its own group). */
function killTree(pid: number | undefined): void {
  if (pid === undefined) return;
  const tree = descendants(pid);
  killGroup(pid);
  killAll(tree);
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
