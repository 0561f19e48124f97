import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { pino, type Logger } from 'pino';
import { loadConfig, type Config } from '../../src/config/index.js';
import type { FleetContext, TypedEmitter, WorkerEventMap } from '../../src/fleet/context.js';
import { fleetKeys, type FleetKeys } from '../../src/fleet/keys.js';
import type { RunningSession } from '../../src/scheduler/launcher.js';
import { FakeClock } from '../helpers/fake-clock.js';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
export const SECRET = 'fleet-test-secret-5d1c9a7e';
const CLI = fileURLToPath(new URL('../../bin/meetcap.js', import.meta.url));

/** One test file's slice of Redis: its own prefix, config, keys, and a cleanup that deletes it all. */
export interface FleetTestEnv {
  prefix: string;
  env: Record<string, string>;
  config: Config;
  keys: FleetKeys;
  redis: Redis;
  close(): Promise<void>;
}

export function fleetTestEnv(extra: Record<string, string> = {}): FleetTestEnv {
  const prefix = `meetcap-test-${randomBytes(4).toString('hex')}`;
  const env = { REDIS_URL, MEETCAP_QUEUE_PREFIX: prefix, MEETCAP_CONTROL_SECRET: SECRET, MEETCAP_SLOTS: '2', ...extra };
  const redis = new Redis(REDIS_URL);
  return {
    prefix,
    env,
    config: loadConfig(env),
    keys: fleetKeys(prefix),
    redis,
    async close() {
      let cursor = '0';
      do {
        const [next, found] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
        if (found.length) await redis.del(...found);
        cursor = next;
      } while (cursor !== '0');
      await redis.quit();
    },
  };
}

/** A worker as the fleet features see it: an event emitter, a sessions map and a clock the test moves. */
export interface FakeWorker {
  ctx: FleetContext;
  clock: FakeClock;
  emit<K extends keyof WorkerEventMap & string>(event: K, data: WorkerEventMap[K]): void;
  /** session_started (and the session in ctx.sessions), as the real worker does it. */
  start(meetingId: string, sessionId?: string): string;
  end(meetingId: string, sessionId: string, state?: 'done' | 'failed'): void;
  logLines: string[];
}

export function fakeWorker(t: FleetTestEnv, opts: { clock?: FakeClock; redis?: Redis; name?: string } = {}): FakeWorker {
  const clock = opts.clock ?? new FakeClock(Date.now());
  const events = new EventEmitter() as unknown as TypedEmitter<WorkerEventMap>;
  const sessions = new Map<string, RunningSession>();
  const logLines: string[] = [];
  const log: Logger = pino({ level: 'info' }, { write: (l: string) => void logLines.push(l) });
  const name = opts.name ?? `w${randomBytes(2).toString('hex')}`;
  const ctx: FleetContext = {
    config: t.config, redis: opts.redis ?? t.redis, keys: t.keys, log, workerId: `host-${name}:4242:${name}`, host: `host-${name}`,
    pid: 4242, events, sessions, now: () => clock.now(),
  };
  return {
    ctx,
    clock,
    logLines,
    emit: (event, data) => void events.emit(event, data),
    start(meetingId, sessionId = `ses_${randomBytes(6).toString('hex')}`) {
      sessions.set(sessionId, { sessionId, meetingId, pid: 777 } as unknown as RunningSession);
      events.emit('session_started', {
        sessionId, meetingId, tenantId: 'acme', source: 'meeting', platform: 'meet', jobId: 'j', pid: 777,
        dueAt: new Date(clock.now()).toISOString(), leasedAt: new Date(clock.now()).toISOString(),
      });
      return sessionId;
    },
    end(meetingId, sessionId, state = 'done') {
      events.emit('session_ended', { sessionId, meetingId, outcome: { meetingId, sessionId, state, reason: 'meeting_ended' } });
      sessions.delete(sessionId);
    },
  };
}

/** Runs the real CLI (`node bin/meetcap.js ...`) against the test's prefix. */
export function cli(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
}

/** Polls `check` until it returns a value (not undefined/false) or the deadline passes. */
export async function until<T>(check: () => Promise<T | undefined | false>, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error('condition not met before the deadline');
    await new Promise((r) => setTimeout(r, 25));
  }
}
