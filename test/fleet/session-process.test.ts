import { fork, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileJobSchema, isSessionToWorker, type AnyJob, type SessionHealth, type SessionOutcome } from '../../src/contracts/index.js';
import { createRootLogger } from '../../src/observability/logger.js';
import { forkSessionProcess, launchSession } from '../../src/scheduler/launcher.js';
import { spareSession } from '../../src/scheduler/spare.js';

/**
 * Real `meetcap session` processes without a browser: a file job whose source server accepts the
 * request and never answers keeps the session busy (launching) for as long as a test needs.
 */
const CLI = fileURLToPath(new URL('../../bin/meetcap.js', import.meta.url));
let dir: string;
let server: Server;
let base: string;
const held: ServerResponse[] = [];
let requests = 0;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'meetcap-session-process-'));
  server = createServer((_req: IncomingMessage, res: ServerResponse) => {
    requests += 1;
    held.push(res); // never answered: the fetch hangs
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  base = `http://127.0.0.1:${port}`;
  await mkdir(join(dir, 'tenants'));
  await writeFile(join(dir, 'tenants', 'acme.json'), JSON.stringify({ ingest: { allowedUrlPrefixes: [`${base}/hang/`] } }));
});

afterAll(async () => {
  for (const res of held) res.destroy();
  await new Promise((resolve) => server?.close(resolve));
  if (dir) await rm(dir, { recursive: true, force: true });
});

const env = (): NodeJS.ProcessEnv => ({
  MEETCAP_STORAGE: 'local',
  MEETCAP_RECORDINGS_DIR: join(dir, 'recordings'),
  MEETCAP_TENANTS_DIR: join(dir, 'tenants'),
  MEETCAP_LOG_LEVEL: 'debug',
});

function hangingJob(n: number): AnyJob {
  return FileJobSchema.parse({ meetingId: `hang-${n}`, tenantId: 'acme', source: 'file', file: { url: `${base}/hang/${n}.mp4` } });
}

async function until(what: string, condition: () => boolean, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

describe('a session process', () => {
  it('reports its health, and one killed after the stop grace ends with the stop reason, not session_crashed', async () => {
    const healths: SessionHealth[] = [];
    const outcomes: SessionOutcome[] = [];
    const before = requests;
    const session = launchSession({
      sessionId: 'ses_stuck',
      job: hangingJob(1),
      log: createRootLogger({ level: 'silent' }),
      env: env(),
      onEvent: (e) => e.type === 'outcome' && outcomes.push(e.data),
      onHealth: (h) => healths.push(h),
      onLogLine: () => undefined,
      stopGraceMs: 500,
    });
    await until('the first health report and the source request', () => healths.length > 0 && requests > before);
    expect(healths[0]).toMatchObject({ state: expect.stringMatching(/^(scheduled|launching)$/), mediaBytes: 0, uploadBacklogBytes: 0 });
    expect(healths[0]).not.toHaveProperty('browserRespondedAt');
    // A session that can no longer act on the stop (frozen, like a hung one).
    process.kill(session.pid!, 'SIGSTOP');
    session.stop('stuck_session_killed');
    const outcome = await session.outcome;
    expect(outcome).toMatchObject({ state: 'failed', reason: 'stuck_session_killed', error: { code: 'stuck_session_killed' } });
    expect(outcomes).toEqual([outcome]);
    expect(session.stopReason).toBe('stuck_session_killed');
  }, 30_000);

  it('that loses its worker (IPC channel gone) stops with worker_lost and exits on its own', async () => {
    const before = requests;
    const child = fork(CLI, ['session'], { stdio: ['ignore', 'pipe', 'pipe', 'ipc'], env: { ...process.env, ...env() }, serialization: 'json' });
    const lines: Array<Record<string, unknown>> = [];
    createInterface({ input: child.stdout! }).on('line', (l) => lines.push(JSON.parse(l) as Record<string, unknown>));
    let healthy = false;
    child.on('message', (m) => {
      if (isSessionToWorker(m) && m.type === 'health') healthy = true;
    });
    child.send({ type: 'start', sessionId: 'ses_orphan', job: hangingJob(2) });
    await until('the session to be fetching', () => healthy && requests > before);
    child.disconnect();
    expect(await exited(child)).toBe(0);
    expect(lines.find((l) => l.msg === 'stop requested')).toMatchObject({ level: 'warn', reason: 'worker_lost', sessionId: 'ses_orphan' });
  }, 30_000);

  it('whose worker vanished with its pipes still finishes cleanly (no crash writing to the gone worker)', async () => {
    const before = requests;
    const child = fork(CLI, ['session'], { stdio: ['ignore', 'pipe', 'pipe', 'ipc'], env: { ...process.env, ...env() }, serialization: 'json' });
    child.send({ type: 'start', sessionId: 'ses_orphan2', job: hangingJob(3) });
    await until('the session to be fetching', () => requests > before);
    child.stdout!.destroy();
    child.stderr!.destroy();
    child.disconnect();
    expect(await exited(child)).toBe(0);
  }, 30_000);
});

describe('a spare session process', () => {
  const log = createRootLogger({ level: 'silent' });

  it('is loaded before the lease, runs the leased job as that session, and is replaced by a new one', async () => {
    const spare = spareSession({ env: env(), log });
    try {
      expect(await spare.whenReady()).toBe(true);
      const child = spare.take()!;
      expect(spare.take()).toBeUndefined(); // never handed out twice
      const before = requests;
      const healths: SessionHealth[] = [];
      const session = launchSession({
        sessionId: 'ses_spare',
        job: hangingJob(4),
        log,
        env: env(),
        onEvent: () => undefined,
        onHealth: (h) => healths.push(h),
        onLogLine: () => undefined,
        stopGraceMs: 5_000,
        process: child,
      });
      expect(session.pid).toBe(child.pid);
      await until('the spare to run the job', () => healths.length > 0 && requests > before);
      spare.refill();
      expect(await spare.whenReady()).toBe(true);
      const next = spare.take()!;
      expect(next.pid).not.toBe(child.pid);
      next.kill('SIGKILL');
      session.stop('stopped_by_operator');
      expect(await session.outcome).toMatchObject({ sessionId: 'ses_spare', state: 'cancelled', reason: 'stopped_by_operator' });
    } finally {
      spare.close();
    }
  }, 30_000);

  it('that died is never handed out; close() ends the spare and starts no more', async () => {
    const forked: ChildProcess[] = [];
    const fork = (e?: NodeJS.ProcessEnv): ChildProcess => {
      const child = forkSessionProcess(e);
      forked.push(child);
      return child;
    };
    const spare = spareSession({ env: env(), log, fork });
    expect(await spare.whenReady()).toBe(true);
    forked[0]!.kill('SIGKILL');
    await exited(forked[0]!);
    expect(spare.take()).toBeUndefined();
    spare.refill();
    expect(forked).toHaveLength(2);
    expect(await spare.whenReady()).toBe(true);
    spare.close();
    await exited(forked[1]!);
    spare.close();
    spare.refill();
    expect(spare.take()).toBeUndefined();
    expect(forked).toHaveLength(2);
  }, 30_000);

  it('whose worker goes away while it is still loading exits on its own', async () => {
    const child = forkSessionProcess(env());
    child.disconnect();
    expect(await exited(child)).toBe(0);
  }, 30_000);
});
