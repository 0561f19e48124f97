import { mkdirSync } from 'node:fs';
import { open, readFile, rename, rm, truncate, type FileHandle } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import type { StoredObjectInfo } from '../../../contracts/events.js';
import { MeetcapError, toMeetcapError } from '../../../contracts/errors.js';
import { UploadLifecycle } from '../lifecycle.js';
import { BoxSplitter, fragmentSpan, isCutPoint, playablePrefix, trackTimescales, type Box } from './boxes.js';
import { CONTEXT, JOURNAL, partPath, writeJsonAtomic, type SpoolJournal } from './journal.js';
import type { PartStore } from './parts.js';
import { withRetries, type RetryPolicy } from './retry.js';

export interface SpoolOptions {
  /** This upload's own directory: created here, removed once the object is complete or aborted. */
  dir: string;
  key: string;
  contentType: string;
  store: PartStore;
  partSizeBytes: number;
  /** Most bytes held on disk while storage is unreachable; beyond it the upload fails with spool_full. */
  maxSpoolBytes: number;
  log?: Logger;
  /** How long complete() waits for storage before leaving the spool to recovery. */
  completeTimeoutMs?: number;
  retry?: Partial<RetryPolicy>;
}

interface OpenPart {
  partNumber: number;
  handle: FileHandle;
  bytes: number;
}

/**
 * A fragmented-MP4 stream uploaded as it is produced. Whole boxes go to part files on local
 * disk; a part is sealed at the first fragment end past the part size and sent to storage in
 * the background, retried with backoff for as long as it takes; once acknowledged it leaves the
 * disk. So storage holds everything but the last part or so, a storage outage only grows the
 * spool (up to its bound), and a crash leaves a directory from which `recoverSpool` completes a
 * playable object: every part starts and ends on a box boundary.
 */
export class SpooledUpload extends UploadLifecycle {
  /** Settles with the first failure that ends spooling early (spool_full); never settles otherwise. */
  readonly failure: Promise<MeetcapError>;
  private reportFailure!: (e: MeetcapError) => void;
  private readonly journal: SpoolJournal;
  private readonly splitter = new BoxSplitter();
  private readonly sealed: number[] = [];
  private readonly retry: Partial<RetryPolicy>;
  private readonly stop = new AbortController();
  private current: OpenPart | undefined;
  private nextPart = 1;
  private received = 0;
  private spooled = 0;
  private full = false;
  private finalSealed = false;
  /** Complete gave up waiting for storage: the directory stays for recovery. */
  private retained = false;
  private mediaEnd = 0;
  private wakeUploader: () => void = () => undefined;
  private readonly pump: Promise<void>;
  private readonly uploader: Promise<void>;
  private contextWrites: Promise<void> = Promise.resolve();
  private journalWrites: Promise<void>;

  constructor(
    private readonly body: Readable,
    private readonly o: SpoolOptions,
  ) {
    super();
    mkdirSync(o.dir, { recursive: true });
    this.failure = new Promise((resolve) => (this.reportFailure = resolve));
    this.retry = { ...o.retry, signal: this.stop.signal, log: o.log };
    this.journal = { version: 1, key: o.key, contentType: o.contentType, parts: [], timescales: {}, sealedMediaSec: 0, createdAt: new Date().toISOString(), writerPid: process.pid };
    // The key and type go to disk first: a crash before the first part still names its object.
    this.journalWrites = writeJsonAtomic(o.dir, JOURNAL, this.journal);
    this.journalWrites.catch(() => undefined);
    this.pump = this.readBody();
    this.pump.catch(() => undefined);
    this.uploader = this.uploadParts();
    this.uploader.catch(() => undefined);
  }

  get bytesIn(): number {
    return this.received;
  }

  /** Bytes on local disk that storage has not acknowledged yet. */
  get spooledBytes(): number {
    return this.spooled;
  }

  /** Media seconds the stream has reached (the end of its latest fragment). */
  get mediaSec(): number {
    return this.mediaEnd;
  }

  /** Saves the caller's record next to the parts, for whoever recovers this spool after a crash. */
  writeContext(value: unknown): Promise<void> {
    this.contextWrites = this.contextWrites.then(() => writeJsonAtomic(this.o.dir, CONTEXT, value)).catch((err: unknown) => {
      this.o.log?.warn({ err: (err as Error).message }, 'could not save the spool context');
    });
    return this.contextWrites;
  }

  protected async finish(): Promise<StoredObjectInfo> {
    this.state = 'completing';
    try {
      await this.pump;
      await this.sealFinal();
      await this.drainWithin(this.o.completeTimeoutMs ?? 600_000);
      const info = await completeParts(this.o.store, this.journal, { ...this.retry, maxAttempts: 8 });
      await Promise.allSettled([this.contextWrites, this.journalWrites]);
      await rm(this.o.dir, { recursive: true, force: true });
      this.state = 'completed';
      return info;
    } catch (err) {
      this.state = 'aborted';
      throw toMeetcapError(err, 'upload_failed');
    }
  }

  protected async cleanUp(): Promise<void> {
    this.stop.abort();
    this.wakeUploader();
    this.body.destroy();
    await Promise.allSettled([this.pump, this.uploader]);
    await this.current?.handle.close().catch(() => undefined);
    await Promise.allSettled([this.contextWrites, this.journalWrites]);
    if (this.retained) return;
    if (this.journal.uploadId) await this.o.store.abort(this.o.key, this.journal.uploadId);
    await rm(this.o.dir, { recursive: true, force: true });
  }

