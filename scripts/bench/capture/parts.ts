import { rm } from 'node:fs/promises';
import type { BenchEnv } from './bench-env.js';
import { startMeetcapBot, startReferenceBot } from './bots.js';
import { audioPresence } from '../../../src/media/analysis/index.js';
import type { BotMode } from './reference-protocol.js';
import { createMeeting, figures, holdMeetings, round, type BotFigures } from './scenario.js';

/** The three parts of the capture benchmark; each run is one meeting (or one set of meetings). */
export const CPU_PARTICIPANTS = 3;
export const LATENCY_PARTICIPANTS = 3;
/** Three tone participants per meeting at N meetings is more than 2 cores carry on the sandbox side. */
export const CONCURRENCY_PARTICIPANTS = 1;

export interface CpuRun {
  mode: BotMode;
  minutes: number;
  meetcap: BotFigures;
  reference: BotFigures;
  /** meetcap CPU-s per recorded minute / the reference's. */
  ratio: number;
  /** The same for the recording phase alone. */
  steadyRatio: number;
}

/** Both bots side by side in one meeting, each process tree sampled from launch to exit. */
export async function cpuRun(env: BenchEnv, mode: BotMode, minutes: number): Promise<CpuRun> {
  const { code, url } = await createMeeting(env, CPU_PARTICIPANTS);
  const meetcap = startMeetcapBot(env, url, mode);
  const reference = startReferenceBot(env, url, mode);
  await holdMeetings(env, [code], [meetcap, reference], minutes);
  const [m, r] = await Promise.all([meetcap.finished, reference.finished]);
  if (r.where) await rm(r.where, { force: true });
  const mf = figures(m);
  const rf = figures(r);
  return {
    mode, minutes, meetcap: mf, reference: rf,
    ratio: round(mf.cpuSecPerRecordedMin / rf.cpuSecPerRecordedMin, 3),
    steadyRatio: round(mf.steadyCpuSecPerMin / rf.steadyCpuSecPerMin, 3),
  };
}

export interface LatencyRun {
  mode: BotMode;
  minutes: number;
  ok: boolean;
  error?: string;
  recordedMin: number;
  /** End request (T0) to the first HeadObject that finds the recording (T1). */
  endToObjectMs: number;
  /** T0 to the session's outcome event (manifest stored too). */
  endToOutcomeMs: number;
}

/** meetcap alone: the host ends the meeting at T0; T1 is when the recording object is readable. */
export async function latencyRun(env: BenchEnv, mode: BotMode, minutes: number): Promise<LatencyRun> {
  const { code, url } = await createMeeting(env, LATENCY_PARTICIPANTS);
  const bot = startMeetcapBot(env, url, mode);
  const t0 = await holdMeetings(env, [code], [bot], minutes);
  const visible = env.objectVisible(bot.target).catch(() => Number.NaN);
  const [t1, result] = await Promise.all([visible, bot.finished]);
  return {
    mode, minutes, ok: result.ok && Number.isFinite(t1),
    ...(result.error ? { error: result.error } : {}),
    recordedMin: round(result.recordedSec / 60, 3),
    endToObjectMs: t1 - t0,
    endToOutcomeMs: (result.outcomeAt ?? Number.NaN) - t0,
  };
}

export interface ConcurrencyLevel {
  mode: BotMode;
  bots: number;
  holds: boolean;
  recordings: Array<{ ok: boolean; error?: string; presentRatio: number; longestGapMs: number; recordedMin: number; gaps?: Array<{ startSec: number; endSec: number }> }>;
}

const MAX_GAP_MS = 100;
const MIN_PRESENT = 0.999;

/** N meetcap bots in N meetings at once; the level holds when every recording's audio is unbroken. */
export async function concurrencyLevel(env: BenchEnv, mode: BotMode, n: number, minutes: number): Promise<ConcurrencyLevel> {
  const meetings = [];
  for (let i = 0; i < n; i++) meetings.push(await createMeeting(env, CONCURRENCY_PARTICIPANTS));
  const bots = meetings.map((m) => startMeetcapBot(env, m.url, mode));
  // Audio can only be expected once the participant's peer connection to the bot is up.
  const audioFrom = meetings.map((m) => env.sandbox.api.wait(m.code, { peersConnected: 1, timeoutMs: 180_000 }).then(() => Date.now()));
  audioFrom.forEach((p) => p.catch(() => undefined));
  await holdMeetings(env, meetings.map((m) => m.code), bots, minutes);
  const results = await Promise.all(bots.map((b) => b.finished));
  const recordings = await Promise.all(results.map(async (r, i) => {
    if (!r.ok || !r.where) return { ok: false, error: r.error ?? 'no recording', presentRatio: 0, longestGapMs: Number.NaN, recordedMin: 0 };
    const file = await env.download(r.where);
    const from = (await audioFrom[i]!) - r.recordingStartedAt;
    // Half a second after the peer connected, up to half a second before the end: ramp-in/out is not a gap.
    const p = await audioPresence(file, { fromSec: Math.max(0, from / 1000) + 0.5, toSec: r.mediaSec - 0.5 });
    await rm(file, { force: true });
    return {
      ok: true, presentRatio: round(p.presentRatio, 5), longestGapMs: round(p.longestGapMs, 0), recordedMin: round(r.recordedSec / 60, 3),
      // Where the gaps are (seconds into the file), the first ten: tells a start-up artefact from a dropout.
      gaps: p.gaps.slice(0, 10).map((g) => ({ startSec: round(g.startSec, 2), endSec: round(g.endSec, 2) })),
    };
  }));
  const holds = recordings.every((r) => r.ok && r.longestGapMs <= MAX_GAP_MS && r.presentRatio >= MIN_PRESENT);
  return { mode, bots: n, holds, recordings };
}
