import { ffmpegStdout, lines } from './stream.js';

export interface FlashOptions {
  fromSec?: number;
  toSec?: number;
  /** Darkness needed before a bright frame counts as a new flash (default 100 ms). */
  minDarkMs?: number;
  ffmpegPath?: string;
}

export interface FrameLuma {
  /** The frame's presentation time on the file's timeline. */
  ptsSec: number;
  /** Mean luma, 0..255. */
  luma: number;
}

const DEFAULT_MIN_DARK_MS = 100;
/** Below this spread between dark and bright frames there are no flashes, only noise. */
const MIN_CONTRAST = 12;

/**
 * Every decoded frame's pts and mean luma. MediaRecorder writes variable-frame-rate video, so
 * each frame's own pts is read (the metadata filter prints it next to the mean); no frame rate
 * is assumed. Frames are box-averaged to 32x18 gray first (`area`: an exact mean, and a quarter
 * cheaper than the default bicubic); the decode itself is most of the cost.
 */
export async function* frameLumas(file: string, ffmpegPath?: string): AsyncGenerator<FrameLuma> {
  const filter = 'scale=32:18:flags=area,format=gray,signalstats,metadata=mode=print:key=lavfi.signalstats.YAVG:file=-';
  const args = ['-i', file, '-map', '0:v:0', '-an', '-sn', '-vf', filter, '-f', 'null', '-'];
  let pts: number | null = null;
  for await (const line of lines(ffmpegStdout(args, ffmpegPath))) {
    const frame = /pts_time:(-?[\d.e+-]+)/.exec(line);
    if (frame) pts = Number(frame[1]);
    const mean = /^lavfi\.signalstats\.YAVG=([\d.]+)/.exec(line);
    if (mean && pts !== null) {
      yield { ptsSec: pts, luma: Number(mean[1]) };
      pts = null;
    }
  }
}

/**
 * Times (s) where the video rises from dark to a flash: the pts of the first bright frame after
 * at least minDarkMs of dark ones. Bright means above the midpoint between the median frame
 * (dark: flashes are assumed to be on less than half the time) and the brightest one.
 */
export async function videoFlashOnsets(file: string, opts: FlashOptions = {}): Promise<number[]> {
  const from = opts.fromSec ?? 0;
  const to = opts.toSec ?? Infinity;
  const frames: FrameLuma[] = [];
  for await (const f of frameLumas(file, opts.ffmpegPath)) {
    if (f.ptsSec > to) break;
    if (f.ptsSec >= from) frames.push(f);
  }
  if (frames.length === 0) return [];
  const sorted = frames.map((f) => f.luma).sort((a, b) => a - b);
  const dark = sorted[Math.floor(sorted.length / 2)]!;
  const bright = sorted[sorted.length - 1]!;
  if (bright - dark < MIN_CONTRAST) return [];
  const threshold = (dark + bright) / 2;
  const minDarkSec = (opts.minDarkMs ?? DEFAULT_MIN_DARK_MS) / 1000;
  const onsets: number[] = [];
  let darkSince = -Infinity;
  let lit = false;
  for (const f of frames) {
    if (f.luma >= threshold) {
      if (!lit && f.ptsSec - darkSince >= minDarkSec - 1e-6) onsets.push(f.ptsSec);
      lit = true;
    } else {
      if (lit) darkSince = f.ptsSec;
      lit = false;
    }
  }
  return onsets;
}
