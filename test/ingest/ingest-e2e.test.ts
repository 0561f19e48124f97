import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FileManifest } from '../../src/ingest/manifest.js';
import { startHarness, type Harness } from '../helpers/harness.js';
import { make, probe } from './fixtures.js';

/** A file job through the real queue, worker and `meetcap session` child, into s3rver. */
describe('file ingest end to end', () => {
  let h: Harness;
  let dir: string;

  beforeAll(async () => {
    h = await startHarness();
    dir = await mkdtemp(path.join(tmpdir(), 'meetcap-ingest-e2e-'));
    const wav = await make.dialerWav(path.join(dir, 'call.wav'), 8);
    await h.s3client.send(new PutObjectCommand({ Bucket: h.s3.bucket, Key: 'uploads/call.wav', Body: await readFile(wav) }));
  }, 120_000);
  afterAll(async () => {
    await h?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('schedules a file job that runs at once and stores an M4A and its manifest', async () => {
    const meetingId = `file-${Date.now()}`;
    const tracked = h.track(meetingId);
    const scheduled = await h.ops.schedule({
      meetingId,
      tenantId: 'acme',
      source: 'file',
      file: { key: 'uploads/call.wav' },
      limits: { minDurationSec: 5 },
    });
    expect(scheduled).toMatchObject({ meetingId, status: 'scheduled', platform: undefined });
    const outcome = await tracked.outcome;
    expect(outcome).toMatchObject({ state: 'done', meetingId });
    expect(tracked.states.map((s) => s.state)).toEqual(['scheduled', 'launching', 'finalizing', 'done']);

    const base = `acme/${meetingId}/${outcome.sessionId}`;
    expect(await h.objectKeys(`acme/${meetingId}/`)).toEqual([`${base}/manifest.json`, `${base}/recording.m4a`]);
    const info = await probe(await h.download(`${base}/recording.m4a`));
    expect(info.streams).toMatchObject([{ codec_type: 'audio', codec_name: 'aac', channels: 1 }]);
    expect(Math.abs(info.durationSec - 8)).toBeLessThan(0.5);
    const manifest = JSON.parse(await readFile(await h.download(`${base}/manifest.json`), 'utf8')) as FileManifest;
    expect(manifest).toMatchObject({
      meetingId,
      sessionId: outcome.sessionId,
      outcome: { state: 'done' },
      source: { kind: 'file', origin: `s3://${h.s3.bucket}/uploads/call.wav`, audioChannels: 1, hasVideo: false },
      recording: { mode: 'audio_only' },
    });
    // Every session log line carries the ids, as for meetings.
    const lines = h.logLines.filter((l) => l.includes(outcome.sessionId));
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.every((l) => l.includes(meetingId))).toBe(true);
  });

  it('refuses a file job before queueing when its URL is off the tenant allow-list, or its minimum is under the dialer floor', async () => {
    const job = { meetingId: `file-refused-${Date.now()}`, tenantId: 'acme', source: 'file', file: { url: 'https://files.example.com/recordings/a.mp4' } };
    await expect(h.ops.schedule(job)).rejects.toMatchObject({ code: 'source_not_allowed' });
    // The harness lowers the meeting floor to 1 s; the dialer floor stays 60 s.
    const dialer = { ...job, dialer: true, file: { key: 'uploads/call.wav' }, limits: { minDurationSec: 30 } };
    await expect(h.ops.schedule(dialer)).rejects.toMatchObject({ code: 'invalid_job', details: { fields: [{ field: 'limits.minDurationSec' }] } });
    expect(await h.objectKeys(`acme/${job.meetingId}/`)).toEqual([]);
  });
});
