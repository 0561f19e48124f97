import type { ChildProcess } from 'node:child_process';
import type { Logger } from 'pino';
import { isSessionToWorker } from '../contracts/index.js';
import { forkSessionProcess } from './launcher.js';

/**
 * One `meetcap session` process started ahead of the next lease. A new session process spends
 * 1.5-3 s loading its modules (the TypeScript loader, Puppeteer, the S3 client, zod) before it
 * can launch Chromium; a spare has done that while the worker waited, so a leased meeting's bot
 * starts at once (docs/benchmarks.md, session start-up).
 */
export interface SpareSession {
  /** The spare, if it is alive (the caller forks a new process otherwise); never handed out twice. */
  take(): ChildProcess | undefined;
  /**
   * Starts a spare if there is none. Called when a session ends: a core is free then, whereas
   * loading next to a bot that is joining would compete with it for the CPU.
   */
  refill(): void;
  /** Resolves once the current spare has loaded and waits for its job; false if there is none. */
  whenReady(): Promise<boolean>;
  /** Ends the spare and starts no more. Idempotent. */
  close(): void;
}

export interface SpareSessionOptions {
  /** The sessions' environment: a spare only stands in for a session started with the same one. */
  env?: NodeJS.ProcessEnv;
  log: Logger;
  /** Injected by tests. */
  fork?: (env?: NodeJS.ProcessEnv) => ChildProcess;
}

interface Spare {
  child: ChildProcess;
  ready: Promise<boolean>;
}

export function spareSession(opts: SpareSessionOptions): SpareSession {
  const fork = opts.fork ?? forkSessionProcess;
  const log = opts.log.child({ component: 'spare-session' });
  let spare: Spare | undefined;
  let closed = false;

  const start = (): void => {
    if (closed || spare) return;
    const child = fork(opts.env);
    let settle!: (ready: boolean) => void;
    const current: Spare = { child, ready: new Promise<boolean>((resolve) => (settle = resolve)) };
    const onMessage = (msg: unknown): void => {
      if (!isSessionToWorker(msg) || msg.type !== 'ready') return;
      child.off('message', onMessage); // the session's own messages are the launcher's business
      settle(true);
    };
    child.on('message', onMessage);
    // Nothing reads its pipes until it is taken; it writes nothing of note before its job.
    child.once('exit', (code, signal) => {
      settle(false);
      if (spare !== current) return;
      spare = undefined;
      if (!closed) log.warn({ pid: child.pid, code, signal }, 'spare session process exited before it was used');
    });
    child.on('error', (err) => spare === current && log.warn({ err: err.message }, 'spare session process failed'));
    spare = current;
  };

  const alive = (child: ChildProcess): boolean => child.exitCode === null && child.signalCode === null && child.connected;

  start();
  return {
    take() {
      const taken = spare?.child;
      spare = undefined;
      if (!taken || alive(taken)) return taken;
      end(taken);
      return undefined;
    },
    refill: start,
    whenReady: () => spare?.ready ?? Promise.resolve(false),
    close() {
      closed = true;
      if (spare) end(spare.child);
      spare = undefined;
    },
  };
}

/** A spare has no children yet: ending the process is enough. */
function end(child: ChildProcess): void {
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}
