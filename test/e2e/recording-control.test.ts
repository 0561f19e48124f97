import { spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as meetingTime } from 'node:timers/promises';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SessionOutcome } from '../../src/contracts/index.js';
import type { Manifest } from '../../src/session/manifest.js';
import { ffprobeFile } from '../../src/media/ffmpeg/probe.js';
import { toneLevels } from '../helpers/audio.js';
import { startSessionFixture, type SessionFixture } from '../helpers/session.js';
import { expectIncomingVideoOff } from './scenarios.js';

/**
 * What the session does with recording commands and start rules, end to end in one process:
 * real sandbox meeting, Chromium, ffmpeg and S3 server. `meetingTime(ms)` is the meeting going
 * on (a participant talking), not a wait for a signal.
 */
let f: SessionFixture;
let s3: S3Client;

beforeAll(async () => {
  f = await startSessionFixture();
  s3 = new S3Client({ endpoint: f.s3.endpoint, forcePathStyle: true, region: 'us-east-1', credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
}, 60_000);

afterAll(async () => {
  s3?.destroy();
  await f?.close();
});

async function download(key: string): Promise<string> {
  const out = await s3.send(new GetObjectCommand({ Bucket: f.s3.bucket, Key: key }));
  const file = join(tmpdir(), `rc-${Date.now()}-${key.split('/').pop()}`);
  await writeFile(file, await out.Body!.transformToByteArray());
  return file;
}

/**
 * A meeting with one participant talking (440 Hz) the whole time; the bot is let straight in.
 * No recording notice: its dimmed overlay may still be in the picture at 0.5 s, where these tests
 * start reading the picture's brightness.
 */
async function talkingMeeting(): Promise<{ code: string; url: string }> {
  const m = f.sandbox.api.createMeeting({ platform: 'meet', autoAdmitAfterMs: 0, recordingNotice: false });
  await f.sandbox.api.addParticipant(m.code, { name: 'Alice Example', toneHz: 440, speaking: true });
  return m;
}

async function stored(outcome: SessionOutcome): Promise<{ file: string; manifest: Manifest }> {
  expect(outcome.state).toBe('done');
  const rec = outcome.recording!;
  const manifest = JSON.parse(await readFile(await download(rec.manifest.key), 'utf8'));
  return { file: await download(rec.objects[0]!.key), manifest };
}

/** Mean luma (0-255) of the picture every 100 ms, from a 16x9 grey decode at a fixed 10 fps. */
async function lumaEvery100ms(file: string): Promise<number[]> {
  const args = ['-v', 'error', '-i', file, '-map', '0:v:0', '-vf', 'fps=10,scale=16:9,format=gray', '-f', 'rawvideo', 'pipe:1'];
  const child = spawn('ffmpeg', args, { stdio: ['ignore', 'pipe', 'inherit'] });
  const chunks: Buffer[] = [];
  for await (const c of child.stdout) chunks.push(c as Buffer);
  const raw = Buffer.concat(chunks);
  const out: number[] = [];
  for (let i = 0; i + 144 <= raw.length; i += 144) out.push(raw.subarray(i, i + 144).reduce((a, b) => a + b, 0) / 144);
  return out;
}

const WINDOW_MS = 50;
const windowAt = (sec: number): number => Math.round((sec * 1000) / WINDOW_MS);

describe('recording control in the session', () => {
  it('pause leaves silence and black video for exactly the paused time; resume brings the meeting back', async () => {
    const { code, url } = await talkingMeeting();
    const s = f.run({ meetingUrl: url });
    await s.reached('recording');
    await meetingTime(4_000);
    expect(await s.control('pause')).toEqual({ ok: true, state: 'paused' });
    expect(await s.control('pause')).toEqual({ ok: true, state: 'paused' }); // idempotent
    await meetingTime(5_000);
    expect(await s.control('resume')).toEqual({ ok: true, state: 'recording' });
    await meetingTime(4_000);
    f.sandbox.api.end(code);
    const { file, manifest } = await stored(await s.outcome);

    expect(manifest.recording.pauses).toHaveLength(1);
    const pause = manifest.recording.pauses[0]!;
    expect(pause.durationSec).toBeGreaterThan(4.8);
    expect(pause.durationSec).toBeLessThan(5.5);
    // The file keeps the meeting's timing: its length is the whole recording, pause included.
    const probe = await ffprobeFile(file);
    const wall = (Date.parse(manifest.recording.endedAt) - Date.parse(manifest.recording.startedAt)) / 1000;
    expect(Math.abs(probe.durationSec - wall)).toBeLessThan(1);

    const levels = await toneLevels(file, 440, WINDOW_MS);
    const from = windowAt(pause.offsetSec);
    const to = windowAt(pause.offsetSec + pause.durationSec);
    // Inside the pause, away from its edges by the edge tolerance below (the switch lands up to
    // ~100 ms off the manifest's times, and AAC spreads the resumed tone a frame early): digital silence.
    const inside = levels.slice(from + 3, to - 3);
    expect(Math.max(...inside)).toBeLessThan(-90);
    // The meeting is there right up to the pause and right after it.
    expect(Math.min(...levels.slice(windowAt(1), from - 2))).toBeGreaterThan(-30);
    expect(Math.min(...levels.slice(to + 4, windowAt(pause.offsetSec + pause.durationSec + 3)))).toBeGreaterThan(-30);
    // The silent run around the pause is the paused span: its edges within 150 ms of the manifest's.
    let first = Math.round((from + to) / 2);
    let last = first;
    while (first > 0 && levels[first - 1]! < -90) first -= 1;
    while (last + 1 < levels.length && levels[last + 1]! < -90) last += 1;
    expect(Math.abs(first - from) * WINDOW_MS).toBeLessThanOrEqual(150);
    expect(Math.abs(last + 1 - to) * WINDOW_MS).toBeLessThanOrEqual(150);

    const luma = await lumaEvery100ms(file);
    const paused = luma.slice(Math.ceil(pause.offsetSec * 10) + 3, Math.floor((pause.offsetSec + pause.durationSec) * 10) - 3);
    expect(paused.length).toBeGreaterThan(30);
    expect(Math.max(...paused)).toBeLessThan(20);
    // The meeting page, not the black slate (< 20): its first frames measured ~25, then ~40.
    expect(Math.min(...luma.slice(5, Math.floor(pause.offsetSec * 10) - 3))).toBeGreaterThan(20);
  }, 120_000);

  it('starts the recording after the configured delay, not at the join', async () => {
    const { code, url } = await talkingMeeting();
    const s = f.run({ meetingUrl: url, recordingStart: { delaySec: 4 } });
    await s.reached('recording');
    const inCall = Date.parse(s.states.find((x) => x.state === 'in_call')!.at);
    const recording = Date.parse(s.states.find((x) => x.state === 'recording')!.at);
    expect(recording - inCall).toBeGreaterThanOrEqual(4_000);
    expect(recording - inCall).toBeLessThan(6_000);
    // An audio+video bot keeps receiving the participant's video.
    const view = await f.sandbox.api.wait(code, { peersConnected: 1, timeoutMs: 20_000 });
    expect(view.joiners.filter((j) => j.state === 'in_call').map((j) => [j.incomingVideo, j.videoFrom])).toEqual([[true, 1]]);
    await meetingTime(3_000);
    f.sandbox.api.end(code);
    const { file, manifest } = await stored(await s.outcome);
    expect(Date.parse(manifest.recording.startedAt)).toBeGreaterThanOrEqual(inCall + 4_000);
    const inCallSec = (Date.parse(manifest.inCall.end!) - inCall) / 1000;
    const probe = await ffprobeFile(file);
    expect(probe.durationSec).toBeLessThan(inCallSec - 3);
  }, 120_000);

  it('waits for start_recording when the job says so; pause before the start is refused', async () => {
    const { code, url } = await talkingMeeting();
    const s = f.run({ meetingUrl: url, recordingStart: { onCommand: true } });
    await s.reached('in_call');
    const refused = await s.control('pause');
    expect(refused).toMatchObject({ ok: false, error: { code: 'control_refused' } });
    await meetingTime(3_000);
    expect(s.states.map((x) => x.state)).not.toContain('recording');
    const commandAt = Date.now();
    expect(await s.control('start_recording')).toEqual({ ok: true, state: 'recording' });
    await meetingTime(3_000);
    f.sandbox.api.end(code);
    const { manifest } = await stored(await s.outcome);
    expect(Date.parse(manifest.recording.startedAt)).toBeGreaterThanOrEqual(commandAt);
    expect(manifest.recording.durationSec).toBeLessThan(5);
  }, 120_000);

  it('audio-only captures no video at all, asks Meet for no video ("Audio only"), and stores an M4A', async () => {
    const { code, url } = await talkingMeeting();
    const s = f.run({ meetingUrl: url, recording: 'audio_only' });
    await s.reached('recording');
    await expectIncomingVideoOff(f.sandbox.api, code, 20_000);
    await meetingTime(3_000);
    f.sandbox.api.end(code);
    const outcome = await s.outcome;
    const { file, manifest } = await stored(outcome);
    expect(outcome.recording!.objects[0]!.key).toMatch(/recording\.m4a$/);
    expect(outcome.recording!.objects[0]!.contentType).toBe('audio/mp4');
    expect(manifest.recording.mode).toBe('audio_only');
    const probe = await ffprobeFile(file);
    expect(probe.streams.map((x) => `${x.type}:${x.codec}`)).toEqual(['audio:aac']);
    const levels = await toneLevels(file, 440, 100);
    expect(levels.slice(5, -5).every((l) => l > -30)).toBe(true);
  }, 120_000);
});
