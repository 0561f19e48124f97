import type { Readable } from 'node:stream';
import type { Logger } from 'pino';
import type { StoredObjectInfo } from '../../contracts/events.js';
import type { MeetcapError } from '../../contracts/errors.js';

/**
 * Where recordings go. One interface, two implementations (local directory, S3), one factory
 * (`createStorage`). An upload is streamed while the meeting runs and is either completed or
 * aborted at the end: an aborted upload leaves nothing behind (no partial file, no multipart).
 */
export interface Storage {
  readonly kind: 'local' | 's3';
  /** Starts streaming `body` to `key`. Nothing is visible at `key` until `complete()` resolves. */
  startUpload(key: string, contentType: string, body: Readable, options?: UploadOptions): StreamedUpload;
  /** Small objects written in one go (the manifest). */
  putObject(key: string, body: string | Buffer, contentType: string): Promise<StoredObjectInfo>;
  /**
   * A finished local file of any size (a file job's output), in parts when large. Nothing is
   * visible at `key` until it resolves; on failure no object and no pending multipart is left.
   */
  putFile(key: string, file: string, contentType: string): Promise<StoredObjectInfo>;
  /** Human/URI form of a key: `s3://bucket/key` or an absolute file path. */
  uriFor(key: string): string;
  /**
   * Streams an existing object (a file job's source). A missing key is `source_not_found`,
   * any other storage failure `source_fetch_failed`.
   */
  readObject(key: string): Promise<StoredObjectBody>;
}

export interface StoredObjectBody {
  body: Readable;
  /** Bytes, as the storage reports them before the body is read. */
  size: number;
}

/** How one streamed upload should behave; all optional. */
export interface UploadOptions {
  /**
   * Names the upload's spool directory (the session id), so a worker that outlives a crashed
   * session can find it and complete what was captured.
   */
  spoolName?: string;
  /** The most this upload can grow to (longest recording × bitrate): sizes the parts. */
  expectedMaxBytes?: number;
  log?: Logger;
}

export interface StreamedUpload {
  /** Bytes read from the body so far. */
  readonly bytesIn: number;
  /** Settles with a failure that stops the upload taking more media (spool_full); never settles otherwise. */
  readonly failure?: Promise<MeetcapError>;
  /** Stores the caller's record beside a spooled upload, for recovery after a crash. */
  writeContext?(value: unknown): Promise<void>;
  /** Resolves once the body has ended and the object is durable and visible. */
  complete(): Promise<StoredObjectInfo>;
  /** Stops the upload and removes every trace (partial file, multipart upload). Idempotent. */
  abort(): Promise<void>;
}
