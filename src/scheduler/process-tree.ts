import { readdirSync, readFileSync } from 'node:fs';

/**
 * Every live descendant of `pid` (children, grandchildren…), read from /proc; empty where there
 * is no /proc. Chromium runs in its own process group (puppeteer starts it detached), so killing
 * the session's group does not reach it; a hung or stopped Chromium would not notice its
 * DevTools pipe closing either. Collected before the kill: afterwards they are re-parented.
 */
export function descendants(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of livePids()) {
    const ppid = parentOf(entry);
    if (ppid === undefined) continue;
    const list = children.get(ppid) ?? [];
    list.push(Number(entry));
    children.set(ppid, list);
  }
  const out: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    for (const child of children.get(queue.shift()!) ?? []) {
      out.push(child);
      queue.push(child);
    }
  }
  return out;
}

/** Pids whose command line has one of `args` as a whole argument (e.g. Chromium's `--user-data-dir=<dir>`). */
export function processesWithArg(args: readonly string[]): number[] {
  return livePids().filter((pid) => hasAnyArg(pid, args)).map(Number);
}

function livePids(): string[] {
  try {
    return readdirSync('/proc').filter((e) => /^\d+$/.test(e));
  } catch {
    return []; // no /proc
  }
}

function hasAnyArg(pid: string, args: readonly string[]): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split(/[\0 ]/).some((a) => args.includes(a));
  } catch {
    return false; // exited while we were reading
  }
}

/** The parent pid from /proc/<pid>/stat; the command name may hold spaces and parentheses. */
function parentOf(pid: string): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ppid = Number(fields[1]);
    return Number.isInteger(ppid) ? ppid : undefined;
  } catch {
    return undefined; // exited while we were reading
  }
}

/** SIGKILL to each pid; already-gone ones are skipped. */
export function killAll(pids: readonly number[]): void {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
}
