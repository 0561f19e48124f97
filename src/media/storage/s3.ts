import {
  PutObjectCommand,
  S3Client,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import type { Readable } from 'node:stream';
import type { StoredObjectInfo } from '../../contracts/events.js';
import { validateKey } from './keys.js';
import { s3Failure } from './s3-errors.js';
import { S3Upload } from './s3-upload.js';
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
    const target = { bucket: this.config.bucket, partSizeBytes: this.config.partSizeBytes ?? DEFAULT_PART_SIZE, queueSize: this.config.queueSize ?? 2 };
    return new S3Upload(client, target, meta, body);
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

