import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config/index.js';
import { S3Storage } from '../../src/media/storage/s3.js';
import { startS3rver, type TestS3 } from '../helpers/s3rver.js';
import { ingest, make, probe, testConfig } from './fixtures.js';

const credentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

/**
 * Where a file job's source comes from and every way that can fail: a real S3-compatible server
 * (s3rver) for keys, a loopback HTTP server for URLs.
 */
describe('file ingest: sources and failures', () => {
  let s3: TestS3;
  let storage: S3Storage;
  let client: S3Client;
  let dir: string;
  let config: Config;
  let http: Server;
  let base: string;
  const requests: string[] = [];

  beforeAll(async () => {
    s3 = await startS3rver();
    const s3config = { bucket: s3.bucket, region: 'us-east-1', endpoint: s3.endpoint, forcePathStyle: true, credentials };
    storage = new S3Storage({ ...s3config, partSizeBytes: 5 * 1024 * 1024 });
    client = new S3Client(s3config);
    dir = await mkdtemp(path.join(tmpdir(), 'meetcap-ingest-src-'));
    const video = await make.video(path.join(dir, 'whole.mp4'), 20);
    const sources: Record<string, string> = {
      'empty.mp4': await make.empty(path.join(dir, 'empty.mp4')),
      'notes.mp4': await make.text(path.join(dir, 'notes.mp4')),
      'half.mp4': await make.truncated(path.join(dir, 'half.mp4'), video),
      'half-faststart.mp4': await make.truncated(path.join(dir, 'half-faststart.mp4'), await make.faststart(path.join(dir, 'fs.mp4'), video)),
      'noise.mp4': await make.random(path.join(dir, 'noise.mp4')),
      // Each side of a call on its own track, index at the front, cut in half: the mix must not
      // pad what is left with silence up to the length the index claims.
      'half-two-sides.mp4': await make.truncated(path.join(dir, 'half-two-sides.mp4'), await make.twoTracksFaststart(path.join(dir, 'two.mp4'), 20)),
      'call.wav': await make.dialerWav(path.join(dir, 'call.wav'), 5),
    };
    for (const [name, file] of Object.entries(sources)) {
      await client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: `uploads/${name}`, Body: await readFile(file) }));
    }
    http = createServer((req, res) => {
      requests.push(req.url ?? '');
      const url = new URL(req.url ?? '/', 'http://x');
      if (url.pathname === '/recordings/call.wav') return void readFile(sources['call.wav']!).then((b) => res.end(b));
      if (url.pathname === '/recordings/stalls.wav') return void res.writeHead(200, { 'content-length': '1000000' }).write(Buffer.alloc(1000));
      if (url.pathname === '/recordings/moved.wav') return void res.writeHead(302, { location: '/elsewhere/call.wav' }).end();
      if (url.pathname === '/recordings/moved-ok.wav') return void res.writeHead(301, { location: '/recordings/call.wav?sig=2' }).end();
      res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
    const tenants = path.join(dir, 'tenants');
    await mkdir(tenants);
    await writeFile(path.join(tenants, 'acme.json'), JSON.stringify({ ingest: { allowedUrlPrefixes: [`${base}/recordings/`] } }));
    config = testConfig({ MEETCAP_TENANTS_DIR: tenants });
  }, 60_000);
  afterAll(async () => {
    await new Promise((resolve) => http?.close(resolve));
    storage?.close();
    client?.destroy();
    await s3?.close();
    await rm(dir, { recursive: true, force: true });
  });

  const storedUnder = async (prefix: string) =>
    ((await client.send(new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: prefix }))).Contents ?? []).map((o) => o.Key);

  it.each([
    ['empty.mp4', /empty/],
    ['notes.mp4', /not a readable audio\/video file/],
    ['half.mp4', /moov atom not found|not a readable/],
    ['noise.mp4', /not a readable audio\/video file/],
    ['half-faststart.mp4', /truncated or damaged|cannot be decoded/],
    ['half-two-sides.mp4', /truncated or damaged|cannot be decoded/],
  ])('%s ends source_unreadable with nothing stored and no pending multipart upload', async (name, message) => {
    const { outcome, states } = await ingest({ file: { key: `uploads/${name}` }, limits: { minDurationSec: 1 } }, { config, storage });
    expect(outcome).toMatchObject({ state: 'failed', reason: 'source_unreadable' });
    expect(outcome.error?.message).toMatch(message);
    expect(states.at(-1)).toBe('failed');
    expect(await storedUnder(`acme/${outcome.meetingId}/`)).toEqual([]);
    expect(await s3.pendingUploads()).toEqual([]);
  });

  it('a key that does not exist ends source_not_found', async () => {
    const { outcome } = await ingest({ file: { key: 'uploads/nope.wav' } }, { config, storage });
    expect(outcome).toMatchObject({ state: 'failed', reason: 'source_not_found' });
    expect(await storedUnder(`acme/${outcome.meetingId}/`)).toEqual([]);
  });

  it('an S3 key is fetched from the bucket and kept', async () => {
    const { outcome } = await ingest({ file: { key: 'uploads/call.wav' }, limits: { minDurationSec: 1 } }, { config, storage });
    expect(outcome).toMatchObject({ state: 'done' });
    expect(await storedUnder(`acme/${outcome.meetingId}/`)).toEqual([
      `acme/${outcome.meetingId}/${outcome.sessionId}/manifest.json`,
      `acme/${outcome.meetingId}/${outcome.sessionId}/recording.m4a`,
    ]);
  });

  it('a URL off the allow-list ends source_not_allowed without any request', async () => {
    requests.length = 0;
    const other = base.replace('127.0.0.1', 'localhost');
    for (const url of [`${base}/elsewhere/call.wav`, `${other}/recordings/call.wav`, `${base}/recordings/../elsewhere/call.wav`]) {
      const { outcome } = await ingest({ file: { url } }, { config, storage });
      expect(outcome, url).toMatchObject({ state: 'failed', reason: 'source_not_allowed' });
    }
    const { outcome } = await ingest({ file: { url: `${base}/recordings/call.wav` }, tenantId: 'no-settings' }, { config, storage });
    expect(outcome.reason).toBe('source_not_allowed');
    expect(requests).toEqual([]);
  });

  it('an allowed URL is fetched and kept; the signed query never reaches the logs or the manifest', async () => {
    const lines: string[] = [];
    const log = pino({ level: 'debug' }, { write: (l: string) => void lines.push(l) });
    const url = `${base}/recordings/moved-ok.wav?X-Amz-Signature=topsecret`;
    const { outcome } = await ingest({ file: { url }, limits: { minDurationSec: 1 } }, { config, storage, log });
    expect(outcome).toMatchObject({ state: 'done' });
    const info = await probe(await download(outcome.recording!.objects[0]!.key));
    expect(info.streams).toMatchObject([{ codec_name: 'aac', channels: 1 }]);
    const manifestKey = outcome.recording!.manifest.key;
    const manifest = await readFile(await download(manifestKey), 'utf8');
    expect(JSON.parse(manifest)).toMatchObject({ source: { origin: `${base}/recordings/call.wav` }, job: { file: { url: `${base}/recordings/moved-ok.wav` } } });
    expect(manifest).not.toContain('topsecret');
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.join('\n')).not.toContain('topsecret');
  });

  it('a redirect from an allowed URL to one off the list ends source_not_allowed; the target is never requested', async () => {
    requests.length = 0;
    const { outcome } = await ingest({ file: { url: `${base}/recordings/moved.wav` } }, { config, storage });
    expect(outcome).toMatchObject({ state: 'failed', reason: 'source_not_allowed' });
    expect(requests).toEqual(['/recordings/moved.wav']);
  });

  it('an allowed URL that answers 404 ends source_not_found', async () => {
    const { outcome } = await ingest({ file: { url: `${base}/recordings/gone.wav` } }, { config, storage });
    expect(outcome).toMatchObject({ state: 'failed', reason: 'source_not_found' });
  });

  it('an operator stop while the source is still arriving ends the job cancelled, with nothing stored', async () => {
    const stop = new AbortController();
    const run = ingest({ file: { url: `${base}/recordings/stalls.wav` } }, { config, storage, stop: stop.signal });
    await expect.poll(() => requests.includes('/recordings/stalls.wav')).toBe(true);
    stop.abort();
    const { outcome, states } = await run;
    expect(outcome).toMatchObject({ state: 'cancelled', reason: 'stopped_by_operator' });
    expect(states).toEqual(['scheduled', 'launching', 'cancelled']);
    expect(await storedUnder(`acme/${outcome.meetingId}/`)).toEqual([]);
  });

  it('a large output goes up in parts and leaves no pending multipart upload', async () => {
    const big = path.join(dir, 'big.bin');
    await writeFile(big, Buffer.alloc(11 * 1024 * 1024 + 7, 3));
    const info = await storage.putFile('acme/big/recording.mp4', big, 'video/mp4');
    expect(info).toMatchObject({ key: 'acme/big/recording.mp4', size: 11 * 1024 * 1024 + 7, contentType: 'video/mp4' });
    expect(await storedUnder('acme/big/')).toEqual(['acme/big/recording.mp4']);
    expect(await s3.pendingUploads()).toEqual([]);
  });

  async function download(key: string): Promise<string> {
    const { body } = await storage.readObject(key);
    const chunks: Buffer[] = [];
    for await (const c of body) chunks.push(c as Buffer);
    const file = path.join(dir, `dl-${path.basename(key)}-${chunks.length}-${Date.now()}`);
    await writeFile(file, Buffer.concat(chunks));
    return file;
  }
});
