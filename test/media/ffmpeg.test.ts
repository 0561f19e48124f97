import { execFile, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MeetcapError } from '../../src/contracts/errors.js';
import { FfmpegArgs, remuxArgs } from '../../src/media/ffmpeg/args.js';
import { FfmpegProcess } from '../../src/media/ffmpeg/process.js';
import { ProgressParser } from '../../src/media/ffmpeg/progress.js';
import { ffprobeFile } from '../../src/media/ffmpeg/probe.js';
import { toneLevels } from '../helpers/audio.js';

const run = promisify(execFile);
const logger = pino({ level: 'silent' });

/** What Chromium's MediaRecorder hands us, made with ffmpeg: fragmented MP4, H.264 + Opus. */
async function makeInputs(dir: string): Promise<{ mp4: string; webm: string }> {
  const mp4 = path.join(dir, 'in.mp4');
  const webm = path.join(dir, 'in.webm');
  const src = ['-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=30', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000'];
  await run('ffmpeg', ['-v', 'error', ...src, '-t', '3', '-c:v', 'libx264', '-preset', 'ultrafast', '-g', '30', '-c:a', 'libopus',
    '-movflags', '+frag_keyframe+empty_moov+default_base_moof', '-f', 'mp4', '-y', mp4]);
  await run('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000', '-t', '3', '-c:a', 'libopus', '-f', 'webm', '-y', webm]);
  return { mp4, webm };
}

/** Feeds `file` in small chunks through an FfmpegProcess; returns its output and result. */
async function remux(file: string, mode: 'audio_video' | 'audio_only', out: string, videoDelayMs?: number) {
  const proc = FfmpegProcess.start(remuxArgs({ mode, videoDelayMs }), { logger });
  const chunks: Buffer[] = [];
  proc.stdout.on('data', (c: Buffer) => chunks.push(c));
  const input = await readFile(file);
  for (let i = 0; i < input.length; i += 64 * 1024) await proc.write(input.subarray(i, i + 64 * 1024));
  const result = await proc.end();
  const output = Buffer.concat(chunks);
  await writeFile(out, output);
  return { result, output };
}

