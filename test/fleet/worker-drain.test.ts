import { CLI, runCli, type CliResult } from '../helpers/cli.js';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * `meetcap drain <workerId>` against a real `meetcap worker` process (no meetings, so no
 * Chromium): the worker marks itself draining and the process exits 0 once drained.
 */
const SECRET = 'fleet-secret-drain-5c1d8e2f';
const prefix = `meetcap-test-${randomBytes(4).toString('hex')}`;
const env = { ...process.env, MEETCAP_QUEUE_PREFIX: prefix, MEETCAP_CONTROL_SECRET: SECRET, MEETCAP_METRICS_PORT: '0', MEETCAP_LOG_LEVEL: 'info' };

let worker: ChildProcess | undefined;
afterAll(async () => {
  if (worker && worker.exitCode === null && worker.signalCode === null) worker.kill('SIGKILL');
  const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  const found = await redis.keys(`${prefix}:*`);
  if (found.length) await redis.del(...found);
  await redis.quit();
});

function run(args: string[]): Promise<CliResult> {
  return runCli(args, env);
}

describe('meetcap worker + meetcap drain', () => {
  it('the worker exits 0 once drained', async () => {
    const w = spawn(process.execPath, [CLI, 'worker', '--slots', '1'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    worker = w;
    const exited = new Promise<number | null>((resolve) => w.once('exit', (code) => resolve(code)));
    const lines: Array<Record<string, unknown>> = [];
    const ready = new Promise<string>((resolve, reject) => {
      createInterface({ input: w.stdout! }).on('line', (line) => {
        const entry = JSON.parse(line) as Record<string, unknown>;
        lines.push(entry);
        if (entry.msg === 'worker ready') resolve(String(entry.workerId));
      });
      void exited.then((code) => reject(new Error(`worker exited (${code}) before it was ready`)));
    });
    const workerId = await ready;

    const r = await run(['drain', workerId, '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ status: 'draining', workerId, sessions: 0 });
    expect(await exited).toBe(0);
    expect(lines.map((l) => l.msg)).toEqual(expect.arrayContaining(['operator drain: no new leases; exiting when sessions end', 'drained: exiting']));
  }, 60_000);

  it('--help explains each operator command', async () => {
    const help = await Promise.all(['kill', 'screenshot', 'drain'].map((c) => run([c, '--help'])));
    for (const h of help) {
      expect(h.code).toBe(0);
      expect(h.stdout).toMatch(/--json/);
      expect(h.stdout).toMatch(/MEETCAP_CONTROL_SECRET/);
    }
    expect(help[0]!.stdout).toMatch(/--reason <text>/);
    expect(help[1]!.stdout).toMatch(/-o, --output <file>/);
  }, 60_000);
});