  private async readBody(): Promise<void> {
    for await (const chunk of this.body as AsyncIterable<Buffer>) {
      this.received += chunk.length;
      if (this.full || this.stop.signal.aborted) continue; // drained so the producer is not blocked
      for (const box of this.splitter.push(chunk)) await this.writeBox(box);
    }
  }

  private async writeBox(box: Box): Promise<void> {
    if (this.full) return;
    if (this.spooled + box.bytes.length > this.o.maxSpoolBytes) {
      this.full = true;
      const e = new MeetcapError('spool_full', `storage unreachable and the spool reached ${this.o.maxSpoolBytes} bytes`, { spooled: this.spooled });
      this.o.log?.error({ spooled: this.spooled }, 'spool full: recording stops here; what was spooled is kept');
      this.reportFailure(e);
      return;
    }
    this.noteTiming(box);
    this.current ??= { partNumber: this.nextPart, handle: await open(partPath(this.o.dir, this.nextPart, false), 'w'), bytes: 0 };
    await this.current.handle.write(box.bytes);
    this.current.bytes += box.bytes.length;
    this.spooled += box.bytes.length;
    if (this.current.bytes >= this.o.partSizeBytes && isCutPoint(box.type)) await this.seal(this.current);
  }

  private noteTiming(box: Box): void {
    if (box.type === 'moov') {
      for (const [track, scale] of trackTimescales(box.bytes)) this.journal.timescales[String(track)] = scale;
    } else if (box.type === 'moof') {
      const scales = new Map(Object.entries(this.journal.timescales).map(([k, v]) => [Number(k), v]));
      const span = fragmentSpan(box.bytes, scales);
      if (span) this.mediaEnd = Math.max(this.mediaEnd, span.endSec);
    }
  }

  private async seal(part: OpenPart): Promise<void> {
    await part.handle.datasync();
    await part.handle.close();
    await this.publish(part);
  }

  /** A closed part file becomes sealed: renamed, queued for the uploader. */
  private async publish(part: OpenPart): Promise<void> {
    await rename(partPath(this.o.dir, part.partNumber, false), partPath(this.o.dir, part.partNumber, true));
    this.current = undefined;
    this.nextPart += 1;
    this.journal.sealedMediaSec = this.mediaSec;
    this.sealed.push(part.partNumber);
    this.wakeUploader();
  }

  /** The last part ends at the last whole fragment; a box cut short by the end is dropped. */
  private async sealFinal(): Promise<void> {
    const part = this.current;
    if (part) {
      await part.handle.datasync();
      await part.handle.close();
      const open = partPath(this.o.dir, part.partNumber, false);
      const keep = playablePrefix(await readFile(open)).length;
      if (keep < part.bytes) {
        await truncate(open, keep);
        this.spooled -= part.bytes - keep;
        part.bytes = keep;
      }
      if (keep > 0) await this.publish(part);
      else {
        this.current = undefined;
        await rm(open, { force: true });
      }
    }
    this.finalSealed = true;
    this.wakeUploader();
    if (this.journal.parts.length === 0 && this.sealed.length === 0) throw new MeetcapError('upload_failed', 'nothing was recorded');
  }

  private async drainWithin(ms: number): Promise<void> {
    const timer = sleep(ms, 'timeout' as const, { ref: false });
    if ((await Promise.race([this.uploader.then(() => 'done' as const), timer])) === 'timeout') {
      this.retained = true;
      throw new MeetcapError('upload_failed', `storage did not take the last parts within ${ms} ms; the spool is kept for recovery`, {
        spoolDir: this.o.dir,
      });
    }
  }

  private saveJournal(): Promise<void> {
    this.journalWrites = this.journalWrites.catch(() => undefined).then(() => writeJsonAtomic(this.o.dir, JOURNAL, this.journal));
    return this.journalWrites;
  }

  /** Sends sealed parts in order, one at a time (memory: one part), retrying each until it lands. */
  private async uploadParts(): Promise<void> {
    for (;;) {
      if (this.stop.signal.aborted) return;
      const partNumber = this.sealed[0];
      if (partNumber === undefined) {
        if (this.finalSealed) return;
        await new Promise<void>((resolve) => (this.wakeUploader = resolve));
        continue;
      }
      const { key, contentType, store } = this.o;
      if (!this.journal.uploadId) {
        this.journal.uploadId = await withRetries('CreateMultipartUpload', () => store.create(key, contentType), this.retry);
        await this.saveJournal();
      }
      const path = partPath(this.o.dir, partNumber, true);
      const body = await readFile(path);
      const { uploadId } = this.journal;
      const etag = await withRetries(`UploadPart ${partNumber}`, () => store.put(key, uploadId, partNumber, body), this.retry);
      this.journal.parts.push({ partNumber, etag, size: body.length });
      await this.saveJournal();
      await rm(path, { force: true });
      this.spooled -= body.length;
      this.sealed.shift();
    }
  }
}

/** Completes a multipart upload from its journal and checks the stored size. */
export async function completeParts(store: PartStore, journal: SpoolJournal, retry: Partial<RetryPolicy>): Promise<StoredObjectInfo> {
  const { key, uploadId, parts, contentType } = journal;
  if (!uploadId || parts.length === 0) throw new MeetcapError('upload_failed', 'nothing to complete');
  await withRetries('CompleteMultipartUpload', () => store.complete(key, uploadId, parts), retry);
  const size = parts.reduce((sum, p) => sum + p.size, 0);
  const stored = await withRetries('HeadObject', () => store.size(key), retry);
  if (stored !== size) throw new MeetcapError('upload_failed', 'stored object size differs from bytes sent', { stored, sent: size });
  return { key, uri: store.uriFor(key), size, contentType };
}
