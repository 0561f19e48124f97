import { readdirSync, readFileSync } from 'node:fs';
import { readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';

/**
 * Where a session's Chromium keeps its profile: a fresh directory per session, named after the
 * session so that someone other than the session can find it. The session removes it when it
 * closes the browser; a session that is killed (SIGKILL, the OOM killer, the stuck watchdog)
 * cannot, so the worker removes it when the session process has gone (scheduler/launcher.ts).
 * A profile holds the meeting platform's cookies and a few MB of cache: neither may pile up.
 */
const PREFIX = 'meetcap-chromium-';
const SAFE_ID = /^[A-Za-z0-9_-]{1,100}$/;
/** How long an orphaned Chromium gets to notice its DevTools pipe closed and exit by itself. */
const ORPHAN_EXIT_MS = 5_000;

/** The mkdtemp prefix for `sessionId`'s profile (a plain prefix when there is no usable id). */
export function profileDirPrefix(sessionId?: string): string {
  return join(tmpdir(), sessionId && SAFE_ID.test(sessionId) ? `${PREFIX}${sessionId}-` : PREFIX);
}

/**
 * Removes every profile directory `sessionId`'s browsers left behind; returns how many. A killed
 * session's Chromium outlives it for a moment and writes its profile as it shuts down, which would
 * bring a removed directory back: its processes get ORPHAN_EXIT_MS to exit, then SIGKILL.
 */
export async function removeProfileDirs(sessionId: string): Promise<number> {
  if (!SAFE_ID.test(sessionId)) return 0;
  const dirs = (await readdir(tmpdir())).filter((name) => name.startsWith(`${PREFIX}${sessionId}-`)).map((name) => join(tmpdir(), name));
  if (dirs.length === 0) return 0;
  const deadline = Date.now() + ORPHAN_EXIT_MS;
  let users = processesUsing(dirs);
  while (users.length > 0 && Date.now() < deadline) {
    await delay(100);
    users = processesUsing(dirs);
  }
  for (const pid of users) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true, maxRetries: 3 })));
  return dirs.length;
}

/** Pids whose command line names one of `dirs` as its --user-data-dir (Chromium's processes). */
function processesUsing(dirs: readonly string[]): number[] {
  const flags = dirs.map((dir) => `--user-data-dir=${dir}`);
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  return entries.filter((e) => /^\d+$/.test(e) && usesAny(e, flags)).map(Number);
}

function usesAny(pid: string, flags: readonly string[]): boolean {
  try {
    const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split(/[\0 ]/);
    return args.some((a) => flags.includes(a));
  } catch {
    return false; // exited while we were reading
  }
}
