import { rm } from 'node:fs/promises';
import { setTimeout as delay } from 'node:timers/promises';
import { listProfileDirs } from '../session/profile-dir.js';
import { killAll, processesWithArg } from './process-tree.js';

/** How long an orphaned Chromium gets to notice its DevTools pipe closed and exit by itself. */
const ORPHAN_EXIT_MS = 5_000;

/**
 * Removes every browser profile `sessionId`'s Chromium left behind; returns how many. A session
 * that is killed (SIGKILL, the OOM killer, the stuck watchdog) cannot remove its own, and a
 * profile holds the meeting platform's cookies. The orphaned Chromium outlives the session for a
 * moment and writes its profile as it shuts down, which would bring a removed directory back: its
 * processes get ORPHAN_EXIT_MS to exit, then SIGKILL.
 */
export async function removeProfileDirs(sessionId: string): Promise<number> {
  const dirs = await listProfileDirs(sessionId);
  if (dirs.length === 0) return 0;
  const flags = dirs.map((dir) => `--user-data-dir=${dir}`);
  const deadline = Date.now() + ORPHAN_EXIT_MS;
  let users = processesWithArg(flags);
  while (users.length > 0 && Date.now() < deadline) {
    await delay(100);
    users = processesWithArg(flags);
  }
  killAll(users);
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true, maxRetries: 3 })));
  return dirs.length;
}
