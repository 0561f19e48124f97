import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startBenchEnv, type BenchEnv, type StorageKind } from './bench-env.js';
import { concurrencyLevel, cpuRun, latencyRun, type ConcurrencyLevel } from './parts.js';
import type { BotMode } from './reference-protocol.js';
import { referenceFfmpegArgs } from './reference-protocol.js';
import { markdown, type BenchResults } from './report.js';

/**
 * Capture benchmark (issue 4 §6). Run through run.sh, which enters a loopback-only network
 * namespace first (WebRTC between the bots and the sandbox only works there):
 *   bash scripts/bench/capture/run.sh [--quick] [--runs N] [--minutes M] [--only cpu|latency|concurrency] [--mode audio_video|audio_only] [--from-bots N] [--max-bots N] [--storage s3|local]
 */
const USAGE = 'run.ts [--quick] [--runs N] [--minutes M] [--only cpu|latency|concurrency] [--mode audio_video|audio_only] [--from-bots N] [--max-bots N] [--storage s3|local]';
const MODES: BotMode[] = ['audio_video', 'audio_only'];
const RESULTS_DIR = fileURLToPath(new URL('./results/', import.meta.url));

interface Plan {
  quick: boolean;
  runs: number;
  cpuMinutes: number;
  latencyMinutes: number[];
  concurrencyMinutes: number;
  /** First concurrency level tried; levels below it are not measured (for experiments near the limit). */
  fromBots: number;
  maxBots: number;
  parts: Set<string>;
  /** Recording modes every part runs (default both). */
  modes: BotMode[];
  storage: StorageKind;
}

function plan(argv: string[]): Plan {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean', default: false },
      runs: { type: 'string' },
      minutes: { type: 'string' },
      only: { type: 'string' },
      'from-bots': { type: 'string' },
      'max-bots': { type: 'string' },
      mode: { type: 'string' },
      storage: { type: 'string', default: 's3' },
    },
  });
  const num = (s: string | undefined, name: string): number | undefined => {
    if (s === undefined) return undefined;
    const n = Number(s);
    if (!(n > 0)) throw new Error(`--${name} must be a positive number\nusage: ${USAGE}`);
    return n;
  };
  const quick = values.quick ?? false;
  const minutes = num(values.minutes, 'minutes') ?? (quick ? 0.5 : undefined);
  const only = values.only;
  if (only !== undefined && !['cpu', 'latency', 'concurrency'].includes(only)) throw new Error(`--only ${only}?\nusage: ${USAGE}`);
  if (values.mode !== undefined && !MODES.includes(values.mode as BotMode)) throw new Error(`--mode ${values.mode}?\nusage: ${USAGE}`);
  if (values.storage !== 's3' && values.storage !== 'local') throw new Error(`--storage ${values.storage}?\nusage: ${USAGE}`);
  return {
    quick,
    runs: num(values.runs, 'runs') ?? (quick ? 1 : 3),
    cpuMinutes: minutes ?? 5,
    latencyMinutes: minutes !== undefined ? [minutes] : [2, 20],
    concurrencyMinutes: minutes ?? 2,
    fromBots: num(values['from-bots'], 'from-bots') ?? 1,
    maxBots: num(values['max-bots'], 'max-bots') ?? 8,
    parts: new Set(only ? [only] : ['cpu', 'latency', 'concurrency']),
    modes: values.mode ? [values.mode as BotMode] : MODES,
    storage: values.storage,
  };
}

const progress = (msg: string): void => void process.stderr.write(`[bench] ${new Date().toISOString()} ${msg}\n`);

/** Raises N until a level does not hold (or maxBots); returns every level tried. */
async function concurrencyRun(env: BenchEnv, p: Plan): Promise<{ levels: ConcurrencyLevel[]; maxHolding: Record<string, number> }> {
  const levels: ConcurrencyLevel[] = [];
  const maxHolding: Record<string, number> = {};
  for (const mode of p.modes) {
    // Levels below --from-bots are taken to hold (not measured; the JSON records the command).
    maxHolding[mode] = p.fromBots - 1;
    for (let n = p.fromBots; n <= p.maxBots; n++) {
      progress(`concurrency ${mode}: ${n} bot(s)`);
      // A bot that never got to record at this level is this level not holding.
      const level = await concurrencyLevel(env, mode, n, p.concurrencyMinutes).catch((err: Error): ConcurrencyLevel => ({
        mode, bots: n, holds: false, recordings: [{ ok: false, error: err.message, presentRatio: 0, longestGapMs: Number.NaN, recordedMin: 0 }],
      }));
      levels.push(level);
      if (!level.holds) break;
      maxHolding[mode] = n;
    }
  }
  return { levels, maxHolding };
}

/** A run that throws (a bot never got to record) is logged in `errors`; the other runs go on. */
async function attempt(results: BenchResults, what: string, fn: () => Promise<void>): Promise<void> {
  progress(what);
  try {
    await fn();
  } catch (err) {
    progress(`${what} failed: ${(err as Error).message}`);
    results.errors.push({ what, error: (err as Error).message });
  }
}

async function runParts(env: BenchEnv, p: Plan, results: BenchResults): Promise<void> {
  for (let run = 1; run <= p.runs; run++) {
    for (const mode of p.parts.has('cpu') ? p.modes : []) {
      await attempt(results, `cpu run ${run}/${p.runs}: ${mode}, ${p.cpuMinutes} min, meetcap and reference side by side`, async () => {
        results.cpu.push(await cpuRun(env, mode, p.cpuMinutes));
      });
    }
    for (const minutes of p.parts.has('latency') ? p.latencyMinutes : []) {
      for (const mode of p.modes) {
        await attempt(results, `latency run ${run}/${p.runs}: ${mode}, ${minutes} min`, async () => {
          results.latency.push(await latencyRun(env, mode, minutes));
        });
      }
    }
    if (p.parts.has('concurrency')) {
      await attempt(results, `concurrency run ${run}/${p.runs}`, async () => {
        results.concurrency.push({ run, ...(await concurrencyRun(env, p)) });
      });
    }
  }
}

function versionOf(cmd: string, args: string[]): string {
  try {
    return execFileSync(cmd, args).toString().split('\n')[0]!.trim();
  } catch {
    return `${cmd}: unknown`;
  }
}

async function main(): Promise<void> {
  const p = plan(process.argv.slice(2));
  const workDir = await mkdtemp(join(tmpdir(), 'meetcap-bench-'));
  const date = new Date().toISOString();
  const results: BenchResults = {
    date,
    command: `bash scripts/bench/capture/run.sh ${process.argv.slice(2).join(' ')}`.trim(),
    quick: p.quick,
    storage: p.storage,
    machine: {
      cpus: cpus().length, loadavgAtStart: loadavg(),
      chromium: versionOf('chromium', ['--version']), ffmpeg: versionOf('ffmpeg', ['-version']), node: process.version,
    },
    referenceFfmpeg: `ffmpeg ${referenceFfmpegArgs('audio_video', ':N', 'meetcap_ref', 'out.mp4').join(' ')}`,
    cpu: [], latency: [], concurrency: [], errors: [],
  };
  const env = await startBenchEnv(workDir, p.storage);
  try {
    await runParts(env, p, results);
  } finally {
    await env.close();
    await rm(workDir, { recursive: true, force: true });
  }
  await mkdir(RESULTS_DIR, { recursive: true });
  const file = join(RESULTS_DIR, `${date.replace(/[:.]/g, '-')}.json`);
  await writeFile(file, `${JSON.stringify(results, null, 2)}\n`);
  process.stdout.write(`${markdown(results)}\nresults: ${file}\n`);
}

await main();
