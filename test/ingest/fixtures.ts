import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { pino, type Logger } from 'pino';
import { loadConfig, type Config } from '../../src/config/index.js';
import type { FileJobInput, SessionEvent, SessionOutcome } from '../../src/contracts/index.js';
import { parseFileJob } from '../../src/contracts/index.js';
import { runIngest } from '../../src/ingest/run.js';
import type { Storage } from '../../src/media/storage/storage.js';
import { systemClock } from '../../src/session/clock.js';

const run = promisify(execFile);
const ff = (args: string[]) => run('ffmpeg', ['-v', 'error', '-y', ...args], { maxBuffer: 1 << 20 });

/** Source files made with ffmpeg's lavfi generators at test time (no media is committed). */
export const make = {
  /** Stereo H.264 + AAC, small and at 10 fps so it is cheap; moov at the end (ffmpeg's default). */
  video: async (file: string, sec: number) => {
    await ff(['-f', 'lavfi', '-i', 'testsrc2=size=160x120:rate=10', '-f', 'lavfi', '-i', 'sine=f=440:sample_rate=48000',
      '-filter_complex', '[1:a]pan=stereo|c0=c0|c1=0.5*c0[a]', '-map', '0:v', '-map', '[a]', '-t', String(sec),
      '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-metadata', 'creation_time=2026-11-20T09:30:00Z', file]);
    return file;
  },
  /** VP8 + Vorbis WebM: a video track no QuickTime plays, so it must be encoded to H.264. */
  webm: async (file: string, sec: number) => {
    await ff(['-f', 'lavfi', '-i', 'testsrc2=size=161x121:rate=10', '-f', 'lavfi', '-i', 'sine=f=440:sample_rate=48000', '-t', String(sec),
      '-c:v', 'libvpx', '-deadline', 'realtime', '-cpu-used', '8', '-b:v', '200k', '-c:a', 'libvorbis', file]);
    return file;
  },
  /** Stereo Ogg/Vorbis, no video. */
  audio: async (file: string, sec: number) => {
    await ff(['-f', 'lavfi', '-i', 'sine=f=440:sample_rate=48000', '-t', String(sec), '-ac', '2', '-c:a', 'libvorbis', file]);
    return file;
  },
  /** A one-sided dialer recording: mono telephone-band WAV (µ-law keeps a 2 h file at 60 MB). */
  dialerWav: async (file: string, sec: number) => {
    await ff(['-f', 'lavfi', '-i', 'sine=f=300:sample_rate=8000', '-t', String(sec), '-ac', '1', '-c:a', 'pcm_mulaw', file]);
    return file;
  },
  /**
   * A call recorded with each side on its own track (Matroska, AAC), as call recorders write
   * them: the agent's track (mono, 8 kHz, 300 Hz) holds the first half and then ends; the
   * customer's (stereo, 48 kHz, 1 kHz) starts only at the second half, by its timestamps.
   */
  twoTrackCall: async (file: string, sec: number) => {
    const half = sec / 2;
    await ff(['-f', 'lavfi', '-i', `sine=f=300:sample_rate=8000:duration=${half}`, '-f', 'lavfi', '-i', `sine=f=1000:sample_rate=48000:duration=${half}`,
      '-map', '0:a', '-map', '1:a', '-ac:a:0', '1', '-ac:a:1', '2', '-c:a', 'aac', `${file}.parts.mkv`]);
    await ff(['-i', `${file}.parts.mkv`, '-itsoffset', String(half), '-i', `${file}.parts.mkv`, '-map', '0:a:0', '-map', '1:a:1', '-c', 'copy', file]);
    await rm(`${file}.parts.mkv`);
    return file;
  },
  /** Two tracks as long as each other (300 Hz and 1 kHz), MP4 with its index at the front. */
  twoTracksFaststart: async (file: string, sec: number) => {
    await ff(['-f', 'lavfi', '-i', `sine=f=300:sample_rate=8000:duration=${sec}`, '-f', 'lavfi', '-i', `sine=f=1000:sample_rate=8000:duration=${sec}`,
      '-map', '0:a', '-map', '1:a', '-c:a', 'aac', '-movflags', '+faststart', file]);
    return file;
  },
  /**
   * Two tracks, the second in a codec ffmpeg does not know (its Matroska CodecID renamed): the
   * first must still be kept.
   */
  unknownSecondTrack: async (file: string, sec: number) => {
    await ff(['-f', 'lavfi', '-i', `sine=f=300:sample_rate=8000:duration=${sec}`, '-f', 'lavfi', '-i', `sine=f=1000:sample_rate=8000:duration=${sec}`,
      '-map', '0:a', '-map', '1:a', '-c:a:0', 'aac', '-c:a:1', 'pcm_s16le', file]);
    const bytes = await readFile(file);
    const at = bytes.indexOf('A_PCM/INT/LIT');
    if (at < 0) throw new Error('no PCM CodecID to rename');
    bytes.write('A_QQQ/INT/LIT', at, 'latin1');
    await writeFile(file, bytes);
    return file;
  },
  /** The same with its index at the front (`+faststart`): cutting it keeps the index, loses media. */
  faststart: async (file: string, from: string) => {
    await ff(['-i', from, '-c', 'copy', '-movflags', '+faststart', file]);
    return file;
  },
  /** The first half of a non-faststart MP4: its index (moov) is at the end, so it is gone. */
  truncated: async (file: string, from: string) => {
    const whole = await readFile(from);
    await writeFile(file, whole.subarray(0, Math.floor(whole.length / 2)));
    return file;
  },
  text: async (file: string) => (await writeFile(file, 'Meeting notes\n- nothing to see here\n'.repeat(200)), file),
  random: async (file: string) => (await writeFile(file, randomBytes(256 * 1024)), file),
  empty: async (file: string) => (await writeFile(file, ''), file),
};

