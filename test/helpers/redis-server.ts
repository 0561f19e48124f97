import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A Redis server of the test's own (loopback, free port, AOF with fsync on every write), so a
 * test can kill it by pid and start it again on the same data, as a Redis restart in production.
 */
export interface TestRedis {
  readonly url: string;
  readonly pid: number;
  /** SIGKILL by pid, then start again on the same port and data; resolves once it accepts connections. */
  crashAndRestart(downMs?: number): Promise<void>;
  close(): Promise<void>;
}

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as { port: number };
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

function launch(port: number, dir: string): Promise<ChildProcess> {
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--appendfsync', 'always', '--save', ''], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('Ready to accept connections')) resolve(child);
    });
    child.once('exit', (code) => reject(new Error(`redis-server exited (${code}): ${out.slice(-500)}`)));
  });
}

export async function startTestRedis(): Promise<TestRedis> {
  const dir = await mkdtemp(join(tmpdir(), 'meetcap-redis-'));
  const port = await freePort();
  let child = await launch(port, dir);
  const stop = async (signal: NodeJS.Signals): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill(signal);
    await exited;
  };
  return {
    url: `redis://127.0.0.1:${port}`,
    get pid() {
      return child.pid!;
    },
    async crashAndRestart(downMs = 0) {
      await stop('SIGKILL');
      if (downMs > 0) await new Promise((r) => setTimeout(r, downMs));
      child = await launch(port, dir);
    },
    async close() {
      await stop('SIGTERM');
      await rm(dir, { recursive: true, force: true });
    },
  };
}
