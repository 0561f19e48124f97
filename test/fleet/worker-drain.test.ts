import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, type CliResult } from '../helpers/cli.js';
import { spawnWorker, type WorkerProcess } from '../helpers/worker-process.js';

/**
 * `meetcap drain <workerId>` against a real `meetcap worker` process (no meetings, so no
 * Chromium): the worker marks itself draining and the process exits 0 once drained.
 */
const SECRET = 'fleet-secret-drain-5c1d8e2f';
const prefix = `meetcap-test-${randomBytes(4).toString('hex')}`;
const env = { ...process.env, MEETCAP_QUEUE_PREFIX: prefix, MEETCAP_CONTROL_SECRET: SECRET, MEETCAP_METRICS_PORT: '0', MEETCAP_LOG_LEVEL: 'info' };

let worker: WorkerProcess | undefined;
let exitedCode: number | null | undefined;
afterAll(async () => {
  if (worker && exitedCode === undefined) worker.kill('SIGKILL');
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
    const w = spawnWorker(env);
    worker = w;
    const exited = w.exited.then(({ code }) => (exitedCode = code));
    const workerId = String((await w.waitFor((l) => l.msg === 'worker ready', 30_000, 'worker ready')).workerId);

    const r = await run(['drain', workerId, '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ status: 'draining', workerId, sessions: 0 });
    expect(await exited).toBe(0);
    expect(w.lines.map((l) => l.msg)).toEqual(expect.arrayContaining(['operator drain: no new leases; exiting when sessions end', 'drained: exiting']));
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
