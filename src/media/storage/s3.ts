import {
  AbortMultipartUploadCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import type { Readable } from 'node:stream';
import type { StoredObjectInfo } from '../../contracts/events.js';
import { MeetcapError } from '../../contracts/errors.js';
import { HoldingCounter } from './holding.js';
import { validateKey } from './keys.js';
import { UploadLifecycle } from './lifecycle.js';
import type { Storage, StreamedUpload } from './storage.js';

export interface S3StorageConfig {
  bucket: string;
  region: string;
  endpoint?: string;
  forcePathStyle?: boolean;
  /** Absent: the SDK's default provider chain (env, profile, instance role). */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** Multipart part size; S3's minimum (and lib-storage's) is 5 MiB. */
  partSizeBytes?: number;
  /** Parts in flight at once; each holds a part-sized buffer in memory. */
  queueSize?: number;
}

export const DEFAULT_PART_SIZE = 8 * 1024 * 1024;

export class S3Storage implements Storage {
  readonly kind = 's3' as const;
  private readonly client: S3Client;

  constructor(private readonly config: S3StorageConfig) {
    this.client = new S3Client(clientConfig(config));
  }

  uriFor(key: string): string {
    return `s3://${this.config.bucket}/${key}`;
  }

  startUpload(key: string, contentType: string, body: Readable): StreamedUpload {
    validateKey(key);
    // One client per upload, so the requests of this upload (and its UploadId) can be tracked
    // without correlating across concurrent uploads.
    const client = new S3Client(clientConfig(this.config));
    const meta = { key, uri: this.uriFor(key), contentType };
    return new S3Upload(client, this.config, meta, body);
  }

  async putObject(key: string, body: string | Buffer, contentType: string): Promise<StoredObjectInfo> {
    validateKey(key);
    try {
      await this.client.send(new PutObjectCommand({ Bucket: this.config.bucket, Key: key, Body: body, ContentType: contentType }));
    } catch (err) {
      throw s3Failure(err, 'PutObject');
    }
    return { key, uri: this.uriFor(key), size: Buffer.byteLength(body), contentType };
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

type ObjectMeta = Omit<StoredObjectInfo, 'size'>;

class S3Upload extends UploadLifecycle {
  private readonly gate = new HoldingCounter();
  private readonly upload: Upload;
  private readonly done: Promise<unknown>;
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly uploadIds = new Set<string>();

  constructor(
    private readonly client: S3Client,
    private readonly config: S3StorageConfig,
    private readonly meta: ObjectMeta,
    private readonly body: Readable,
  ) {
    super();
    this.trackRequests();
    body.on('error', (err) => this.gate.destroy(err));
    body.pipe(this.gate);
    this.upload = new Upload({
      client,
      params: { Bucket: config.bucket, Key: meta.key, Body: this.gate, ContentType: meta.contentType },
      partSize: config.partSizeBytes ?? DEFAULT_PART_SIZE,
      queueSize: config.queueSize ?? 2,
      leavePartsOnError: false,
    });
    this.done = this.upload.done();
    this.done.catch(() => undefined);
  }

  get bytesIn(): number {
    return this.gate.bytes;
  }


  protected async finish(): Promise<StoredObjectInfo> {
    this.state = 'completing';
    try {
      await this.gate.sourceEnded;
      this.gate.release();
      await this.done;
      const head = await this.client.send(new HeadObjectCommand({ Bucket: this.config.bucket, Key: this.meta.key }));
      if (head.ContentLength !== this.gate.bytes) {
        throw new MeetcapError('upload_failed', 'stored object size differs from bytes sent', {
          stored: head.ContentLength,
          sent: this.gate.bytes,
        });
      }
      this.state = 'completed';
      this.client.destroy();
      return { ...this.meta, size: this.gate.bytes };
    } catch (err) {
      this.state = 'aborted';
      await this.cleanUp().catch(() => undefined);
      throw s3Failure(err, 'CompleteUpload');
    }
  }

  /**
   * lib-storage's abort() only rejects done(); its own AbortMultipartUpload runs later in the
   * background, once in-flight parts settle. We end the body so its readers stop, wait for every
   * request of this upload to settle, then abort each multipart upload ourselves (NoSuchUpload
   * just means lib-storage got there first). Parts still in flight during an abort can survive
   * it on real S3, hence waiting first.
   */
  protected async cleanUp(): Promise<void> {
    await this.upload.abort();
    this.gate.destroy();
    this.body.unpipe(this.gate);
    this.body.destroy();
    await this.done.catch(() => undefined);
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
    for (const uploadId of this.uploadIds) await this.abortMultipart(uploadId);
    this.client.destroy();
  }

  private async abortMultipart(uploadId: string): Promise<void> {
    const input = { Bucket: this.config.bucket, Key: this.meta.key, UploadId: uploadId };
    try {
      await this.client.send(new AbortMultipartUploadCommand(input));
    } catch (err) {
      const status = httpStatus(err);
      if ((err as Error).name === 'NoSuchUpload' || status === 404) return;
      throw s3Failure(err, 'AbortMultipartUpload');
    }
  }

  private trackRequests(): void {
    this.client.middlewareStack.add(
      (next, context) => async (args) => {
        const request = next(args);
        this.inFlight.add(request);
        try {
          const result = await request;
          const output = result.output as { UploadId?: string };
          if (context.commandName === 'CreateMultipartUploadCommand' && output.UploadId) {
            this.uploadIds.add(output.UploadId);
          }
          return result;
        } finally {
          this.inFlight.delete(request);
        }
      },
      { step: 'initialize', name: 'meetcapTrackUploadRequests' },
    );
  }
}

function httpStatus(err: unknown): number | undefined {
  return (err as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;
}

/**
 * SDK errors carry the whole HTTP response (sockets, agents); keep only what explains the
 * failure, so logging the error stays small and never includes request headers.
 */
function s3Failure(err: unknown, operation: string): MeetcapError {
  if (err instanceof MeetcapError) return err;
  const e = err as { name?: string; message?: string };
  const details = { operation, s3Code: e.name, status: httpStatus(err) };
  return new MeetcapError('upload_failed', `S3 ${operation} failed: ${e.message ?? String(err)}`, details);
}
