import type { ConcurrencyLevel, CpuRun, LatencyRun } from './parts.js';
import { median, round } from './scenario.js';

/** The results file and the markdown tables printed from it (docs/benchmarks.md has the same shape). */
export interface BenchResults {
  date: string;
  command: string;
  quick: boolean;
  storage: string;
  machine: { cpus: number; loadavgAtStart: number[]; chromium: string; ffmpeg: string; node: string };
  referenceFfmpeg: string;
  cpu: CpuRun[];
  latency: LatencyRun[];
  concurrency: Array<{ run: number; levels: ConcurrencyLevel[]; maxHolding: Record<string, number> }>;
  /** Runs that could not produce figures at all (a bot never recorded), with why. */
  errors: Array<{ what: string; error: string }>;
}

const fmt = (x: number, digits = 2): string => (Number.isFinite(x) ? String(round(x, digits)) : 'n/a');
const okRuns = <T extends { ok: boolean }>(xs: T[]): T[] => xs.filter((x) => x.ok);

/** One table per recording mode (results from before modes were recorded are audio_video). */
function cpuTables(runs: CpuRun[]): string[] {
  const modeOf = (r: CpuRun): string => r.mode ?? 'audio_video';
  return [...new Set(runs.map(modeOf))].flatMap((mode) => cpuTable(mode, runs.filter((r) => modeOf(r) === mode)));
}

function cpuTable(mode: string, runs: CpuRun[]): string[] {
  if (runs.length === 0) return [];
  const ok = runs.filter((r) => r.meetcap.ok && r.reference.ok);
  const col = (pick: (r: CpuRun) => number, digits = 2): string => `${fmt(median(ok.map(pick)), digits)}`;
  return [
    `### CPU and memory, side by side: ${mode} (${runs[0]!.minutes} min meeting, 3 participants, 720p; median of ${ok.length}/${runs.length} runs)`,
    '',
    '| bot | CPU-s per recorded min (whole life) | CPU-s per min, recording phase | peak PSS (MiB) | tree CPU-s | recorded min | media / recorded |',
    '|---|---|---|---|---|---|---|',
    `| meetcap (headless, in-page MediaRecorder, remux) | ${col((r) => r.meetcap.cpuSecPerRecordedMin)} | ${col((r) => r.meetcap.steadyCpuSecPerMin)} | ${col((r) => r.meetcap.peakPssMiB, 0)} | ${col((r) => r.meetcap.cpuSec, 1)} | ${col((r) => r.meetcap.recordedMin)} | ${col((r) => r.meetcap.mediaSec / 60 / r.meetcap.recordedMin, 3)} |`,
    `| reference (Xvfb + PulseAudio + x11grab/libx264) | ${col((r) => r.reference.cpuSecPerRecordedMin)} | ${col((r) => r.reference.steadyCpuSecPerMin)} | ${col((r) => r.reference.peakPssMiB, 0)} | ${col((r) => r.reference.cpuSec, 1)} | ${col((r) => r.reference.recordedMin)} | ${col((r) => r.reference.mediaSec / 60 / r.reference.recordedMin, 3)} |`,
    `| **ratio meetcap / reference** (target <= 0.5) | **${col((r) => r.ratio, 3)}** | ${col((r) => r.steadyRatio, 3)} | ${fmt(median(ok.map((r) => r.meetcap.peakPssMiB / r.reference.peakPssMiB)), 3)} | | | |`,
    '',
    ...breakdown(ok),
  ];
}

type Bot = 'meetcap' | 'reference';

/** `| bot | key | median |` rows, largest first: each key's median over the runs (absent = 0). */
function medianRows(runs: CpuRun[], bot: Bot, values: (f: CpuRun[Bot]) => Record<string, number> | undefined, opts: { min?: number; top?: number }): string[] {
  const keys = [...new Set(runs.flatMap((r) => Object.keys(values(r[bot]) ?? {})))];
  return keys
    .map((k) => ({ k, v: median(runs.map((r) => values(r[bot])?.[k] ?? 0)) }))
    .filter((x) => x.v >= (opts.min ?? 0))
    .sort((a, b) => b.v - a.v)
    .slice(0, opts.top)
    .map((x) => `| ${bot} | ${x.k} | ${fmt(x.v)} |`);
}

