import { createHash } from 'node:crypto';
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { setImmediate as turn } from 'node:timers/promises';
import { promisify } from 'node:util';
import { GetObjectCommand, HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ffprobeFile } from '../../src/media/ffmpeg/probe.js';
import { S3Storage } from '../../src/media/storage/s3.js';
import { partSizeFor, MAX_PARTS, MIN_PART_BYTES } from '../../src/media/storage/spool/parts.js';
import { recoverSpool } from '../../src/media/storage/spool/recover.js';
import { startS3rver, type TestS3 } from '../helpers/s3rver.js';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.js';

const MiB = 1024 * 1024;
const credentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
const run = promisify(execFile);

/**
 * The spooled multipart upload against a real S3 server (s3rver), with a real fragmented MP4
 * from ffmpeg as the stream. A TCP proxy in front of the server stands in for S3 outages.
 */
let s3: TestS3;
let proxy: TcpProxy;
let client: S3Client;
let work: string;
let fixture: Buffer;

beforeAll(async () => {
  s3 = await startS3rver();
  proxy = await startTcpProxy(s3.endpoint);
  client = new S3Client({ bucket: s3.bucket, region: 'us-east-1', endpoint: s3.endpoint, forcePathStyle: true, credentials } as never);
  work = await mkdtemp(join(tmpdir(), 'spool-test-'));
  // 30 s of 640x360 video + a tone as ffmpeg writes it live: ftyp, moov, then 1 s fragments (~14 MB).
  const file = join(work, 'fixture.mp4');
  await run('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc2=s=640x360:r=30', '-f', 'lavfi', '-i', 'sine=f=440:r=48000',
    '-t', '30', '-c:v', 'mpeg4', '-q:v', '1', '-g', '30', '-c:a', 'aac',
    '-movflags', '+frag_keyframe+empty_moov+default_base_moof', '-frag_duration', '1000000', '-f', 'mp4', file]);
  fixture = await readFile(file);
}, 60_000);

