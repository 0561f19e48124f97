import {
  GetObjectCommand,
  PutObjectCommand,
  S3Client,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { randomBytes } from 'node:crypto';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { StoredObjectInfo } from '../../contracts/events.js';
import { MeetcapError } from '../../contracts/errors.js';
import { validateKey } from './keys.js';
import { httpStatus, s3Failure } from './s3-errors.js';
import { S3PartStore } from './s3-parts.js';
import type { RetryPolicy } from './spool/retry.js';
import { partSizeForBytes, type PartStore } from './spool/parts.js';
import { SpooledUpload } from './spool/spooled-upload.js';
import type { Storage, StoredObjectBody, UploadOptions } from './storage.js';

export interface S3StorageConfig {
  bucket: string;
  region: string;
  endpoint?: string;
  forcePathStyle?: boolean;
  /** Absent: the SDK's default provider chain (env, profile, instance role). */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** Fixed multipart part size (default: sized per upload from its expected maximum, at least 5 MiB). */
  partSizeBytes?: number;
  /** Where uploads spool their parts until S3 has them (one directory per upload). */
  spoolDir?: string;
  /** Most bytes one upload may hold on disk while S3 is unreachable. */
  maxSpoolBytes?: number;
  /** Test hook: retry timing for part uploads. */
  retry?: Partial<RetryPolicy>;
}

export const DEFAULT_SPOOL_DIR = join(tmpdir(), 'meetcap-spool');
/** About 1 h 40 min of 720p at 2.6 Mbit/s: a long S3 outage, and far below a worker's disk. */
export const DEFAULT_MAX_SPOOL_BYTES = 2 * 1024 ** 3;

export class S3Storage implements Storage {
  readonly kind = 's3' as const;
  private readonly client: S3Client;

  constructor(private readonly config: S3StorageConfig) {
    this.client = new S3Client(clientConfig(config));
  }

  uriFor(key: string): string {
    return `s3://${this.config.bucket}/${key}`;
  }

  startUpload(key: string, contentType: string, body: Readable, options: UploadOptions = {}): SpooledUpload {
    validateKey(key);
    const name = options.spoolName ?? `upload-${randomBytes(8).toString('hex')}`;
    if (!/^[A-Za-z0-9_-]{1,100}$/.test(name)) throw new MeetcapError('upload_failed', 'invalid spool name');
    return new SpooledUpload(body, {
      dir: join(this.spoolDir, name),
      key,
      contentType,
      store: this.parts,
      partSizeBytes: this.config.partSizeBytes ?? partSizeForBytes(options.expectedMaxBytes ?? 0),
      maxSpoolBytes: this.config.maxSpoolBytes ?? DEFAULT_MAX_SPOOL_BYTES,
      ...(options.log ? { log: options.log } : {}),
      ...(this.config.retry ? { retry: this.config.retry } : {}),
    });
  }

  /** Where this storage's uploads spool (the worker looks here after a session crash). */
  get spoolDir(): string {
    return this.config.spoolDir ?? DEFAULT_SPOOL_DIR;
  }

  /** The multipart operations, for completing a crashed session's spool. */
  get parts(): PartStore {
    return (this.partStore ??= new S3PartStore(this.client, this.config.bucket));
  }

  private partStore: S3PartStore | undefined;

  async putObject(key: string, body: string | Buffer, contentType: string): Promise<StoredObjectInfo> {
    validateKey(key);
    try {
      await this.client.send(new PutObjectCommand({ Bucket: this.config.bucket, Key: key, Body: body, ContentType: contentType }));
    } catch (err) {
      throw s3Failure(err, 'PutObject');
    }
    return { key, uri: this.uriFor(key), size: Buffer.byteLength(body), contentType };
  }

  async putFile(key: string, file: string, contentType: string): Promise<StoredObjectInfo> {
    validateKey(key);
    const handle = await open(file, 'r').catch((err: unknown) => {
      throw new MeetcapError('upload_failed', `cannot read ${file}: ${(err as Error).message}`);
    });
    try {
      const { size } = await handle.stat();
      const partSize = this.config.partSizeBytes ?? partSizeForBytes(size, 1);
      if (size <= partSize) return await this.putObject(key, await handle.readFile(), contentType);
      // One part in memory at a time, sent in order; any failure aborts the upload so no parts linger.
      const uploadId = await this.parts.create(key, contentType);
      try {
        const etags: Array<{ partNumber: number; etag: string }> = [];
        for (let offset = 0, partNumber = 1; offset < size; offset += partSize, partNumber++) {
          const buffer = Buffer.alloc(Math.min(partSize, size - offset));
          await handle.read(buffer, 0, buffer.length, offset);
          etags.push({ partNumber, etag: await this.parts.put(key, uploadId, partNumber, buffer) });
        }
        await this.parts.complete(key, uploadId, etags);
      } catch (err) {
        await this.parts.abort(key, uploadId).catch(() => undefined);
        throw s3Failure(err, 'UploadPart');
      }
      return { key, uri: this.uriFor(key), size, contentType };
    } finally {
      await handle.close();
    }
  }

  async readObject(key: string): Promise<StoredObjectBody> {
    validateKey(key);
    try {
      const out = await this.client.send(new GetObjectCommand({ Bucket: this.config.bucket, Key: key }));
      if (!(out.Body instanceof Readable)) throw new Error('GetObject returned no readable body');
      return { body: out.Body, size: out.ContentLength ?? 0 };
    } catch (err) {
      const e = s3Failure(err, 'GetObject');
      const missing = e.details['s3Code'] === 'NoSuchKey' || httpStatus(err) === 404;
      throw new MeetcapError(missing ? 'source_not_found' : 'source_fetch_failed', e.message, { ...e.details, key });
    }
  }

  /** Releases the shared client's sockets. Idempotent. */
  close(): void {
    this.client.destroy();
  }
}

function clientConfig(config: S3StorageConfig): S3ClientConfig {
  return {
    region: config.region,
    ...(config.endpoint ? { endpoint: config.endpoint } : {}),
    forcePathStyle: config.forcePathStyle ?? false,
    ...(config.credentials ? { credentials: config.credentials } : {}),
  };
}

