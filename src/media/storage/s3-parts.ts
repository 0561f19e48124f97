import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  HeadObjectCommand,
  UploadPartCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { httpStatus, s3Failure } from './s3-errors.js';
import type { PartStore } from './spool/parts.js';

/** S3's multipart API as a PartStore. Errors become upload_failed with the S3 code, never the request. */
export class S3PartStore implements PartStore {
  constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
  ) {}

  uriFor(key: string): string {
    return `s3://${this.bucket}/${key}`;
  }

  async create(key: string, contentType: string): Promise<string> {
    const out = await this.call('CreateMultipartUpload', () => this.client.send(new CreateMultipartUploadCommand({ Bucket: this.bucket, Key: key, ContentType: contentType })));
    if (!out.UploadId) throw s3Failure(new Error('no UploadId in the answer'), 'CreateMultipartUpload');
    return out.UploadId;
  }

  async put(key: string, uploadId: string, partNumber: number, body: Buffer): Promise<string> {
    const input = { Bucket: this.bucket, Key: key, UploadId: uploadId, PartNumber: partNumber, Body: body, ContentLength: body.length };
    const out = await this.call('UploadPart', () => this.client.send(new UploadPartCommand(input)));
    if (!out.ETag) throw s3Failure(new Error('no ETag in the answer'), 'UploadPart');
    return out.ETag;
  }

  async complete(key: string, uploadId: string, parts: ReadonlyArray<{ partNumber: number; etag: string }>): Promise<void> {
    const MultipartUpload = { Parts: parts.map((p) => ({ PartNumber: p.partNumber, ETag: p.etag })) };
    await this.call('CompleteMultipartUpload', () => this.client.send(new CompleteMultipartUploadCommand({ Bucket: this.bucket, Key: key, UploadId: uploadId, MultipartUpload })));
  }

  async abort(key: string, uploadId: string): Promise<void> {
    try {
      await this.client.send(new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: key, UploadId: uploadId }));
    } catch (err) {
      if ((err as Error).name === 'NoSuchUpload' || httpStatus(err) === 404) return;
      throw s3Failure(err, 'AbortMultipartUpload');
    }
  }

  async size(key: string): Promise<number | undefined> {
    const head = await this.call('HeadObject', () => this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key })));
    return head.ContentLength;
  }

  private async call<T>(operation: string, request: () => Promise<T>): Promise<T> {
    try {
      return await request();
    } catch (err) {
      throw s3Failure(err, operation);
    }
  }
}
