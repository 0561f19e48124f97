import { readFile, readdir, rm, truncate } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { StoredObjectInfo } from '../../../contracts/events.js';
import { BoxSplitter, fragmentSpan, playablePrefix, trackTimescales } from './boxes.js';
import { CONTEXT, JOURNAL, partFiles, readJson, writeJsonAtomic, type PartFile, type SpoolJournal } from './journal.js';
import type { PartStore } from './parts.js';
import { completeParts } from './spooled-upload.js';
import type { RetryPolicy } from './retry.js';

export type Recovery =
  | { kind: 'completed'; object: StoredObjectInfo; mediaSec: number; context: unknown }
  /** Shorter than the minimum: the upload was aborted, nothing stays. */
  | { kind: 'discarded'; mediaSec: number; context: unknown }
  /** Nothing playable had been captured (or the directory was not a spool). */
  | { kind: 'empty'; context: unknown };

export interface RecoverOptions {
  /** Below this many media seconds the upload is aborted instead of completed. */
  minMediaSec?: number;
  log?: Logger;
  retry?: Partial<RetryPolicy>;
}

/**
 * Completes the upload a crashed writer left in `dir`: parts storage already has stay as they
 * are, parts still on disk are sent (the one being written is first cut back to its last whole
 * fragment), and the object is completed, so it plays up to the last fragment that reached the
 * disk. The directory is removed once storage has answered; if storage fails, the error is
 * thrown and the directory stays for the next attempt.
 */
export async function recoverSpool(dir: string, store: PartStore, opts: RecoverOptions = {}): Promise<Recovery> {
  const journal = await readJson<SpoolJournal>(dir, JOURNAL);
  const context = await readJson<unknown>(dir, CONTEXT);
  if (!journal) {
    await rm(dir, { recursive: true, force: true });
    return { kind: 'empty', context };
  }
  const acknowledged = new Set(journal.parts.map((p) => p.partNumber));
  // Crashed between storage's answer and the delete: that part is already there.
  const local = (await partFiles(dir)).filter((p) => !acknowledged.has(p.partNumber));
  const mediaSec = await trimAndTime(local, journal);
  const remaining = (await partFiles(dir)).filter((p) => !acknowledged.has(p.partNumber));
  if (journal.parts.length + remaining.length === 0 || mediaSec < (opts.minMediaSec ?? 0)) {
    if (journal.uploadId) await store.abort(journal.key, journal.uploadId);
    await rm(dir, { recursive: true, force: true });
    opts.log?.info({ key: journal.key, mediaSec }, 'crashed upload below the minimum or empty: aborted');
    return journal.parts.length + remaining.length === 0 ? { kind: 'empty', context } : { kind: 'discarded', mediaSec, context };
  }
  for (const part of remaining) {
    const body = await readFile(part.path);
    journal.uploadId ??= await store.create(journal.key, journal.contentType);
    const etag = await store.put(journal.key, journal.uploadId, part.partNumber, body);
    journal.parts.push({ partNumber: part.partNumber, etag, size: body.length });
    await writeJsonAtomic(dir, JOURNAL, journal);
  }
  journal.parts.sort((a, b) => a.partNumber - b.partNumber);
  const object = await completeParts(store, journal, { maxAttempts: 8, ...opts.retry, ...(opts.log ? { log: opts.log } : {}) });
  await rm(dir, { recursive: true, force: true });
  opts.log?.info({ key: journal.key, size: object.size, parts: journal.parts.length, mediaSec }, 'completed a crashed upload from its spool');
  return { kind: 'completed', object, mediaSec, context };
}

/**
 * Cuts the part that was being written back to its last whole fragment (dropping it when
 * nothing whole is left) and returns the media time the spool reaches. One file in memory at a time.
 */
async function trimAndTime(local: PartFile[], journal: SpoolJournal): Promise<number> {
  const clock = new FragmentClock(journal);
  for (const part of local) {
    const body = await readFile(part.path);
    const keep = part.sealed ? body.length : playablePrefix(body).length;
    if (keep === 0) {
      await rm(part.path, { force: true });
      continue;
    }
    if (keep < body.length) await truncate(part.path, keep);
    clock.scan(body.subarray(0, keep));
  }
  return clock.endSec();
}

/** Spool directories under `root` (one per upload), for a sweep after a restart. */
export async function spoolDirs(root: string): Promise<string[]> {
  const entries = await readdir(root, { withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isDirectory()).map((e) => join(root, e.name));
}

/** Media time through the local parts, falling back to what the journal noted at the last seal. */
class FragmentClock {
  private readonly scales: Map<number, number>;
  private end: number | undefined;

  constructor(private readonly journal: SpoolJournal) {
    this.scales = new Map(Object.entries(journal.timescales).map(([k, v]) => [Number(k), v]));
  }

  scan(body: Buffer): void {
    for (const box of new BoxSplitter().push(body)) {
      if (box.type === 'moov') for (const [track, scale] of trackTimescales(box.bytes)) this.scales.set(track, scale);
      if (box.type !== 'moof') continue;
      const span = fragmentSpan(box.bytes, this.scales);
      if (span) this.end = Math.max(this.end ?? 0, span.endSec);
    }
  }

  endSec(): number {
    return this.end ?? this.journal.sealedMediaSec;
  }
}
