import { AbortMultipartUploadCommand, HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import type { Readable } from 'node:stream';
import type { StoredObjectInfo } from '../../contracts/events.js';
import { MeetcapError } from '../../contracts/errors.js';
import { HoldingCounter } from './holding.js';
import { UploadLifecycle } from './lifecycle.js';
import { httpStatus, s3Failure } from './s3-errors.js';

export interface S3UploadTarget {
  bucket: string;
  partSizeBytes: number;
  queueSize: number;
}

export type ObjectMeta = Omit<StoredObjectInfo, 'size'>;

export class S3Upload extends UploadLifecycle {
  private readonly gate = new HoldingCounter();
  private readonly upload: Upload;
  private readonly done: Promise<unknown>;
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly uploadIds = new Set<string>();

  constructor(
    private readonly client: S3Client,
    private readonly config: S3UploadTarget,
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
      partSize: config.partSizeBytes,
      queueSize: config.queueSize,
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

