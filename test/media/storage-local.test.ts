import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MeetcapError } from '../../src/contracts/errors.js';
import { createStorage, LocalStorage, storageConfigFromEnv } from '../../src/media/storage/index.js';

async function listAll(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => path.relative(dir, path.join(e.parentPath, e.name))).sort();
}

describe('LocalStorage', () => {
  let dir: string;
  let storage: LocalStorage;

  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'meetcap-local-'));
    storage = new LocalStorage({ dir });
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('streams to a partial file and shows the object only once complete', async () => {
    const body = new PassThrough();
    const upload = storage.startUpload('t1/m1/rec.mp4', 'video/mp4', body);
    body.write(Buffer.alloc(1000, 1));
    await new Promise((r) => setImmediate(r));
    await expect.poll(() => upload.bytesIn).toBe(1000);
    const during = await listAll(dir);
    expect(during).toHaveLength(1);
    expect(during[0]).toMatch(/^t1\/m1\/rec\.mp4\.partial-[0-9a-f]+$/);

    body.end(Buffer.alloc(500, 2));
    const info = await upload.complete();
    expect(info).toEqual({ key: 't1/m1/rec.mp4', uri: path.join(dir, 't1/m1/rec.mp4'), size: 1500, contentType: 'video/mp4' });
    expect(await listAll(dir)).toEqual(['t1/m1/rec.mp4']);
    expect((await readFile(info.uri)).length).toBe(1500);
    expect(await upload.complete()).toEqual(info); // idempotent
  });

  it('abort leaves nothing behind, mid-stream and idempotently', async () => {
    const body = new PassThrough();
    const upload = storage.startUpload('m2/rec.mp4', 'video/mp4', body);
    body.write(Buffer.alloc(4096));
    await expect.poll(() => listAll(dir)).toHaveLength(1);
    await upload.abort();
    await upload.abort();
    expect(await listAll(dir)).toEqual([]);
    await expect(upload.complete()).rejects.toBeInstanceOf(MeetcapError);
  });

  it('abort after the body ended (the too-short case) still removes the partial', async () => {
    const upload = storage.startUpload('m3/rec.mp4', 'video/mp4', Readable.from([Buffer.alloc(10)]));
    await expect.poll(() => upload.bytesIn).toBe(10);
    await upload.abort();
    expect(await listAll(dir)).toEqual([]);
  });

  it('putObject writes atomically and reports the size', async () => {
    const info = await storage.putObject('m4/manifest.json', '{"a":1}', 'application/json');
    expect(info.size).toBe(7);
    expect(await listAll(dir)).toEqual(['m4/manifest.json']);
  });

  it.each(['../escape.mp4', '/etc/passwd', 'a/../../b', 'a//b', './a', 'a\\b', 'nul\u0000byte', ''])('rejects key %j', (key) => {
    expect(() => storage.startUpload(key, 'video/mp4', Readable.from([]))).toThrow(MeetcapError);
  });
});

describe('storage config from env', () => {
  it('defaults to a local ./recordings directory', () => {
    expect(storageConfigFromEnv({})).toEqual({ kind: 'local', dir: './recordings' });
  });

  it('chooses S3 when S3 settings are present, with credentials from the AWS variables', () => {
    const config = storageConfigFromEnv({
      MEETCAP_S3_BUCKET: 'rec-bucket',
      MEETCAP_S3_ENDPOINT: 'http://127.0.0.1:9000',
      MEETCAP_S3_FORCE_PATH_STYLE: 'true',
      AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'super-secret-value',
    });
    expect(config).toMatchObject({ kind: 's3', bucket: 'rec-bucket', region: 'us-east-1', forcePathStyle: true });
    expect(createStorage(config).kind).toBe('s3');
  });

  it('names the variable, never the secret, when S3 is half configured', () => {
    let error: unknown;
    try {
      storageConfigFromEnv({ MEETCAP_S3_ENDPOINT: 'http://127.0.0.1:9000', AWS_SECRET_ACCESS_KEY: 'super-secret-value' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(MeetcapError);
    expect((error as Error).message).toContain('MEETCAP_S3_BUCKET');
    expect(JSON.stringify(error) + (error as Error).message).not.toContain('super-secret-value');
  });

  it('MEETCAP_STORAGE=local wins over S3 settings', () => {
    expect(storageConfigFromEnv({ MEETCAP_STORAGE: 'local', MEETCAP_S3_BUCKET: 'b', MEETCAP_RECORDINGS_DIR: '/data' })).toEqual({
      kind: 'local',
      dir: '/data',
    });
  });
});
