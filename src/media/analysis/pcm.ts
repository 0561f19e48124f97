import { ffmpegStdout } from './stream.js';

/** Mono rate the audio is analysed at: enough for speech and the sandbox's tones (< 4 kHz). */
export const ANALYSIS_RATE = 16_000;
export const DEFAULT_WINDOW_MS = 10;
export const DEFAULT_THRESHOLD_DB = -50;

export interface AudioWindow {
  /** Position on the file's timeline (0 = the file's start, as players show it). */
  startSec: number;
  /** RMS level in dBFS (a full-scale sine reads -3; digital silence -Infinity). */
  db: number;
  samples: Float32Array;
}

export interface PcmOptions {
  windowMs?: number;
  fromSec?: number;
  toSec?: number;
  ffmpegPath?: string;
}

/**
 * The first audio stream, decoded to mono float PCM on the file's own timeline: `aresample`
 * with `async` + `first_pts=0` fills timestamp holes (a dropped packet, a late first packet)
 * with silence instead of silently closing them up, which would hide exactly the gaps we look
 * for and shift everything after them. Holes under 20 ms are left alone: MediaRecorder's Opus
 * timestamps wander by up to ~8 ms around the sample count (measured), and filling or cutting
 * at each wobble would chop a continuous sound into pieces; players ignore such jitter too.
 */
export function pcmArgs(file: string): string[] {
  const resample = `aresample=${ANALYSIS_RATE}:async=1:min_hard_comp=0.02:first_pts=0`;
  return ['-i', file, '-map', '0:a:0', '-ac', '1', '-af', resample, '-f', 'f32le', 'pipe:1'];
}

/** Consecutive windows of `windowMs` within [fromSec, toSec); a trailing partial window is dropped. */
export async function* audioWindows(file: string, opts: PcmOptions = {}): AsyncGenerator<AudioWindow> {
  const size = Math.round((ANALYSIS_RATE * (opts.windowMs ?? DEFAULT_WINDOW_MS)) / 1000);
  if (size < 1) throw new RangeError('windowMs is too small');
  const from = opts.fromSec ?? 0;
  const to = opts.toSec ?? Infinity;
  let window = new Float32Array(size);
  let filled = 0;
  let index = 0;
  for await (const samples of floats(ffmpegStdout(pcmArgs(file), opts.ffmpegPath))) {
    for (let i = 0; i < samples.length; ) {
      const n = Math.min(size - filled, samples.length - i);
      window.set(samples.subarray(i, i + n), filled);
      filled += n;
      i += n;
      if (filled < size) break;
      const startSec = (index * size) / ANALYSIS_RATE;
      index += 1;
      filled = 0;
      if (startSec + size / ANALYSIS_RATE > to + 1e-9) return;
      if (startSec + 1e-9 >= from) {
        yield { startSec, db: rmsDb(window), samples: window };
        window = new Float32Array(size);
      }
    }
  }
}

export function rmsDb(x: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < x.length; i++) sum += x[i]! * x[i]!;
  return 10 * Math.log10(sum / Math.max(x.length, 1));
}

/** Little-endian float32 samples out of a byte stream whose chunks split samples anywhere. */
async function* floats(chunks: AsyncIterable<Buffer>): AsyncGenerator<Float32Array> {
  let carry = Buffer.alloc(0);
  for await (const chunk of chunks) {
    const bytes = carry.length ? Buffer.concat([carry, chunk]) : chunk;
    const usable = bytes.length - (bytes.length % 4);
    // A fresh copy is 4-byte aligned, which a Float32Array view requires.
    const aligned = new Uint8Array(usable);
    aligned.set(bytes.subarray(0, usable));
    carry = Buffer.from(bytes.subarray(usable));
    yield new Float32Array(aligned.buffer);
  }
}