afterAll(async () => {
  client?.destroy();
  await proxy?.close();
  await s3?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

function storage(extra: Partial<ConstructorParameters<typeof S3Storage>[0]> = {}): S3Storage {
  return new S3Storage({
    bucket: s3.bucket, region: 'us-east-1', endpoint: proxy.url, forcePathStyle: true, credentials,
    partSizeBytes: 5 * MiB, spoolDir: join(work, 'spool'), retry: { baseMs: 20, maxMs: 200 }, ...extra,
  });
}

/** Feeds `bytes` in 64 KiB chunks, yielding between them like a live producer. */
async function feed(body: PassThrough, bytes: Buffer, until = bytes.length): Promise<void> {
  for (let at = 0; at < until; at += 64 * 1024) {
    body.write(bytes.subarray(at, Math.min(until, at + 64 * 1024)));
    await turn();
  }
}

const sha = (b: Buffer | Uint8Array): string => createHash('sha256').update(b).digest('hex');
const download = async (key: string): Promise<Buffer> =>
  Buffer.from(await (await client.send(new GetObjectCommand({ Bucket: s3.bucket, Key: key }))).Body!.transformToByteArray());
const partsStored = async (): Promise<number> => {
  let n = 0;
  // s3rver keeps each pending upload as a directory: `key`, `metadata`, and `N` + `N.md5` per part.
  for (const id of await s3.pendingUploads()) {
    n += (await readdir(join(s3.dir, s3.bucket, '._S3rver_uploads', id))).filter((f) => /^\d+$/.test(f)).length;
  }
  return n;
};
const exists = (p: string): Promise<boolean> => stat(p).then(() => true, () => false);

describe('part size', () => {
  it('fits a 10 h 720p recording in 10,000 parts, and grows only for much higher bitrates', () => {
    const tenHours = 36_000;
    expect(partSizeFor(tenHours, 2_628_000)).toBe(MIN_PART_BYTES);
    for (const bps of [2_628_000, 8_000_000, 20_000_000, 50_000_000]) {
      const size = partSizeFor(tenHours, bps);
      expect(Math.ceil((tenHours * bps * 1.5) / 8 / size)).toBeLessThanOrEqual(MAX_PARTS);
    }
    expect(partSizeFor(tenHours, 20_000_000)).toBeGreaterThan(MIN_PART_BYTES);
  });
});

describe('spooled multipart upload', () => {
  it('sends parts while the stream runs; the object appears only on complete, byte for byte', async () => {
    const st = storage();
    const body = new PassThrough();
    const upload = st.startUpload('t/live.mp4', 'video/mp4', body, { spoolName: 'live' });
    await feed(body, fixture, Math.floor(fixture.length * 0.8));
    // Most of the stream is in S3 before it ends: only the part being filled waits.
    await expect.poll(partsStored, { timeout: 10_000 }).toBe(2);
    await expect(client.send(new HeadObjectCommand({ Bucket: s3.bucket, Key: 't/live.mp4' }))).rejects.toThrow();
    await feed(body, fixture.subarray(Math.floor(fixture.length * 0.8)));
    body.end();
    const info = await upload.complete();
    expect(info).toEqual({ key: 't/live.mp4', uri: `s3://${s3.bucket}/t/live.mp4`, size: fixture.length, contentType: 'video/mp4' });
    expect(sha(await download('t/live.mp4'))).toBe(sha(fixture));
    expect(await s3.pendingUploads()).toEqual([]);
    expect(await exists(join(work, 'spool', 'live'))).toBe(false);
    st.close();
  }, 30_000);

  it('abort leaves no object, no pending parts and no spool', async () => {
    const st = storage();
    const body = new PassThrough();
    const upload = st.startUpload('t/aborted.mp4', 'video/mp4', body, { spoolName: 'aborted' });
    await feed(body, fixture, Math.floor(fixture.length * 0.6));
    await expect.poll(partsStored, { timeout: 10_000 }).toBe(1);
    await upload.abort();
    expect(await s3.pendingUploads()).toEqual([]);
    await expect(client.send(new HeadObjectCommand({ Bucket: s3.bucket, Key: 't/aborted.mp4' }))).rejects.toThrow();
    expect(await exists(join(work, 'spool', 'aborted'))).toBe(false);
    st.close();
  }, 30_000);

  it('rides out an S3 outage on the local spool and drains it when S3 is back', async () => {
    const st = storage();
    const body = new PassThrough();
    const upload = st.startUpload('t/outage.mp4', 'video/mp4', body, { spoolName: 'outage' });
    proxy.down();
    await feed(body, fixture, Math.floor(fixture.length * 0.9));
    await expect.poll(() => upload.spooledBytes).toBeGreaterThan(10 * MiB);
    expect(await partsStored()).toBe(0);
    proxy.up();
    await expect.poll(() => upload.spooledBytes, { timeout: 15_000 }).toBeLessThan(5 * MiB);
    await feed(body, fixture.subarray(Math.floor(fixture.length * 0.9)));
    body.end();
    await upload.complete();
    expect(sha(await download('t/outage.mp4'))).toBe(sha(fixture));
    st.close();
  }, 30_000);

  it('fails with spool_full when an outage outlasts the spool, and keeps a playable prefix', async () => {
    const st = storage({ maxSpoolBytes: 7 * MiB });
    const body = new PassThrough();
    const upload = st.startUpload('t/full.mp4', 'video/mp4', body, { spoolName: 'full' });
    proxy.down();
    await feed(body, fixture);
    body.end();
    await expect(upload.failure).resolves.toMatchObject({ code: 'spool_full' });
    expect(upload.bytesIn).toBe(fixture.length); // the producer was never blocked
    proxy.up();
    const info = await upload.complete();
    expect(info.size).toBeLessThanOrEqual(7 * MiB);
    const file = join(work, 'full.mp4');
    await writeFile(file, await download('t/full.mp4'));
    const probe = await ffprobeFile(file);
    expect(probe.streams.map((s) => s.type).sort()).toEqual(['audio', 'video']);
    expect(probe.durationSec).toBeGreaterThan(5);
    expect(probe.durationSec).toBeLessThan(25);
    st.close();
  }, 30_000);
});

/** Runs the writer in its own process and SIGKILLs it once `killAfter` bytes went in; returns how many did. */
async function crashWriter(spoolDir: string, name: string, key: string, killAfter: number): Promise<number> {
  const child = spawn(process.execPath, ['--import', 'tsx', new URL('../helpers/spool-writer.ts', import.meta.url).pathname,
    join(work, 'fixture.mp4'), s3.endpoint, s3.bucket, key, spoolDir, name, String(64 * 1024)],
  { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  let fed = 0;
  for await (const line of createInterface({ input: child.stdout })) {
    fed = (JSON.parse(line) as { fed: number }).fed;
    if (fed >= killAfter) break;
  }
  process.kill(child.pid!, 'SIGKILL');
  await exited;
  return fed;
}

describe('crash recovery', () => {
  it('a writer killed mid-stream leaves a spool that completes into a playable recording', async () => {
    const spoolDir = join(work, 'crash-spool');
    // Killed once 11 MiB went in: parts in S3 or on their way, one being written.
    const fed = await crashWriter(spoolDir, 'ses_crashed', 't/crashed.mp4', 11 * MiB);
    expect(await exists(join(spoolDir, 'ses_crashed', 'journal.json'))).toBe(true);

    const st = storage({ spoolDir });
    const result = await recoverSpool(join(spoolDir, 'ses_crashed'), st.parts, { minMediaSec: 5 });
    expect(result.kind).toBe('completed');
    if (result.kind !== 'completed') return;
    const stored = await download('t/crashed.mp4');
    // What was recovered is exactly a prefix of the stream, ending on a whole fragment...
    expect(sha(stored)).toBe(sha(fixture.subarray(0, stored.length)));
    expect(stored.length).toBeGreaterThan(9 * MiB);
    expect(stored.length).toBeLessThan(fixture.length); // killed before the end: not all of it
    expect(fed).toBeLessThan(fixture.length);
    // ...that plays, for as long as recovery says.
    const file = join(work, 'crashed.mp4');
    await writeFile(file, stored);
    const probe = await ffprobeFile(file);
    expect(probe.streams.map((s) => s.type).sort()).toEqual(['audio', 'video']);
    expect(Math.abs(probe.durationSec - result.mediaSec)).toBeLessThan(0.1);
    expect(probe.durationSec).toBeGreaterThan(15);
    expect(await s3.pendingUploads()).toEqual([]);
    expect(await exists(join(spoolDir, 'ses_crashed'))).toBe(false);
    st.close();
  }, 60_000);

  it('a crashed recording shorter than the minimum is aborted, leaving nothing', async () => {
    const spoolDir = join(work, 'short-spool');
    await crashWriter(spoolDir, 'ses_short', 't/short.mp4', 7 * MiB);
    const st = storage({ spoolDir });
    const result = await recoverSpool(join(spoolDir, 'ses_short'), st.parts, { minMediaSec: 600 });
    expect(result).toMatchObject({ kind: 'discarded' });
    expect(await s3.pendingUploads()).toEqual([]);
    await expect(client.send(new HeadObjectCommand({ Bucket: s3.bucket, Key: 't/short.mp4' }))).rejects.toThrow();
    expect(await exists(join(spoolDir, 'ses_short'))).toBe(false);
    st.close();
  }, 60_000);
});
