import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/**
 * CPU and memory of a whole process tree (a bot's root pid and every descendant), read from
 * /proc. Why this accounting is exact up to a small bound:
 *
 * For a live pid, utime+stime is its own CPU and cutime+cstime is the total of every child it
 * has reaped (recursively, the kernel folds grandchildren in when they are waited for). So at
 * any instant  tree CPU = sum over the live tree of (utime + stime + cutime + cstime):  the CPU
 * of pids that already exited is carried by the parent that reaped them, never lost and never
 * counted twice. Two things escape:
 *  - what the tree spends between the last sample and the root's own exit (the root is reaped
 *    by the benchmark, which cannot read its final counters). `fast()` samples every 100 ms
 *    while a bot shuts down, so the loss is at most 0.1 s x 2 cores = 0.2 CPU-s per bot;
 *  - pids that re-parent away from the tree (double-forked daemons): they are followed while
 *    alive (keyed by pid + start time), and their last sampled value is kept when they exit.
 *    Puppeteer launches Chromium with --disable-crash-reporter, so none are expected.
 * Peak PSS = max over samples (every 500 ms) of the sum of /proc/<pid>/smaps_rollup Pss over the
 * live tree: shared pages are split between the processes sharing them, so the sum is the
 * tree's fair share of RAM (RSS would count Chromium's shared libraries once per process).
 */
export interface TreeUsage {
  cpuSec: number;
  peakPssMiB: number;
  /** Distinct processes seen in the tree over its life. */
  processes: number;
  samples: number;
  /** Wall time the sampler ran, in seconds. */
  wallSec: number;
  /**
   * Own CPU (utime+stime, reaped children excluded) by process kind, from each process's last
   * sample: where the tree's CPU goes (Chromium's --type, ffmpeg, Xvfb, ...). Sums to a little
   * less than cpuSec (what each process spent after its last sample is missing).
   */
  byKind: Record<string, number>;
}

const TICKS = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
const SLOW_MS = 500;
const FAST_MS = 100;

interface Stat {
  pid: number;
  ppid: number;
  key: string;
  /** Own + reaped children's CPU, in clock ticks. */
  ticks: number;
  /** Own CPU only, in clock ticks. */
  own: number;
}

/** Fields after the command name of a /proc stat file (the name may hold spaces and ')'). */
function statFields(text: string): string[] {
  return text.slice(text.lastIndexOf(')') + 2).split(' ');
}

function readStat(pid: number): Stat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  const f = statFields(text);
  const n = (i: number): number => Number(f[i] ?? 0);
  // After ')': state=0 ppid=1 ... utime=11 stime=12 cutime=13 cstime=14 ... starttime=19
  return { pid, ppid: n(1), key: `${pid}:${f[19]}`, ticks: n(11) + n(12) + n(13) + n(14), own: n(11) + n(12) };
}

function allStats(): Stat[] {
  const out: Stat[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const s = readStat(Number(name));
    if (s) out.push(s);
  }
  return out;
}

/** Own CPU ticks of every thread in the live tree of `root`, keyed "<process kind> <thread name>". */
export function threadTicks(root: number): Map<string, number> {
  const { attached } = treeOf(root, allStats(), new Map());
  const out = new Map<string, number>();
  for (const { pid } of attached) {
    const kind = kindOf(pid);
    let tids: string[];
    try {
      tids = readdirSync(`/proc/${pid}/task`);
    } catch {
      continue;
    }
    for (const tid of tids) {
      let text: string;
      try {
        text = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      } catch {
        continue;
      }
      // Thread names carry pool indexes ("ThreadPoolForeg3"): strip them so a pool is one row.
      const name = text.slice(text.indexOf('(') + 1, text.lastIndexOf(')')).replace(/\d+$/, '');
      const f = statFields(text);
      const key = `${kind} ${name}`;
      out.set(key, (out.get(key) ?? 0) + Number(f[11]) + Number(f[12]));
    }
  }
  return out;
}

/** CPU-s per minute of each thread between two `threadTicks` snapshots, largest first. */
export function threadRates(before: Map<string, number>, after: Map<string, number>, wallMs: number, top = 12): Record<string, number> {
  const rows = [...after].map(([k, t]): [string, number] => [k, ((t - (before.get(k) ?? 0)) / TICKS) * (60_000 / wallMs)]);
  return Object.fromEntries(rows.filter(([, x]) => x >= 0.2).sort((a, b) => b[1] - a[1]).slice(0, top).map(([k, x]) => [k, Math.round(x * 100) / 100]));
}

/** A short name for what a process is: Chromium's --type (and utility sub-type), else the program. */
function kindOf(pid: number): string {
  let argv: string[];
  try {
    // Chromium rewrites its children's titles into one space-separated string, hence both separators.
    argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split(/[\0 ]/).filter(Boolean);
  } catch {
    return 'unknown';
  }
  const flag = (name: string): string | undefined => argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
  const prog = (argv[0] ?? 'unknown').split('/').pop()!;
  if (!/chrom/.test(prog)) return prog === 'node' && argv.some((a) => a.includes('tsx')) ? 'node' : prog;
  const type = flag('type');
  if (!type) return 'chromium-browser';
  const sub = flag('utility-sub-type');
  return sub ? `chromium-${sub.replace(/\.mojom\.\w+$/, '')}` : `chromium-${type}`;
}

