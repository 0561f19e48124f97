import { createWriteStream } from 'node:fs';
import { Readable, Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Logger } from 'pino';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { MeetcapError, type FileJob } from '../contracts/index.js';
import type { Storage } from '../media/storage/storage.js';
import { assertUrlAllowed, safeUrl, type TenantSettings } from './allow-list.js';

export interface FetchOptions {
  storage: Storage;
  tenant: TenantSettings;
  /** Where the source is written (inside the job's work directory). */
  target: string;
  maxBytes: number;
  log: Logger;
  signal: AbortSignal;
  /** No byte for this long ends the fetch (`source_fetch_failed`); so a stalled server cannot hang the job. */
  idleTimeoutMs?: number;
}

export interface FetchedSource {
  file: string;
  bytes: number;
  /** Where it came from, safe to log and to store: `s3://bucket/key`, a path, or origin + path. */
  origin: string;
}

const MAX_REDIRECTS = 5;
const DEFAULT_IDLE_MS = 60_000;

/** Copies the job's source to `target`: an object in storage, or an allow-listed http(s) URL. */
export async function fetchSource(job: FileJob, o: FetchOptions): Promise<FetchedSource> {
  const { key, url } = job.file;
  if (key !== undefined) {
    const { body, size } = await o.storage.readObject(key);
    if (size > o.maxBytes) {
      body.destroy();
      throw tooLarge(size, o.maxBytes);
    }
    const origin = o.storage.uriFor(key);
    o.log.info({ source: origin, bytes: size }, 'fetching source from storage');
    const bytes = await save(body, o);
    return { file: o.target, bytes, origin };
  }
  if (url === undefined) throw new MeetcapError('invalid_job', 'a file job names a key or a url');
  // Checked before any request: a refused URL is never contacted.
  assertUrlAllowed(url, o.tenant, job.tenantId);
  const { res, finalUrl } = await get(url, job, o);
  o.log.info({ source: safeUrl(finalUrl), status: res.status }, 'fetching source over http');
  const declared = Number(res.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > o.maxBytes) {
    await res.body?.cancel();
    throw tooLarge(declared, o.maxBytes);
  }
  const body = res.body ? Readable.fromWeb(res.body as WebReadableStream) : Readable.from([]);
  const bytes = await save(body, o);
  return { file: o.target, bytes, origin: safeUrl(finalUrl) };
}

/** GET with every redirect re-checked against the allow-list (fetch would follow them blindly). */
async function get(url: string, job: FileJob, o: FetchOptions): Promise<{ res: Response; finalUrl: string }> {
  let current = url;
  for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
    let res: Response;
    try {
      res = await fetch(current, { redirect: 'manual', signal: o.signal });
    } catch (err) {
      if (o.signal.aborted) throw new MeetcapError('stopped_by_operator', 'stopped while fetching the source');
      throw new MeetcapError('source_fetch_failed', `GET ${safeUrl(current)} failed: ${(err as Error).message}`, { url: safeUrl(current) });
    }
    if (res.status >= 300 && res.status < 400 && res.headers.has('location')) {
      await res.body?.cancel();
      const next = new URL(res.headers.get('location') ?? '', current).toString();
      o.log.info({ from: safeUrl(current), to: safeUrl(next), status: res.status }, 'source redirected');
      assertUrlAllowed(next, o.tenant, job.tenantId);
      current = next;
      continue;
    }
    if (res.ok) return { res, finalUrl: current };
    await res.body?.cancel();
    const code = res.status === 404 || res.status === 410 ? 'source_not_found' : 'source_fetch_failed';
    throw new MeetcapError(code, `GET ${safeUrl(current)} answered ${res.status}`, { url: safeUrl(current), status: res.status });
  }
  throw new MeetcapError('source_fetch_failed', `more than ${MAX_REDIRECTS} redirects from ${safeUrl(url)}`, { url: safeUrl(url) });
}

/** Streams `body` to the target file with the size cap and the idle timeout. Returns the bytes written. */
async function save(body: Readable, o: FetchOptions): Promise<number> {
  const limiter = new ByteLimit(o.maxBytes, o.idleTimeoutMs ?? DEFAULT_IDLE_MS);
  try {
    await pipeline(body, limiter, createWriteStream(o.target, { flags: 'wx' }), { signal: o.signal });
    return limiter.bytes;
  } catch (err) {
    if (o.signal.aborted) throw new MeetcapError('stopped_by_operator', 'stopped while fetching the source');
    if (err instanceof MeetcapError) throw err;
    throw new MeetcapError('source_fetch_failed', `reading the source failed: ${(err as Error).message}`);
  } finally {
    limiter.stopTimer();
  }
}

/** Counts bytes, fails past the cap, and fails when nothing arrives for `idleMs`. */
class ByteLimit extends Transform {
  bytes = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly maxBytes: number,
    private readonly idleMs: number,
  ) {
    super();
    this.arm();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.bytes > this.maxBytes) return done(tooLarge(this.bytes, this.maxBytes));
    this.arm();
    done(null, chunk);
  }

  override _flush(done: TransformCallback): void {
    this.stopTimer();
    done();
  }

  stopTimer(): void {
    clearTimeout(this.timer);
  }

  private arm(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.destroy(new MeetcapError('source_fetch_failed', `no data from the source for ${this.idleMs / 1000} s`));
    }, this.idleMs);
  }
}

/** There is no better code for an oversized file: it is one we cannot read within our limits. */
function tooLarge(bytes: number, maxBytes: number): MeetcapError {
  return new MeetcapError('source_unreadable', `the file is larger than the ingest limit (${bytes} > ${maxBytes} bytes)`, { bytes, maxBytes });
}
