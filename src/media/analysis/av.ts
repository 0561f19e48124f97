import { audioOnsets, type OnsetOptions } from './audio.js';
import { videoFlashOnsets } from './video.js';

export interface AvPair {
  videoSec: number;
  audioSec: number;
  /** audio - video in ms: positive when the sound comes after the picture. */
  offsetMs: number;
}

export interface AvOffsetOptions extends OnsetOptions {
  /** A flash with no beep this close is left unpaired (default 400 ms: under half the sandbox's 1 s period). */
  maxPairMs?: number;
  /** Darkness needed before a bright frame counts as a new flash (default 100 ms). */
  minDarkMs?: number;
}

const DEFAULT_MAX_PAIR_MS = 400;

/** Pairs each flash with the nearest beep: offsetMs = audio - video (positive: audio late). */
export async function avOffsets(file: string, opts: AvOffsetOptions = {}): Promise<{ pairs: AvPair[] }> {
  const videoOpts = {
    ...(opts.fromSec !== undefined ? { fromSec: opts.fromSec } : {}),
    ...(opts.toSec !== undefined ? { toSec: opts.toSec } : {}),
    ...(opts.minDarkMs !== undefined ? { minDarkMs: opts.minDarkMs } : {}),
    ...(opts.ffmpegPath !== undefined ? { ffmpegPath: opts.ffmpegPath } : {}),
  };
  // Two ffmpeg processes side by side: the video decode dominates, audio rides along.
  const [flashes, beeps] = await Promise.all([videoFlashOnsets(file, videoOpts), audioOnsets(file, opts)]);
  return { pairs: pairNearest(flashes, beeps, opts.maxPairMs ?? DEFAULT_MAX_PAIR_MS) };
}

/** Each video onset with its nearest audio onset within maxPairMs; both lists ascending. */
export function pairNearest(videoSecs: readonly number[], audioSecs: readonly number[], maxPairMs: number): AvPair[] {
  const pairs: AvPair[] = [];
  let j = 0;
  for (const v of videoSecs) {
    while (j + 1 < audioSecs.length && Math.abs(audioSecs[j + 1]! - v) <= Math.abs(audioSecs[j]! - v)) j += 1;
    const a = audioSecs[j];
    if (a === undefined) break;
    const offsetMs = (a - v) * 1000;
    if (Math.abs(offsetMs) <= maxPairMs) pairs.push({ videoSec: v, audioSec: a, offsetMs });
  }
  return pairs;
}
