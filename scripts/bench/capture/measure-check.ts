import { execFileSync, spawn } from 'node:child_process';
import { TreeSampler } from './measure.js';

/**
 * Checks the tree accounting of measure.ts against the kernel's own total: a bash root runs
 * children and grandchildren that burn CPU and exit before it does (the case a plain "sum of
 * live pids" loses), waits for them, then prints its own /proc stat, whose utime+stime+cutime+
 * cstime is the exact CPU of the whole tree. Prints both and the difference.
 *   node --import tsx scripts/bench/capture/measure-check.ts
 */
const TICKS = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
const SPIN = 'while :; do :; done';
const SCRIPT = [
  `sh -c 'timeout 1 sh -c "${SPIN}"; sleep 0.3'`,
  `timeout 0.7 sh -c '${SPIN}' &`,
  `timeout 0.7 sh -c '${SPIN}' &`,
  'wait',
  'sleep 0.6',
  'read -r s < /proc/$$/stat',
  'echo "$s"',
].join('\n');

async function main(): Promise<void> {
  const child = spawn('bash', ['-c', SCRIPT], { stdio: ['ignore', 'pipe', 'inherit'] });
  const sampler = new TreeSampler(child.pid!);
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  await new Promise((resolve) => child.once('exit', resolve));
  const usage = sampler.stop();
  const f = out.slice(out.lastIndexOf(')') + 2).trim().split(' ').map(Number);
  const truth = ((f[11] ?? 0) + (f[12] ?? 0) + (f[13] ?? 0) + (f[14] ?? 0)) / TICKS;
  process.stdout.write(`${JSON.stringify({ sampledCpuSec: usage.cpuSec, kernelTreeCpuSec: truth, differenceSec: +(usage.cpuSec - truth).toFixed(3), processes: usage.processes, samples: usage.samples })}\n`);
}

await main();
