import { access, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config/index.js';
import type { FileManifest } from '../../src/ingest/manifest.js';
import { LocalStorage } from '../../src/media/storage/local.js';
import { audioPresence } from '../../src/media/analysis/index.js';
import { filesUnder, ingest, make, probe, testConfig, topLevelBoxes } from './fixtures.js';

/** Real ffmpeg/ffprobe, local-directory storage: what a file job keeps, and in what form. */
describe('file ingest: media rules and outputs', () => {
  let root: string;
  let storage: LocalStorage;
  let config: Config;
  const src = (name: string) => path.join(root, 'uploads', name);

  beforeAll(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'meetcap-ingest-media-'));
    await mkdir(path.join(root, 'uploads'));
    storage = new LocalStorage({ dir: root });
    config = testConfig();
    await Promise.all([
      make.video(src('meeting.mp4'), 130),
      make.audio(src('meeting.ogg'), 130),
      make.webm(src('short.webm'), 6),
      make.dialerWav(src('call-70.wav'), 70),
      make.twoTrackCall(src('two-sides.mkv'), 70),
      make.unknownSecondTrack(src('odd-track.mkv'), 70),
    ]);
  }, 120_000);
  afterAll(() => rm(root, { recursive: true, force: true }));

  const manifestOf = async (uri: string | undefined) => JSON.parse(await readFile(uri!, 'utf8')) as FileManifest;

  it('keeps a 130 s stereo video as a faststart MP4 (H.264 + AAC) with the same length, and writes the manifest', async () => {
    const { outcome, states } = await ingest({ file: { key: 'uploads/meeting.mp4' } }, { config, storage });
    expect(outcome).toMatchObject({ state: 'done' });
    expect(outcome.reason).toBeUndefined();
    expect(states).toEqual(['scheduled', 'launching', 'finalizing', 'done']);
    const media = outcome.recording!.objects[0]!;
    expect(media.key).toMatch(new RegExp(`^acme/${outcome.meetingId}/${outcome.sessionId}/recording\\.mp4$`));
    expect(media.contentType).toBe('video/mp4');
    const info = await probe(media.uri);
    expect(info.streams.map((s) => `${s.codec_type}:${s.codec_name}`).sort()).toEqual(['audio:aac', 'video:h264']);
    expect(info.streams.find((s) => s.codec_type === 'video')?.pix_fmt).toBe('yuv420p');
    expect(Math.abs(info.durationSec - 130)).toBeLessThan(0.5);
    const boxes = await topLevelBoxes(media.uri);
    expect(boxes.indexOf('moov')).toBeLessThan(boxes.indexOf('mdat'));

    const manifest = await manifestOf(outcome.manifestUri);
    expect(manifest).toMatchObject({
      meetingId: outcome.meetingId,
      tenantId: 'acme',
      inCall: { start: null, end: null, interruptions: [] },
      participants: [],
      outputs: [media],
      outcome: { state: 'done' },
      source: { kind: 'file', origin: storage.uriFor('uploads/meeting.mp4'), audioChannels: 2, hasVideo: true, createdAt: '2026-11-20T09:30:00.000Z' },
    });
    // The recording started when the file says it did, not when it was processed.
    expect(manifest.recording).toMatchObject({ mode: 'audio_video', startedAt: '2026-11-20T09:30:00.000Z', partial: false });
    expect(manifest.recording.durationSec).toBeCloseTo(130, 0);
    expect(Date.parse(manifest.recording.endedAt) - Date.parse(manifest.recording.startedAt)).toBeCloseTo(130_000, -3);
    // The work directory is gone.
    await expect(access(path.join(tmpdir(), 'meetcap-ingest', outcome.sessionId))).rejects.toThrow();
  });

  it('keeps 130 s of audio without video as M4A (AAC), whatever the job asks', async () => {
    const { outcome } = await ingest({ file: { key: 'uploads/meeting.ogg' }, recording: 'audio_video' }, { config, storage });
    expect(outcome.state).toBe('done');
    const media = outcome.recording!.objects[0]!;
    expect(media.key).toMatch(/recording\.m4a$/);
    expect(media.contentType).toBe('audio/mp4');
    const info = await probe(media.uri);
    expect(info.formatName).toContain('m4a');
    expect(info.streams.map((s) => s.codec_name)).toEqual(['aac']);
    expect(Math.abs(info.durationSec - 130)).toBeLessThan(0.5);
    expect((await manifestOf(outcome.manifestUri)).recording.mode).toBe('audio_only');
  });

  it('encodes a video track players cannot take (VP8) to H.264, and an audio_only job drops the video', async () => {
    const video = await ingest({ file: { key: 'uploads/short.webm' }, limits: { minDurationSec: 1 } }, { config, storage });
    expect(video.outcome.state).toBe('done');
    const info = await probe(video.outcome.recording!.objects[0]!.uri);
    expect(info.streams.map((s) => `${s.codec_type}:${s.codec_name}`).sort()).toEqual(['audio:aac', 'video:h264']);
    expect(info.streams.find((s) => s.codec_type === 'video')?.pix_fmt).toBe('yuv420p');

    const audio = await ingest({ file: { key: 'uploads/short.webm' }, recording: 'audio_only', limits: { minDurationSec: 1 } }, { config, storage });
    const audioInfo = await probe(audio.outcome.recording!.objects[0]!.uri);
    expect(audioInfo.streams.map((s) => s.codec_type)).toEqual(['audio']);
  });

  it('keeps a 70 s one-sided (mono, 8 kHz) dialer call when the job allows 60 s, and says it was mono', async () => {
    const { outcome } = await ingest({ file: { key: 'uploads/call-70.wav' }, dialer: true, limits: { minDurationSec: 60 } }, { config, storage });
    expect(outcome.state).toBe('done');
    const info = await probe(outcome.recording!.objects[0]!.uri);
    expect(info.streams).toMatchObject([{ codec_type: 'audio', codec_name: 'aac', channels: 1 }]);
    expect(Math.abs(info.durationSec - 70)).toBeLessThan(0.5);
    const manifest = await manifestOf(outcome.manifestUri);
    expect(manifest.source).toMatchObject({ audioChannels: 1, hasVideo: false, format: 'wav', createdAt: null });
  });

  it('mixes a call recorded with each side on its own track, so both sides are heard throughout', async () => {
    // The agent's track ends half-way, the customer's starts there: both halves must be kept.
    const { outcome } = await ingest({ file: { key: 'uploads/two-sides.mkv' }, dialer: true, limits: { minDurationSec: 60 } }, { config, storage });
    expect(outcome.state).toBe('done');
    const file = outcome.recording!.objects[0]!.uri;
    const info = await probe(file);
    expect(info.streams).toMatchObject([{ codec_type: 'audio', codec_name: 'aac', channels: 2 }]);
    expect(Math.abs(info.durationSec - 70)).toBeLessThan(0.5);
    const heard = await audioPresence(file, { fromSec: 0.5, toSec: 69.5 });
    expect(heard.presentRatio).toBeGreaterThan(0.999);
    expect(heard.longestGapMs).toBeLessThanOrEqual(100);
    expect((await manifestOf(outcome.manifestUri)).source).toMatchObject({ audioChannels: 2, audioTracks: 2, audioTracksMixed: 2 });
  });

  it('keeps the track it can decode when another is in an unknown codec', async () => {
    const { outcome } = await ingest({ file: { key: 'uploads/odd-track.mkv' }, dialer: true, limits: { minDurationSec: 60 } }, { config, storage });
    expect(outcome.state).toBe('done');
    const file = outcome.recording!.objects[0]!.uri;
    expect(Math.abs((await probe(file)).durationSec - 70)).toBeLessThan(0.5);
    expect((await audioPresence(file, { fromSec: 0.5, toSec: 69.5 })).presentRatio).toBeGreaterThan(0.999);
    expect((await manifestOf(outcome.manifestUri)).source).toMatchObject({ audioTracks: 2, audioTracksMixed: 1 });
  });

  it('discards the same call under the meeting minimum (120 s), storing nothing', async () => {
    const before = await filesUnder(path.join(root, 'acme'));
    const { outcome, states } = await ingest({ file: { key: 'uploads/call-70.wav' } }, { config, storage });
    expect(outcome).toMatchObject({ state: 'discarded', reason: 'below_minimum_duration' });
    expect(outcome.recording).toBeUndefined();
    expect(states).toEqual(['scheduled', 'launching', 'finalizing', 'discarded']);
    expect(await filesUnder(path.join(root, 'acme'))).toEqual(before);
  });

  it('keeps the first 2 h of a 2 h 5 min dialer call, ending with max_duration_reached', async () => {
    await make.dialerWav(src('call-long.wav'), 7_500);
    const { outcome } = await ingest({ file: { key: 'uploads/call-long.wav' }, dialer: true, limits: { minDurationSec: 60 } }, { config, storage });
    expect(outcome).toMatchObject({ state: 'done', reason: 'max_duration_reached' });
    const info = await probe(outcome.recording!.objects[0]!.uri);
    expect(Math.abs(info.durationSec - 7_200)).toBeLessThan(0.5);
    const manifest = await manifestOf(outcome.manifestUri);
    expect(manifest.outcome).toEqual({ state: 'done', reason: 'max_duration_reached' });
    expect(manifest.source.durationSec).toBeCloseTo(7_500, 0);
  }, 240_000);
});
