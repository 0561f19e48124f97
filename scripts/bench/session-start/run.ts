import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type ServerResponse } from 'node:http';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { FileJobSchema, type AnyJob } from '../../../src/contracts/index.js';
import { createRootLogger } from '../../../src/observability/logger.js';
import { launchSession } from '../../../src/scheduler/launcher.js';
import { spareSession } from '../../../src/scheduler/spare.js';

/**
 * Session start-up: from the worker's launchSession() to the session's first state event, with
 * a freshly forked process ("cold") and with a spare started ahead (src/scheduler/spare.ts),
 * alternating, N pairs. The job is a file job whose source (a loopback server) never answers,
 * so no browser or network is involved: what is timed is the process being ready for its job.
 *   node --import tsx scripts/bench/session-start/run.ts [--runs N] [--busy]
 * --busy keeps one core spinning meanwhile, as a bot in another slot would.
 */
const log = createRootLogger({ level: 'silent' });

interface Sample {
  cold: number;
  spare: number;
  spareLoad: number;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { runs: { type: 'string', default: '10' }, busy: { type: 'boolean', default: false } } });
  const runs = Number(values.runs);
  const held: ServerResponse[] = [];
  const server = createServer((_req, res) => void held.push(res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  const dir = await mkdtemp(join(tmpdir(), 'meetcap-bench-start-'));
  await mkdir(join(dir, 'tenants'));
  await writeFile(join(dir, 'tenants', 'acme.json'), JSON.stringify({ ingest: { allowedUrlPrefixes: [`${base}/hang/`] } }));
  const env = { MEETCAP_STORAGE: 'local', MEETCAP_RECORDINGS_DIR: join(dir, 'rec'), MEETCAP_TENANTS_DIR: join(dir, 'tenants'), MEETCAP_LOG_LEVEL: 'info' };
  const busy = values.busy ? spin() : undefined;
  const samples: Sample[] = [];
  try {
    for (let i = 0; i < runs; i++) {
      const job = (n: string): AnyJob => FileJobSchema.parse({ meetingId: `start-${i}-${n}`, tenantId: 'acme', source: 'file', file: { url: `${base}/hang/${i}-${n}.mp4` } });
      const cold = await timeToFirstState(env, job('cold'));
      const spare = spareSession({ env, log });
      const t0 = performance.now();
      await spare.whenReady();
      const spareLoad = performance.now() - t0;
      const warm = await timeToFirstState(env, job('spare'), spare.take());
      spare.close();
      samples.push({ cold, spare: warm, spareLoad });
      process.stderr.write(`[bench] ${i + 1}/${runs}: cold ${cold.toFixed(0)} ms, spare ${warm.toFixed(0)} ms (spare loaded in ${spareLoad.toFixed(0)} ms)\n`);
    }
  } finally {
    busy?.stop();
    for (const res of held) res.destroy();
    server.close();
    await rm(dir, { recursive: true, force: true });
  }
  report(samples, runs, !!values.busy);
}

/** ms from launchSession() to the session's first state event; the session is then stopped. */
async function timeToFirstState(env: NodeJS.ProcessEnv, job: AnyJob, child?: ChildProcess): Promise<number> {
  let first!: () => void;
  const firstState = new Promise<void>((resolve) => (first = resolve));
  const t0 = performance.now();
  const session = launchSession({
    sessionId: `ses_${job.meetingId}`,
    job,
    log,
    env,
    onEvent: (e) => e.type === 'state' && first(),
    onLogLine: () => undefined,
    stopGraceMs: 5_000,
    ...(child ? { process: child } : {}),
  });
  await firstState;
  const ms = performance.now() - t0;
  session.stop('stopped_by_operator');
  await session.outcome;
  return ms;
}

/** One core kept busy by a separate process, so the benchmark's own event loop stays responsive. */
function spin(): { stop(): void } {
  const child = spawn(process.execPath, ['-e', 'for(;;){}'], { stdio: 'ignore' });
  return { stop: () => child.kill('SIGKILL') };
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
};

function report(samples: Sample[], runs: number, busy: boolean): void {
  const row = (name: string, xs: number[]): string => `| ${name} | **${median(xs).toFixed(0)}** | ${Math.min(...xs).toFixed(0)}-${Math.max(...xs).toFixed(0)} |`;
  process.stdout.write([
    `## Session start-up ${new Date().toISOString()}`,
    `\`node --import tsx scripts/bench/session-start/run.ts --runs ${runs}${busy ? ' --busy' : ''}\` on ${cpus().length} cores, load average at start ${loadavg().map((l) => l.toFixed(2)).join(' ')}`,
    '',
    '| launchSession() -> first state event | median (ms) | range (ms) |',
    '|---|---|---|',
    row('cold: process forked at the lease', samples.map((s) => s.cold)),
    row('spare: process started ahead', samples.map((s) => s.spare)),
    row('(a spare from fork to ready)', samples.map((s) => s.spareLoad)),
    '',
  ].join('\n') + '\n');
}

await main();
