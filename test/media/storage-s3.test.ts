import { GetObjectCommand, HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { readdir } from 'node:fs/promises';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MeetcapError } from '../../src/contracts/errors.js';
import { S3Storage } from '../../src/media/storage/s3.js';
import { startS3rver, type TestS3 } from '../helpers/s3rver.js';

const MiB = 1024 * 1024;
const credentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

describe('S3Storage against s3rver', () => {
  let s3: TestS3;
  let storage: S3Storage;
  let client: S3Client;

  beforeAll(async () => {
    s3 = await startS3rver();
    const config = { bucket: s3.bucket, region: 'us-east-1', endpoint: s3.endpoint, forcePathStyle: true, credentials };
    storage = new S3Storage({ ...config, partSizeBytes: 5 * MiB });
    client = new S3Client(config);
  });
  afterAll(async () => {
    storage?.close();
    client?.destroy();
    await s3?.close();
  });

  const head = (key: string) => client.send(new HeadObjectCommand({ Bucket: s3.bucket, Key: key }));

  it('streams a multipart upload that appears only on complete, with the right size', async () => {
    const body = new PassThrough();
    const upload = storage.startUpload('t1/rec.mp4', 'video/mp4', body);
    const size = 11 * MiB + 123;
    body.write(Buffer.alloc(6 * MiB, 7));
    body.end(Buffer.alloc(size - 6 * MiB, 8));
    // Body has ended, yet nothing may be visible until complete().
    await expect.poll(() => upload.bytesIn).toBe(size);
    await expect(head('t1/rec.mp4')).rejects.toThrow();
    const info = await upload.complete();
    expect(info).toEqual({ key: 't1/rec.mp4', uri: `s3://${s3.bucket}/t1/rec.mp4`, size, contentType: 'video/mp4' });
    const stored = await head('t1/rec.mp4');
    expect(stored.ContentLength).toBe(size);
    expect(stored.ContentType).toBe('video/mp4');
    expect(await s3.pendingUploads()).toEqual([]);
  });

  it('a small body goes up as a single PUT', async () => {
    const body = new PassThrough();
    const upload = storage.startUpload('t1/small.m4a', 'audio/mp4', body);
    body.end(Buffer.from('tiny'));
    const info = await upload.complete();
    expect(info.size).toBe(4);
    const got = await client.send(new GetObjectCommand({ Bucket: s3.bucket, Key: 't1/small.m4a' }));
    expect(await got.Body?.transformToString()).toBe('tiny');
  });

  it('abort of an upload that went multipart leaves no object and no pending parts', async () => {
    const body = new PassThrough();
    const upload = storage.startUpload('t1/aborted.mp4', 'video/mp4', body);
    body.write(Buffer.alloc(12 * MiB, 3)); // two full parts go up while the body stays open
    await expect.poll(() => s3.pendingUploads(), { timeout: 10_000 }).toHaveLength(1);
    const [uploadId] = await s3.pendingUploads();
    const partsDir = `${s3.dir}/${s3.bucket}/._S3rver_uploads/${uploadId}`;
    await expect.poll(() => readdir(partsDir), { timeout: 10_000 }).toContain('1'); // part 1 stored
    await upload.abort();
    await upload.abort();
    expect(await s3.pendingUploads()).toEqual([]);
    await expect(head('t1/aborted.mp4')).rejects.toThrow();
    await expect(upload.complete()).rejects.toBeInstanceOf(MeetcapError);
  });

  it('abort after the body ended (too short to keep) also leaves nothing', async () => {
    const body = new PassThrough();
    const upload = storage.startUpload('t1/short.mp4', 'video/mp4', body);
    body.end(Buffer.alloc(7 * MiB, 1));
    await expect.poll(() => s3.pendingUploads(), { timeout: 10_000 }).toHaveLength(1);
    await upload.abort();
    expect(await s3.pendingUploads()).toEqual([]);
    await expect(head('t1/short.mp4')).rejects.toThrow();
  });

  it('putObject writes small objects', async () => {
    const info = await storage.putObject('t1/manifest.json', '{"ok":true}', 'application/json');
    expect(info).toMatchObject({ size: 11, uri: `s3://${s3.bucket}/t1/manifest.json` });
    expect((await head('t1/manifest.json')).ContentLength).toBe(11);
  });
});
