import { ANALYSIS_RATE, DEFAULT_THRESHOLD_DB, DEFAULT_WINDOW_MS, audioWindows, type AudioWindow } from './pcm.js';

export interface Span {
  startSec: number;
  endSec: number;
}

export interface AudioPresence {
  /** Length of the analysed span (whole windows). */
  durationSec: number;
  /** Share of windows whose RMS is above the threshold. */
  presentRatio: number;
  longestGapMs: number;
  gaps: Span[];
}

export interface PresenceOptions {
  fromSec?: number;
  toSec?: number;
  thresholdDb?: number;
  windowMs?: number;
  ffmpegPath?: string;
}

export interface OnsetOptions extends PresenceOptions {
  /** Silence needed before a rise counts as a new onset (default 100 ms). */
  minSilenceMs?: number;
}

export interface SilentSpanOptions {
  /** Shortest silence reported (default 100 ms). */
  minMs?: number;
  thresholdDb?: number;
  windowMs?: number;
  fromSec?: number;
  toSec?: number;
  ffmpegPath?: string;
}

const DEFAULT_MIN_SILENCE_MS = 100;
/** How far before the detecting window an onset may lie, and how much of the sound after it sets its peak. */
const LOOKBACK_MS = 30;
const LOOKAHEAD_MS = 50;
/** The onset is the first sample reaching this share of the sound's peak (-6 dB): above codec pre-echo. */
const ONSET_FRACTION = 0.5;

/** Windows (default 10 ms) whose RMS is above thresholdDb (default -50 dBFS) count as present. */
export async function audioPresence(file: string, opts: PresenceOptions = {}): Promise<AudioPresence> {
  const threshold = opts.thresholdDb ?? DEFAULT_THRESHOLD_DB;
  const gaps = await silentRuns(audioWindows(file, opts), threshold, 0);
  const windowSec = (opts.windowMs ?? DEFAULT_WINDOW_MS) / 1000;
  const windows = gaps.total;
  const silent = gaps.spans.reduce((n, g) => n + Math.round((g.endSec - g.startSec) / windowSec), 0);
  return {
    durationSec: windows * windowSec,
    presentRatio: windows === 0 ? 0 : (windows - silent) / windows,
    longestGapMs: Math.max(0, ...gaps.spans.map((g) => (g.endSec - g.startSec) * 1000)),
    gaps: gaps.spans,
  };
}

/** Silent spans (RMS below threshold for at least minMs). */
export async function silentSpans(file: string, opts: SilentSpanOptions = {}): Promise<Span[]> {
  const runs = await silentRuns(audioWindows(file, opts), opts.thresholdDb ?? DEFAULT_THRESHOLD_DB, (opts.minMs ?? DEFAULT_MIN_SILENCE_MS) / 1000);
  return runs.spans;
}

async function silentRuns(windows: AsyncIterable<AudioWindow>, thresholdDb: number, minSec: number): Promise<{ spans: Span[]; total: number }> {
  const spans: Span[] = [];
  let total = 0;
  let start: number | null = null;
  let end = 0;
  const close = (): void => {
    // Compared in whole windows' time, with a little slack for float sums.
    if (start !== null && end - start >= minSec - 1e-6) spans.push({ startSec: start, endSec: end });
    start = null;
  };
  for await (const w of windows) {
    total += 1;
    if (w.db > thresholdDb) {
      close();
    } else {
      start ??= w.startSec;
      end = w.startSec + w.samples.length / ANALYSIS_RATE;
    }
  }
  close();
  return { spans, total };
}

/**
 * Times (s) where audio rises from silence to a sound (a beep, a voice). A window above the
 * threshold after at least minSilenceMs of silence marks a rise; the onset is then placed to the
 * sample: the first one within LOOKBACK_MS before that window reaching half the sound's peak.
 * The start of the file counts as silence, so sound already present at 0 is an onset at ~0.
 */
export async function audioOnsets(file: string, opts: OnsetOptions = {}): Promise<number[]> {
  const windowMs = opts.windowMs ?? DEFAULT_WINDOW_MS;
  const threshold = opts.thresholdDb ?? DEFAULT_THRESHOLD_DB;
  const minSilenceSec = (opts.minSilenceMs ?? DEFAULT_MIN_SILENCE_MS) / 1000;
  const back = Math.max(1, Math.ceil(Math.min(LOOKBACK_MS, minSilenceSec * 1000) / windowMs));
  const ahead = Math.ceil(LOOKAHEAD_MS / windowMs);
  const onsets: number[] = [];
  let history: AudioWindow[] = [];
  let pending: { before: AudioWindow[]; after: AudioWindow[] } | null = null;
  let silentSince = -Infinity;
  let inSound = false;
  for await (const w of audioWindows(file, opts)) {
    if (pending) {
      pending.after.push(w);
      if (pending.after.length >= ahead) {
        onsets.push(placeOnset(pending.before, pending.after));
        pending = null;
      }
    }
    if (w.db > threshold) {
      if (!inSound && w.startSec - silentSince >= minSilenceSec - 1e-6 && !pending) pending = { before: history, after: [w] };
      inSound = true;
    } else {
      if (inSound) silentSince = w.startSec;
      inSound = false;
    }
    history = [...history, w].slice(-back);
  }
  if (pending) onsets.push(placeOnset(pending.before, pending.after));
  return onsets;
}

function placeOnset(before: AudioWindow[], after: AudioWindow[]): number {
  let peak = 0;
  for (const w of after) for (const x of w.samples) peak = Math.max(peak, Math.abs(x));
  const level = peak * ONSET_FRACTION;
  for (const w of [...before, ...after]) {
    const i = w.samples.findIndex((x) => Math.abs(x) >= level);
    if (i >= 0) return w.startSec + i / ANALYSIS_RATE;
  }
  return after[0]!.startSec;
}
