import { execFile, fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { pino } from 'pino';
import { parseMeetingJob, type SessionOutcome } from '../../../src/contracts/index.js';
import { ffprobeFile } from '../../../src/media/ffmpeg/probe.js';
import { launchSession } from '../../../src/scheduler/launcher.js';
import { objectKeys } from '../../../src/session/recording.js';
import type { BenchEnv } from './bench-env.js';
import { TreeSampler, threadRates, threadTicks, type TreeUsage } from './measure.js';
import type { BotMode, RefBotMessage, RefBotStart } from './reference-protocol.js';

/**
 * One interface for both bots the benchmark compares, one factory each. Each bot's process tree
 * is sampled from the moment its root process exists until it exits.
 */
export interface BotResult {
  ok: boolean;
  error?: string;
  /**
   * Wall seconds the bot recorded (start of capture to the end being seen). Per-minute figures
   * divide by this, not by the media duration: a bot that drops frames under load must not
   * look cheaper or dearer per minute for it.
   */
  recordedSec: number;
  /** Seconds of media in the file (the longest stream). */
  mediaSec: number;
  /** Epoch ms when the bot started recording. */
  recordingStartedAt: number;
  usage: TreeUsage;
  /** Storage key (meetcap) or local file (reference) of the recording. */
  where?: string;
  outcome?: SessionOutcome;
  /** Epoch ms the reference's ffmpeg had finished the file. */
  finalizedAt?: number;
  /** Epoch ms meetcap's outcome event arrived (after the manifest was stored). */
  outcomeAt?: number;
  /** CPU-s per minute between the steady marks: recording only, no launch, join or finalize. */
  steadyCpuSecPerMin?: number;
  /** CPU-s per minute of the busiest threads in the recording phase ("<process kind> <thread>"). */
  steadyThreads?: Record<string, number>;
  /** Reference only: what the file holds per stream (frames dropped under load show here). */
  streams?: StreamFacts[];
  /** meetcap only: tree CPU-s spent in each session state, `start` before the first, `exit` after the last. */
  cpuByPhase?: Record<string, number>;
}

export interface BenchBot {
  readonly kind: 'meetcap' | 'reference';
  readonly pid: number;
  /** Resolves with the epoch ms recording started. */
  readonly recording: Promise<number>;
  readonly finished: Promise<BotResult>;
  /** Where the finished recording will be: storage key for meetcap, file for the reference. */
  readonly target: string;
  /** The meeting is about to end: sample the tree faster for an exact tail. */
  ending(): void;
  /** Marks the start and end of the steady recording phase (every bot recording, meeting not ended yet). */
  mark(which: 'steady_start' | 'steady_end'): void;
  stop(): void;
}

const run = promisify(execFile);
const BOT_GRACE_MS = 30_000;

export interface StreamFacts {
  type: string;
  durationSec: number;
  packets: number;
}

/** Per-stream duration and packet count (frames, for video): shows dropped frames or a late start. */
async function streamFacts(file: string): Promise<StreamFacts[]> {
  const { stdout } = await run('ffprobe', ['-v', 'error', '-count_packets', '-print_format', 'json', '-show_entries', 'stream=codec_type,duration,nb_read_packets', file]);
  const raw = JSON.parse(stdout) as { streams?: Array<{ codec_type?: string; duration?: string; nb_read_packets?: string }> };
  return (raw.streams ?? []).map((s) => ({ type: s.codec_type ?? '?', durationSec: Number(s.duration), packets: Number(s.nb_read_packets) }));
}

type SteadyFigures = Pick<BotResult, 'steadyCpuSecPerMin' | 'steadyThreads'>;

/** CPU of the recording phase, in total and by thread (what the whole-life figures cannot show). */
function steadyPhase(sampler: TreeSampler, root: number): { mark: BenchBot['mark']; result: () => SteadyFigures } {
  const at: Record<string, { t: number; cpu: number; threads: Map<string, number> }> = {};
  return {
    mark: (which) => void (at[which] = { t: Date.now(), cpu: sampler.cpuNow(), threads: threadTicks(root) }),
    result: () => {
      const a = at['steady_start'];
      const b = at['steady_end'];
      if (!a || !b || b.t <= a.t) return {};
      return { steadyCpuSecPerMin: ((b.cpu - a.cpu) * 60_000) / (b.t - a.t), steadyThreads: threadRates(a.threads, b.threads, b.t - a.t) };
    },
  };
}

/**
 * Tree CPU at each session state change, so launch, join and finalize can be told apart (the
 * whole-life figure holds them all). `paused` counts as recording.
 */
function phaseClock(): { attach(s: TreeSampler): void; enter(state: string): void; result(totalCpuSec: number): Record<string, number> } {
  let sampler: TreeSampler | undefined;
  const marks: { phase: string; cpu: number }[] = [];
  return {
    attach: (s) => void (sampler = s),
    enter: (state) => {
      if (sampler) marks.push({ phase: state === 'paused' ? 'recording' : state, cpu: sampler.cpuNow() });
    },
    result: (total) => {
      const out: Record<string, number> = { start: marks[0]?.cpu ?? total };
      marks.forEach((m, i) => {
        const key = i === marks.length - 1 ? 'exit' : m.phase;
        out[key] = (out[key] ?? 0) + (marks[i + 1]?.cpu ?? total) - m.cpu;
      });
      return out;
    },
  };
}

/** A real `meetcap session` child, launched exactly as the worker launches it. */
export function startMeetcapBot(env: BenchEnv, meetingUrl: string, mode: BotMode): BenchBot {
  const sessionId = `ses_${randomUUID()}`;
  const job = parseMeetingJob({
    meetingId: `bench-${randomUUID().slice(0, 8)}`, tenantId: 'bench', meetingUrl, recording: mode,
    scheduledStart: new Date().toISOString(), joinOffsetSec: 0,
    limits: { minDurationSec: 1, joinTimeoutSec: 120, waitingRoomTimeoutSec: 120 },
  });
  let onRecording!: (at: number) => void;
  const recording = new Promise<number>((resolve) => (onRecording = resolve));
  let outcomeAt: number | undefined;
  const phases = phaseClock();
  const session = launchSession({
    sessionId, job, log: pino({ level: 'silent' }), env: env.botEnv, stopGraceMs: BOT_GRACE_MS,
    onEvent: (e) => {
      if (e.type === 'state') phases.enter(e.data.state);
      if (e.type === 'state' && e.data.state === 'recording') onRecording(Date.now());
      if (e.type === 'outcome') outcomeAt = Date.now();
    },
    onLogLine: (line) => {
      if (/"level":(50|60)/.test(line)) process.stderr.write(`[meetcap] ${line}\n`);
    },
  });
  if (session.pid === undefined) throw new Error('meetcap session did not start');
  const sampler = new TreeSampler(session.pid);
  phases.attach(sampler);
  const steady = steadyPhase(sampler, session.pid);
  const target = objectKeys(job, sessionId, mode).media;
  const finished = session.outcome.then((outcome): BotResult => {
    const usage = sampler.stop();
    const rec = outcome.recording;
    const ok = outcome.state === 'done' && rec !== undefined;
    return {
      ok, usage, outcome, where: target, ...(outcomeAt ? { outcomeAt } : {}), ...steady.result(), cpuByPhase: phases.result(usage.cpuSec),
      recordedSec: rec ? (Date.parse(rec.endedAt) - Date.parse(rec.startedAt)) / 1000 : 0,
      mediaSec: rec?.durationSec ?? 0,
      recordingStartedAt: rec ? Date.parse(rec.startedAt) : 0,
      ...(ok ? {} : { error: `${outcome.state}: ${outcome.reason ?? ''} ${outcome.error?.message ?? ''}` }),
    };
  });
  return {
    kind: 'meetcap', pid: session.pid, recording, finished, target, mark: steady.mark,
    ending: () => sampler.fast(), stop: () => session.stop('stopped_by_operator'),
  };
}

const REF_ENTRY = fileURLToPath(new URL('./reference-bot.ts', import.meta.url));

/** The Xvfb + PulseAudio + x11grab reference bot in its own process (see reference-bot.ts). */
export function startReferenceBot(env: BenchEnv, meetingUrl: string, mode: BotMode): BenchBot {
  const outFile = join(env.workDir, `reference-${randomUUID().slice(0, 8)}.${mode === 'audio_only' ? 'm4a' : 'mp4'}`);
  const child = fork(REF_ENTRY, [], {
    execArgv: ['--import', 'tsx'], env: env.botEnv, stdio: ['ignore', 'ignore', 'inherit', 'ipc'], serialization: 'json',
  });
  if (child.pid === undefined) throw new Error('reference bot did not start');
  const sampler = new TreeSampler(child.pid);
  const steady = steadyPhase(sampler, child.pid);
  let onRecording!: (at: number) => void;
  const recording = new Promise<number>((resolve) => (onRecording = resolve));
  let done: Extract<RefBotMessage, { type: 'done' }> | undefined;
  child.on('message', (msg: RefBotMessage) => {
    if (msg.type === 'recording') onRecording(msg.at);
    else if (msg.type === 'done') done = msg;
  });
  const start: RefBotStart = { type: 'start', meetingUrl, botName: 'Reference Recorder', mode, outFile };
  child.send(start);
  const finished = new Promise<void>((resolve) => child.once('exit', () => resolve())).then(async (): Promise<BotResult> => {
    const usage = sampler.stop();
    if (!done?.ok) return { ok: false, error: done ? done.error : 'reference bot exited without a result', recordedSec: 0, mediaSec: 0, recordingStartedAt: 0, usage };
    const probe = await ffprobeFile(done.file);
    return {
      ...steady.result(), ok: true, usage, where: done.file, mediaSec: probe.durationSec,
      recordedSec: (done.endDetectedAt - done.recordingStartedAt) / 1000,
      recordingStartedAt: done.recordingStartedAt, finalizedAt: done.finalizedAt, streams: await streamFacts(done.file),
    };
  });
  let timer: NodeJS.Timeout | undefined;
  return {
    kind: 'reference', pid: child.pid, recording, finished, target: outFile, mark: steady.mark,
    ending: () => sampler.fast(),
    stop: () => {
      if (child.connected) child.send({ type: 'stop' });
      timer ??= setTimeout(() => child.exitCode === null && child.kill('SIGKILL'), BOT_GRACE_MS).unref();
    },
  };
}