function pssKiB(pid: number): number {
  try {
    const m = /^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

/** Live descendants of `root` by ppid (attached), and followed pids that have left that tree (detached). */
function treeOf(root: number, stats: Stat[], followed: ReadonlyMap<string, unknown>): { attached: Stat[]; detached: Stat[] } {
  const children = new Map<number, Stat[]>();
  for (const s of stats) children.set(s.ppid, [...(children.get(s.ppid) ?? []), s]);
  const attached = new Map<string, Stat>();
  const queue = stats.filter((s) => s.pid === root);
  for (let s = queue.shift(); s; s = queue.shift()) {
    attached.set(s.key, s);
    queue.push(...(children.get(s.pid) ?? []));
  }
  const detached = stats.filter((s) => followed.has(s.key) && !attached.has(s.key));
  return { attached: [...attached.values()], detached };
}

interface Followed {
  ticks: number;
  /** Reachable from the root at the last sample, so whoever reaps it is inside the tree. */
  attached: boolean;
}

export class TreeSampler {
  private readonly followed = new Map<string, Followed>();
  /** Final values of pids that exited after leaving the tree: no parent in the tree reaped them. */
  private orphanTicks = 0;
  private lastTicks = 0;
  private peakKiB = 0;
  private samples = 0;
  private timer: NodeJS.Timeout | undefined;
  private pssDue = 0;
  private readonly started = Date.now();
  private stoppedAt: number | undefined;
  private seen = new Set<string>();
  /** Last own ticks and kind of every process ever seen, by pid + start time. */
  private readonly own = new Map<string, { kind: string; ticks: number }>();

  constructor(private readonly root: number) {
    this.schedule(SLOW_MS);
  }

  /** Sample every 100 ms from now on: the bot is about to finish. */
  fast(): void {
    if (this.timer) this.schedule(FAST_MS);
  }

  /** Samples now and returns the tree's CPU so far (for the recording-phase figure). */
  cpuNow(): number {
    if (this.timer) this.sample(false);
    return this.lastTicks / TICKS;
  }

  /** Takes one last sample and stops. Idempotent. */
  stop(): TreeUsage {
    if (this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
      this.sample(true);
      this.stoppedAt = Date.now();
    }
    return {
      cpuSec: this.lastTicks / TICKS,
      peakPssMiB: this.peakKiB / 1024,
      processes: this.seen.size,
      samples: this.samples,
      wallSec: ((this.stoppedAt ?? Date.now()) - this.started) / 1000,
      byKind: this.byKind(),
    };
  }

  private byKind(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const { kind, ticks } of this.own.values()) out[kind] = (out[kind] ?? 0) + ticks / TICKS;
    return Object.fromEntries(Object.entries(out).sort((a, b) => b[1] - a[1]).map(([k, v]) => [k, Math.round(v * 100) / 100]));
  }

  private schedule(ms: number): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = setInterval(() => this.sample(false), ms);
    this.sample(true);
  }

  private sample(withPss: boolean): void {
    const stats = allStats();
    // Once the root is gone its counters went with it: keep the last value taken while it lived.
    if (this.samples > 0 && !stats.some((s) => s.pid === this.root)) return;
    const { attached, detached } = treeOf(this.root, stats, this.followed);
    const live = new Set([...attached, ...detached].map((s) => s.key));
    for (const [key, f] of this.followed) {
      if (live.has(key)) continue;
      if (!f.attached) this.orphanTicks += f.ticks;
      this.followed.delete(key);
    }
    for (const s of attached) this.followed.set(s.key, { ticks: s.ticks, attached: true });
    for (const s of detached) this.followed.set(s.key, { ticks: s.ticks, attached: false });
    for (const key of live) this.seen.add(key);
    for (const s of [...attached, ...detached]) {
      const o = this.own.get(s.key) ?? { kind: 'unknown', ticks: 0 };
      // Named at every sample, so the last name wins: the browser starts as `sh` running Debian's
      // /usr/bin/chromium script, which then execs Chromium under the same pid, and children
      // rewrite their titles after they start.
      const kind = kindOf(s.pid);
      if (kind !== 'unknown') o.kind = kind;
      o.ticks = Math.max(o.ticks, s.own);
      this.own.set(s.key, o);
    }
    const total = [...attached, ...detached].reduce((a, s) => a + s.ticks, 0) + this.orphanTicks;
    this.lastTicks = Math.max(this.lastTicks, total);
    this.samples += 1;
    if (withPss || Date.now() >= this.pssDue) {
      this.pssDue = Date.now() + SLOW_MS;
      const kib = [...attached, ...detached].reduce((a, s) => a + pssKiB(s.pid), 0);
      this.peakKiB = Math.max(this.peakKiB, kib);
    }
  }
}
