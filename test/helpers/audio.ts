import { spawn } from 'node:child_process';
import { expect } from 'vitest';

/** Sample rate the audio is decoded at for analysis: plenty for tones up to a few kHz. */
const ANALYSIS_RATE = 16_000;

/**
 * Level of a pure tone at `freqHz` in each `windowMs` window of the file's first audio stream,
 * in dBFS of the tone's amplitude (a full-scale sine reads 0 dB; silence reads about -120).
 * Window i covers [i*windowMs, (i+1)*windowMs) of the decoded audio. Uses a Goertzel filter on a
 * Hann-windowed mono mix, so neighbouring tones (440 vs 880 Hz) do not leak into each other.
 */
export async function toneLevels(file: string, freqHz: number, windowMs: number): Promise<number[]> {
  const samples = await decodeMono(file);
  const size = Math.round((ANALYSIS_RATE * windowMs) / 1000);
  const levels: number[] = [];
  for (let start = 0; start + size <= samples.length; start += size) {
    levels.push(goertzelDb(samples.subarray(start, start + size), freqHz, ANALYSIS_RATE));
  }
  return levels;
}

/**
 * "The speaker is in this recording from 0.5 s after their connection to the bot was up": more
 * than `minWindows` 100 ms windows from there to 1 s before the end, and `freqHz` above -30 dB in
 * 95 % of them. A share, not every window: on two busy cores the tab capture can lose a few
 * milliseconds of sound (docs/quality.md measures that; tests that use this check what a
 * recording holds, not its gaps). Times are epoch ms: the recording's start (its manifest's
 * `recording.startedAt`) and the moment the sandbox reported the connection.
 */
export async function expectToneHeard(file: string, freqHz: number, at: { recordingStartedAt: number; connectedAt: number }, minWindows: number): Promise<void> {
  const fromSec = (at.connectedAt - at.recordingStartedAt + 500) / 1000;
  const heard = (await toneLevels(file, freqHz, 100)).slice(Math.max(0, Math.ceil(fromSec * 10)), -10);
  expect(heard.length).toBeGreaterThan(minWindows);
  expect(heard.filter((l) => l > -30).length / heard.length, heard.map(Math.round).join(' ')).toBeGreaterThanOrEqual(0.95);
}

/** Decodes the first audio stream to mono float32 PCM at ANALYSIS_RATE. */
export async function decodeMono(file: string): Promise<Float32Array> {
  const args = ['-v', 'error', '-i', file, '-map', '0:a:0', '-ac', '1', '-ar', String(ANALYSIS_RATE), '-f', 'f32le', 'pipe:1'];
  const child = spawn('ffmpeg', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const chunks: Buffer[] = [];
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => chunks.push(c));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', resolve);
  });
  if (code !== 0) throw new Error(`ffmpeg decode of ${file} failed (${code}): ${stderr.slice(-500)}`);
  const buf = Buffer.concat(chunks);
  const aligned = new Uint8Array(buf.length - (buf.length % 4));
  aligned.set(buf.subarray(0, aligned.length));
  return new Float32Array(aligned.buffer);
}

export function goertzelDb(x: Float32Array, freqHz: number, sampleRate: number): number {
  const n = x.length;
  const coeff = 2 * Math.cos((2 * Math.PI * freqHz) / sampleRate);
  let s1 = 0;
  let s2 = 0;
  for (let i = 0; i < n; i++) {
    const hann = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / (n - 1));
    const s0 = (x[i] ?? 0) * hann + coeff * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  const power = s1 * s1 + s2 * s2 - coeff * s1 * s2;
  // |X| = A * N/2 for a sine of amplitude A, times the Hann window's coherent gain of 0.5.
  const amplitude = Math.sqrt(Math.max(power, 0)) / (n * 0.25);
  return 20 * Math.log10(Math.max(amplitude, 1e-6));
}
