import type { Readable } from 'node:stream';
import type { StoredObjectInfo } from '../../contracts/events.js';

/**
 * Where recordings go. One interface, two implementations (local directory, S3), one factory
 * (`createStorage`). An upload is streamed while the meeting runs and is either completed or
 * aborted at the end: an aborted upload leaves nothing behind (no partial file, no multipart).
 */
export interface Storage {
  readonly kind: 'local' | 's3';
  /** Starts streaming `body` to `key`. Nothing is visible at `key` until `complete()` resolves. */
  startUpload(key: string, contentType: string, body: Readable): StreamedUpload;
  /** Small objects written in one go (the manifest). */
  putObject(key: string, body: string | Buffer, contentType: string): Promise<StoredObjectInfo>;
  /** Human/URI form of a key: `s3://bucket/key` or an absolute file path. */
  uriFor(key: string): string;
}

export interface StreamedUpload {
  /** Bytes read from the body so far. */
  readonly bytesIn: number;
  /** Resolves once the body has ended and the object is durable and visible. */
  complete(): Promise<StoredObjectInfo>;
  /** Stops the upload and removes every trace (partial file, multipart upload). Idempotent. */
  abort(): Promise<void>;
}
