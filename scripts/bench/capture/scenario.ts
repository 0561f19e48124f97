import { setTimeout as meetingTime } from 'node:timers/promises';
import type { BenchEnv } from './bench-env.js';
import type { BenchBot, BotResult } from './bots.js';

/**
 * Meetings as the parts use them. `meetingTime(ms)` is the meeting running (people talking), never
 * a wait for a signal: readiness is awaited through bot events and the sandbox's wait API.
 */
export const TONES = [440, 660, 880];

/** An open Meet sandbox meeting (no lobby, no recording notice) with `n` speaking tone participants. */
export async function createMeeting(env: BenchEnv, participants: number): Promise<{ code: string; url: string }> {
  const { code, url } = env.sandbox.api.createMeeting({ platform: 'meet', open: true, recordingNotice: false, permissionPrompt: false });
  for (let i = 0; i < participants; i++) {
    await env.sandbox.api.addParticipant(code, { name: `Speaker ${i + 1}`, toneHz: TONES[i % TONES.length]!, speaking: true });
  }
  return { code, url };
}

/** Resolves with when the bot started recording, or rejects with why it finished without. */
export async function recordingOf(bot: BenchBot): Promise<number> {
  return Promise.race([
    bot.recording,
    bot.finished.then((r): never => {
      throw new Error(`${bot.kind} bot finished before recording: ${r.error ?? 'no reason'}`);
    }),
  ]);
}

/**
 * Every bot recording, then `minutes` of meeting after the last one started, then the host ends
 * every meeting. Returns T0, the epoch ms of the end request. If a bot fails first, every bot is
stopped and awaited before the error is passed on.
 */
export async function holdMeetings(env: BenchEnv, codes: string[], bots: BenchBot[], minutes: number): Promise<number> {
  try {
    const started = await Promise.all(bots.map(recordingOf));
    for (const b of bots) b.mark('steady_start');
    const elapsed = Date.now() - Math.max(...started);
    await meetingTime(Math.max(0, minutes * 60_000 - elapsed));
  } catch (err) {
    for (const b of bots) b.stop();
    for (const code of codes) env.sandbox.api.end(code);
    // The next run must not share the machine with what is left of this one.
    await Promise.all(bots.map((b) => b.finished.catch(() => undefined)));
    throw err;
  }
  for (const b of bots) b.mark('steady_end');
  for (const b of bots) b.ending();
  const t0 = Date.now();
  for (const code of codes) env.sandbox.api.end(code);
  return t0;
}

export function median(xs: number[]): number {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (s.length === 0) return Number.NaN;
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export interface BotFigures {
  ok: boolean;
  error?: string;
  cpuSec: number;
  recordedMin: number;
  cpuSecPerRecordedMin: number;
  /** Recording phase only (every bot recording until the end request): CPU-s per minute. */
  steadyCpuSecPerMin: number;
  /** Recording phase: CPU-s per minute of the busiest threads. */
  steadyThreads: Record<string, number>;
  peakPssMiB: number;
  processes: number;
  /** CPU-s per recorded minute by process kind (measure.ts TreeUsage.byKind). */
  cpuByKind: Record<string, number>;
  /** Media seconds in the file: less than recordedMin x 60 when the bot dropped frames or audio. */
  mediaSec: number;
  /** Reference only (see BotResult). */
  streams?: BotResult['streams'];
  /** meetcap only: tree CPU-s in each session state (see BotResult). */
  cpuByPhase?: Record<string, number>;
}

export function figures(r: BotResult): BotFigures {
  const recordedMin = r.recordedSec / 60;
  return {
    ok: r.ok,
    ...(r.error ? { error: r.error } : {}),
    cpuSec: round(r.usage.cpuSec, 2),
    recordedMin: round(recordedMin, 3),
    cpuSecPerRecordedMin: recordedMin > 0 ? round(r.usage.cpuSec / recordedMin, 2) : Number.NaN,
    steadyCpuSecPerMin: round(r.steadyCpuSecPerMin ?? Number.NaN, 2),
    steadyThreads: r.steadyThreads ?? {},
    peakPssMiB: round(r.usage.peakPssMiB, 1),
    processes: r.usage.processes,
    cpuByKind: Object.fromEntries(Object.entries(r.usage.byKind).map(([k, v]) => [k, recordedMin > 0 ? round(v / recordedMin, 2) : Number.NaN])),
    mediaSec: round(r.mediaSec, 2),
    ...(r.streams ? { streams: r.streams } : {}),
    ...(r.cpuByPhase ? { cpuByPhase: Object.fromEntries(Object.entries(r.cpuByPhase).map(([k, v]) => [k, round(v, 2)])) } : {}),
  };
}

export function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