/**
 * Where each bot's CPU goes: own CPU-s per recorded minute by process kind, then the busiest
 * threads of the recording phase (which part of a process pays), medians over runs.
 */
function breakdown(runs: CpuRun[]): string[] {
  const bots: Bot[] = ['meetcap', 'reference'];
  const kinds = bots.flatMap((bot) => medianRows(runs, bot, (f) => f.cpuByKind, { min: 0.05 }));
  const threads = bots.flatMap((bot) => medianRows(runs, bot, (f) => f.steadyThreads, { top: 10 }));
  const phases = medianRows(runs, 'meetcap', (f) => f.cpuByPhase, {});
  return [
    ...(kinds.length ? ['CPU by process (own CPU-s per recorded minute, median):', '', '| bot | process | CPU-s / min |', '|---|---|---|', ...kinds, ''] : []),
    ...(threads.length ? ['Busiest threads in the recording phase (CPU-s per minute, median):', '', '| bot | process, thread | CPU-s / min |', '|---|---|---|', ...threads, ''] : []),
    ...(phases.length ? ["meetcap's tree CPU-s by session state (whole meeting, median; `start` = before the first state, `exit` = after the last):", '', '| bot | state | CPU-s |', '|---|---|---|', ...phases, ''] : []),
  ];
}

function latencyTable(runs: LatencyRun[]): string[] {
  if (runs.length === 0) return [];
  const keys = [...new Set(runs.map((r) => `${r.mode}|${r.minutes}`))];
  const rows = keys.map((k) => {
    const [mode, minutes] = k.split('|');
    const rs = runs.filter((r) => `${r.mode}|${r.minutes}` === k);
    const ok = okRuns(rs);
    const obj = ok.map((r) => r.endToObjectMs);
    return `| ${mode} | ${minutes} | ${fmt(median(obj) / 1000)} | ${fmt(Math.max(...obj) / 1000)} | ${fmt(median(ok.map((r) => r.endToOutcomeMs)) / 1000)} | ${ok.length}/${rs.length} |`;
  });
  return [
    '### End of meeting -> recording object complete (meetcap; target <= 2 s)',
    '',
    '| mode | meeting (min) | T1-T0 median (s) | T1-T0 max (s) | end -> outcome event, median (s) | runs ok |',
    '|---|---|---|---|---|---|',
    ...rows,
    '',
  ];
}

function concurrencyTable(runs: BenchResults['concurrency']): string[] {
  if (runs.length === 0) return [];
  const modes = [...new Set(runs.flatMap((r) => Object.keys(r.maxHolding)))];
  const rows = modes.map((mode) => {
    const per = runs.map((r) => r.maxHolding[mode] ?? 0);
    const tried = Math.max(...runs.flatMap((r) => r.levels.filter((l) => l.mode === mode).map((l) => l.bots)));
    return `| ${mode} | ${fmt(median(per), 1)} | ${per.join(', ')} | ${tried} |`;
  });
  return [
    '### Concurrent bots with no audio gap > 100 ms and presentRatio >= 0.999 (1 participant per meeting)',
    '',
    '| mode | bots held (median) | per run | most bots tried |',
    '|---|---|---|---|',
    ...rows,
    '',
  ];
}

export function markdown(r: BenchResults): string {
  return [
    `## Capture benchmark ${r.date}${r.quick ? ' (SMOKE: --quick, 30 s meetings, 1 run; not the benchmark figures)' : ''}`,
    '',
    `\`${r.command}\` on ${r.machine.cpus} cores (load average at start ${r.machine.loadavgAtStart.map((x) => x.toFixed(2)).join(' ')}); ${r.machine.chromium}; ${r.machine.ffmpeg}; node ${r.machine.node}; storage: ${r.storage === 's3' ? 's3 (the test s3rver)' : 'local directory'}`,
    '',
    ...cpuTables(r.cpu),
    ...latencyTable(r.latency),
    ...concurrencyTable(r.concurrency),
    ...(r.errors.length ? ['Runs without figures:', '', ...r.errors.map((e) => `- ${e.what}: ${e.error}`), ''] : []),
  ].join('\n');
}
