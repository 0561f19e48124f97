import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const CLI = fileURLToPath(new URL('../../bin/meetcap.js', import.meta.url));

/** One pino line of a worker process (its own, or one of its sessions'). */
export type LogLine = Record<string, unknown> & { msg?: string; time?: string; sessionId?: string; meetingId?: string };

export interface WorkerProcess {
  readonly pid: number;
  readonly lines: LogLine[];
  /** Resolves with the first line (already seen or coming) matching `pred`. */
  waitFor(pred: (l: LogLine) => boolean, timeoutMs: number, what: string): Promise<LogLine>;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Signals the worker by pid (SIGKILL leaves its sessions orphaned, as a crash would). */
  kill(signal: NodeJS.Signals): void;
}

/** `meetcap worker` as a real process, the way a container runs it. */
export function spawnWorker(env: NodeJS.ProcessEnv, slots = 1): WorkerProcess {
  const child: ChildProcess = spawn(process.execPath, [CLI, 'worker', '--slots', String(slots)], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: LogLine[] = [];
  const waiters = new Set<{ pred: (l: LogLine) => boolean; resolve: (l: LogLine) => void }>();
  createInterface({ input: child.stdout! }).on('line', (text) => {
    let line: LogLine;
    try {
      line = JSON.parse(text) as LogLine;
    } catch {
      return;
    }
    lines.push(line);
    for (const w of [...waiters]) if (w.pred(line)) w.resolve(line);
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  return {
    pid: child.pid!,
    lines,
    exited,
    kill: (signal) => void child.kill(signal),
    waitFor(pred, timeoutMs, what) {
      const seen = lines.find(pred);
      if (seen) return Promise.resolve(seen);
      return new Promise<LogLine>((resolve, reject) => {
        const w = {
          pred,
          resolve: (l: LogLine) => {
            clearTimeout(timer);
            waiters.delete(w);
            resolve(l);
          },
        };
        const timer = setTimeout(() => {
          waiters.delete(w);
          reject(new Error(`worker ${child.pid}: no "${what}" within ${timeoutMs} ms; stderr: ${stderr}`));
        }, timeoutMs);
        waiters.add(w);
      });
    },
  };
}
