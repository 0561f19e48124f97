import { readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Where a session's Chromium keeps its profile: a fresh directory per session, named after the
 * session so that someone other than the session can find it. The session removes it when it
 * closes the browser; a session that is killed cannot, so the worker removes it when the session
 * process has gone (scheduler/profile-cleanup.ts).
 */
const PREFIX = 'meetcap-chromium-';
const SAFE_ID = /^[A-Za-z0-9_-]{1,100}$/;

/** The mkdtemp prefix for `sessionId`'s profile (a plain prefix when there is no usable id). */
export function profileDirPrefix(sessionId?: string): string {
  return join(tmpdir(), sessionId && SAFE_ID.test(sessionId) ? `${PREFIX}${sessionId}-` : PREFIX);
}

/** The profile directories of `sessionId`'s browsers that exist now. */
export async function listProfileDirs(sessionId: string): Promise<string[]> {
  if (!SAFE_ID.test(sessionId)) return [];
  const names = await readdir(tmpdir());
  return names.filter((name) => name.startsWith(`${PREFIX}${sessionId}-`)).map((name) => join(tmpdir(), name));
}