describe('ffmpeg', () => {
  let dir: string;
  let inputs: { mp4: string; webm: string };

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'meetcap-ffmpeg-'));
    inputs = await makeInputs(dir);
  }, 30_000);
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('builds the remux arguments: video copied, audio to AAC, fragmented MP4 on stdout', () => {
    expect(remuxArgs({ mode: 'audio_video' })).toEqual([
      '-hide_banner', '-loglevel', 'warning', '-nostats', '-progress', 'pipe:2', '-i', 'pipe:0',
      '-map', '0:v:0', '-map', '0:a:0', '-c:v', 'copy', '-fps_mode', 'passthrough', '-bsf:v', 'setts=ts=TS+0.035/TB',
      '-c:a', 'aac', '-b:a', '128k',
      '-movflags', '+frag_keyframe+empty_moov+default_base_moof', '-frag_duration', '2000000',
      '-f', 'mp4', 'pipe:1',
    ]);
    expect(remuxArgs({ mode: 'audio_only', audioBitrateK: 96, maxFragmentMs: 1000 })).toEqual([
      '-hide_banner', '-loglevel', 'warning', '-nostats', '-progress', 'pipe:2', '-i', 'pipe:0',
      '-map', '0:a:0', '-vn', '-c:a', 'aac', '-b:a', '96k',
      '-movflags', '+empty_moov+default_base_moof', '-frag_duration', '1000000',
      '-f', 'ipod', 'pipe:1',
    ]);
    expect(() => new FfmpegArgs().opt('-metadata', 'title=a\nb')).toThrow();
  });

  it('parses -progress output of a real ffmpeg run, split at arbitrary points', async () => {
    const child = spawn('ffmpeg', ['-nostats', '-progress', 'pipe:2', '-loglevel', 'warning', '-i', inputs.mp4, '-c', 'copy', '-f', 'mp4',
      '-movflags', '+frag_keyframe+empty_moov', 'pipe:1']);
    let stderr = '';
    let outBytes = 0;
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.stdout.on('data', (c: Buffer) => (outBytes += c.length));
    await new Promise((r) => child.once('close', r));
    const parser = new ProgressParser();
    for (let i = 0; i < stderr.length; i += 7) parser.push(stderr.slice(i, i + 7));
    parser.flush();
    const snap = parser.snapshot;
    expect(snap.ended).toBe(true);
    expect(snap.blocks).toBeGreaterThanOrEqual(1);
    expect(snap.totalSize).toBe(outBytes);
    expect(parser.durationSec).toBeCloseTo((await ffprobeFile(inputs.mp4)).durationSec, 1);
  });

  it('keeps log lines apart from progress and ignores N/A values', () => {
    const parser = new ProgressParser();
    parser.push('out_time_us=N/A\ntotal_size=N/A\n[mov @ 0x5] moov atom not found\r\npipe:0: Invalid data found when processing input\nprogress=continue\n');
    expect(parser.snapshot).toEqual({ outTimeUs: 0, totalSize: 0, ended: false, blocks: 1 });
    expect(parser.logLines).toEqual(['[mov @ 0x5] moov atom not found', 'pipe:0: Invalid data found when processing input']);
  });

  it('remuxes MediaRecorder-style fragmented MP4: H.264 copied, Opus → AAC, duration and bytes reported', async () => {
    const out = path.join(dir, 'out.mp4');
    const { result, output } = await remux(inputs.mp4, 'audio_video', out);
    expect(result).toMatchObject({ finalised: true, killed: false, exitCode: 0, bytes: output.length });
    expect(result.durationSec).toBeGreaterThan(2.9);
    expect(result.durationSec).toBeLessThan(3.2);
    const probe = await ffprobeFile(out);
    expect(probe.streams).toEqual([
      { type: 'video', codec: 'h264', width: 640, height: 360 },
      { type: 'audio', codec: 'aac', sampleRate: 48000, channels: 1 },
    ]);
    // Video was copied bit for bit: same packets as the input.
    const sizes = async (f: string) => (await run('ffprobe', ['-v', 'error', '-select_streams', 'v', '-show_entries', 'packet=size', '-of', 'csv=p=0', f])).stdout;
    expect(await sizes(out)).toBe(await sizes(inputs.mp4));
    // ... and moved 35 ms later against the audio than without the delay (the tab audio's lag).
    // A fragmented file starts each track at 0, so the first frame only lasts longer.
    const plain = path.join(dir, 'plain.mp4');
    await remux(inputs.mp4, 'audio_video', plain, 0);
    const pts = async (f: string, s: 'v' | 'a') =>
      (await run('ffprobe', ['-v', 'error', '-select_streams', s, '-show_entries', 'packet=pts_time', '-of', 'csv=p=0', f])).stdout.trim().split('\n').map(Number);
    const [v, a, v0, a0] = await Promise.all([pts(out, 'v'), pts(out, 'a'), pts(plain, 'v'), pts(plain, 'a')]);
    expect(v.length).toBe(v0.length);
    for (let i = 1; i < v.length; i++) expect(v[i]! - a[0]! - (v0[i]! - a0[0]!)).toBeCloseTo(0.035, 3);
    const tone = await toneLevels(out, 440, 250);
    expect(Math.min(...tone.slice(1, -1))).toBeGreaterThan(-25);
  });

  it('audio-only: WebM/Opus in, M4A/AAC out, no video', async () => {
    const out = path.join(dir, 'out.m4a');
    const { result } = await remux(inputs.webm, 'audio_only', out);
    expect(result.finalised).toBe(true);
    const probe = await ffprobeFile(out);
    expect(probe.formatName).toContain('mp4');
    expect(probe.streams).toEqual([{ type: 'audio', codec: 'aac', sampleRate: 48000, channels: 1 }]);
    expect(probe.durationSec).toBeGreaterThan(2.9);
  });

  it('garbage input becomes transcode_failed carrying ffmpeg’s own error lines', async () => {
    const proc = FfmpegProcess.start(remuxArgs({ mode: 'audio_video' }), { logger });
    proc.stdout.resume();
    await proc.write(Buffer.alloc(64 * 1024, 0x41)).catch(() => undefined);
    const err = await proc.end().then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(MeetcapError);
    expect((err as MeetcapError).code).toBe('transcode_failed');
    expect(JSON.stringify((err as MeetcapError).details)).toMatch(/Invalid data|could not find|moov/i);
    await expect(proc.write(Buffer.from('x'))).rejects.toMatchObject({ code: 'transcode_failed' });
  });

  it('kill() is idempotent and settles exited without an error', async () => {
    const proc = FfmpegProcess.start(remuxArgs({ mode: 'audio_video' }), { logger });
    await Promise.all([proc.kill(), proc.kill()]);
    await proc.kill();
    await expect(proc.exited).resolves.toMatchObject({ killed: true, signal: 'SIGKILL' });
  });

  it('a missing binary is transcode_failed, not a crash', async () => {
    const proc = FfmpegProcess.start(['-version'], { logger, ffmpegPath: '/nonexistent/ffmpeg' });
    await expect(proc.exited).rejects.toMatchObject({ code: 'transcode_failed' });
  });
});