export interface MediaInfo {
  formatName: string;
  durationSec: number;
  streams: Array<{ codec_type: string; codec_name: string; channels?: number; pix_fmt?: string }>;
}

export async function probe(file: string): Promise<MediaInfo> {
  const { stdout } = await run('ffprobe', ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', file]);
  const raw = JSON.parse(stdout) as { format: { format_name: string; duration: string }; streams: MediaInfo['streams'] };
  return { formatName: raw.format.format_name, durationSec: Number(raw.format.duration), streams: raw.streams };
}

/** MP4 top-level boxes in file order; `+faststart` puts moov before mdat. */
export async function topLevelBoxes(file: string): Promise<string[]> {
  const buf = await readFile(file);
  const boxes: string[] = [];
  for (let at = 0; at + 8 <= buf.length; ) {
    let size = buf.readUInt32BE(at);
    const type = buf.toString('latin1', at + 4, at + 8);
    if (size === 1) size = Number(buf.readBigUInt64BE(at + 8));
    boxes.push(type);
    if (size < 8) break;
    at += size;
  }
  return boxes;
}

/** Every file under `dir`, relative, sorted ([] when it does not exist). */
export async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true }).catch(() => [] as string[]);
  const files: string[] = [];
  for (const e of entries) if ((await stat(path.join(dir, e))).isFile()) files.push(e);
  return files.sort();
}

export interface IngestRun {
  outcome: SessionOutcome;
  events: SessionEvent[];
  states: string[];
}

export function testConfig(env: Record<string, string> = {}): Config {
  return loadConfig({ ...process.env, MEETCAP_MIN_DURATION_FLOOR_SEC: '1', ...env });
}

/** Runs a file job in this process, as the session child would, collecting its events. */
export async function ingest(
  input: Omit<FileJobInput, 'source' | 'tenantId' | 'meetingId'> & Partial<FileJobInput>,
  deps: { config: Config; storage: Storage; log?: Logger; stop?: AbortSignal },
): Promise<IngestRun> {
  const job = parseFileJob({ meetingId: `f-${randomBytes(4).toString('hex')}`, tenantId: 'acme', source: 'file', ...input });
  const events: SessionEvent[] = [];
  const outcome = await runIngest(job, `ses_${randomBytes(6).toString('hex')}`, {
    config: deps.config,
    storage: deps.storage,
    clock: systemClock,
    log: deps.log ?? pino({ level: 'silent' }),
    emit: (e) => events.push(e),
    stop: deps.stop ?? new AbortController().signal,
  });
  const states = events.flatMap((e) => (e.type === 'state' ? [e.data.state] : []));
  return { outcome, events, states };
}
