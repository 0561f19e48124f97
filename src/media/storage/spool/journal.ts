import { open, readFile, readdir, rename } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * What a spool directory says about its upload, kept on disk so that whoever finds the directory
 * after a crash (the worker, or a worker restarted on the same disk) can finish the job.
 *
 *   journal.json    this record (replaced atomically: write a temp file, fsync, rename)
 *   context.json    the caller's own record (the session's manifest draft)
 *   part-N.bin      a sealed part not yet acknowledged by storage
 *   part-N.open     the part being written (ends wherever the crash cut it)
 */
export interface SpoolJournal {
  version: 1;
  key: string;
  contentType: string;
  uploadId?: string;
  /** Parts storage has acknowledged, in order. */
  parts: Array<{ partNumber: number; etag: string; size: number }>;
  /** Ticks per second of each track (from the moov), to turn fragment times into seconds. */
  timescales: Record<string, number>;
  /** Media seconds covered by the sealed parts (end of their last fragment). */
  sealedMediaSec: number;
  createdAt: string;
  /** The process writing this spool: a sweep leaves spools of live processes alone. */
  writerPid: number;
}

export const JOURNAL = 'journal.json';
export const CONTEXT = 'context.json';

export async function writeJsonAtomic(dir: string, name: string, value: unknown): Promise<void> {
  const tmp = join(dir, `.${name}.tmp`);
  const file = await open(tmp, 'w');
  try {
    await file.writeFile(`${JSON.stringify(value)}\n`);
    await file.sync();
  } finally {
    await file.close();
  }
  await rename(tmp, join(dir, name));
}

export async function readJson<T>(dir: string, name: string): Promise<T | undefined> {
  try {
    return JSON.parse(await readFile(join(dir, name), 'utf8')) as T;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

export interface PartFile {
  partNumber: number;
  path: string;
  sealed: boolean;
}

/** The part files still in a spool directory, in part order. */
export async function partFiles(dir: string): Promise<PartFile[]> {
  const names = await readdir(dir).catch(() => [] as string[]);
  return names
    .map((name) => /^part-(\d+)\.(bin|open)$/.exec(name))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ partNumber: Number(m[1]), path: join(dir, m[0]), sealed: m[2] === 'bin' }))
    .sort((a, b) => a.partNumber - b.partNumber);
}

export function partPath(dir: string, partNumber: number, sealed: boolean): string {
  return join(dir, `part-${String(partNumber).padStart(5, '0')}.${sealed ? 'bin' : 'open'}`);
}
