import { randomBytes } from 'node:crypto';
import { copyFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { GetObjectCommand, HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { startSandbox, type Sandbox } from '../../../src/sandbox/index.js';
import { startS3rver, type TestS3 } from '../../../test/helpers/s3rver.js';

/**
 * What every part of the benchmark shares: the sandbox (meetings + synthetic participants, whose
 * Chromium runs in this process's tree, not in any bot's), the test S3 server, and the
 * environment a `meetcap session` and the reference bot get. Closed last-in-first-out.
 */
export interface BenchEnv {
  sandbox: Sandbox;
  s3: TestS3;
  /** Environment for both bots: the sandbox's browser flags, S3 settings, quiet logs. */
  botEnv: NodeJS.ProcessEnv;
  /** Scratch directory for the reference bot's files and downloads. */
  workDir: string;
  /** Epoch ms at which `key` was first found complete in storage (see poll). */
  objectVisible(key: string, opts?: { pollMs?: number; timeoutMs?: number }): Promise<number>;
  download(key: string): Promise<string>;
  close(): Promise<void>;
}

export type StorageKind = 's3' | 'local';

export async function startBenchEnv(workDir: string, storage: StorageKind = 's3'): Promise<BenchEnv> {
  const closers: Array<() => Promise<void>> = [];
  const closeAll = async (): Promise<void> => {
    for (const c of closers.reverse().splice(0)) await c().catch(() => undefined);
  };
  try {
    const sandbox = await startSandbox({ home: join(workDir, 'home') });
    closers.push(() => sandbox.close());
    const s3 = await startS3rver();
    closers.push(() => s3.close());
    const client = new S3Client({
      endpoint: s3.endpoint, forcePathStyle: true, region: 'us-east-1',
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    });
    closers.push(async () => client.destroy());
    const botEnv: NodeJS.ProcessEnv = {
      ...process.env,
      MEETCAP_MIN_DURATION_FLOOR_SEC: '1', // --quick meetings are 30 s
      MEETCAP_SANDBOX_BROWSER_ARGS: JSON.stringify(sandbox.botBrowserArgs()),
      MEETCAP_CHROMIUM_NO_SANDBOX: process.getuid?.() === 0 ? '1' : '0',
      MEETCAP_LOG_LEVEL: 'warn',
      ...(storage === 's3'
        ? {
            MEETCAP_STORAGE: 's3', MEETCAP_S3_BUCKET: s3.bucket, MEETCAP_S3_ENDPOINT: s3.endpoint,
            MEETCAP_S3_FORCE_PATH_STYLE: 'true', AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER',
          }
        : { MEETCAP_STORAGE: 'local', MEETCAP_RECORDINGS_DIR: join(workDir, 'recordings') }),
    };
    const local = (key: string): string => join(workDir, 'recordings', key);
    let closing: Promise<void> | undefined;
    return {
      sandbox, s3, botEnv, workDir,
      objectVisible: (key, opts) => poll(storage === 's3' ? headObject(client, s3.bucket, key) : fileExists(local(key)), key, opts),
      async download(key) {
        const file = join(workDir, `${randomBytes(4).toString('hex')}-${key.split('/').pop()}`);
        if (storage === 'local') {
          await copyFile(local(key), file);
          return file;
        }
        const out = await client.send(new GetObjectCommand({ Bucket: s3.bucket, Key: key }));
        await writeFile(file, await out.Body!.transformToByteArray());
        return file;
      },
      close: () => (closing ??= closeAll()),
    };
  } catch (err) {
    await closeAll();
    throw err;
  }
}

/**
 * Storage gives no completion notification an outside reader could use, so this polls the way a
 * consumer would: S3, the first successful HeadObject (a multipart object exists only once
 * CompleteMultipartUpload succeeded); a directory, the final name appearing (the local storage
 * renames its partial file into place on complete). The result is the Date.now() of the first
 * positive answer, so it over-states T1 by at most one poll period (50 ms) plus the request.
 */
async function poll(found: () => Promise<boolean>, key: string, opts: { pollMs?: number; timeoutMs?: number } = {}): Promise<number> {
  const deadline = Date.now() + (opts.timeoutMs ?? 120_000);
  while (Date.now() < deadline) {
    if (await found()) return Date.now();
    await delay(opts.pollMs ?? 50);
  }
  throw new Error(`object ${key} not complete within ${opts.timeoutMs ?? 120_000} ms`);
}

const headObject = (client: S3Client, bucket: string, key: string) => (): Promise<boolean> =>
  client.send(new HeadObjectCommand({ Bucket: bucket, Key: key })).then(() => true, () => false);

const fileExists = (path: string) => (): Promise<boolean> => stat(path).then(() => true, () => false);
