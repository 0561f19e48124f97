import type { Logger } from 'pino';
import { MeetcapError, toMeetcapError, type FileJob, type RecordingMode } from '../contracts/index.js';
import { FfmpegProcess, type FfmpegResult } from '../media/ffmpeg/process.js';
import { probeSource, type SourceProbe } from '../media/ffmpeg/source-probe.js';
import { audioReadArgs, canCopyVideo, transcodeArgs } from '../media/ffmpeg/transcode-args.js';

/** What the rules decided for a probed source. */
export type IngestPlan =
  | { kind: 'discard'; durationSec: number }
  | {
      kind: 'transcode';
      mode: RecordingMode;
      video: 'copy' | 'encode';
      channels: number;
      sampleRate: number | undefined;
      /** Audio-track indexes kept, mixed into one when several (one for most files). */
      audioTracks: number[];
      /** The source's length when the container states it; what the output must come close to. */
      expectedSec: number | undefined;
      maxReached: boolean;
    };

/**
 * The product's rules applied to a file: it needs an audio track; shorter than the minimum is
 * discarded before any work; longer than the maximum keeps the first `maxDurationSec`. A source
 * without video is audio-only whatever the job or profile asks.
 */
export function planIngest(job: FileJob, probe: SourceProbe, profileMode: RecordingMode): IngestPlan {
  if (!probe.audio) throw new MeetcapError('source_unreadable', 'the file has no audio track');
  const { minDurationSec, maxDurationSec } = job.limits;
  const d = probe.durationSec;
  if (d !== undefined && d < minDurationSec) return { kind: 'discard', durationSec: d };
  const mode: RecordingMode = probe.video ? (job.recording ?? profileMode) : 'audio_only';
  return {
    kind: 'transcode',
    mode,
    video: probe.video && canCopyVideo(probe.video) ? 'copy' : 'encode',
    channels: probe.audio.channels,
    sampleRate: probe.audio.sampleRate,
    audioTracks: probe.audio.decodable,
    expectedSec: d === undefined ? undefined : Math.min(d, maxDurationSec),
    maxReached: d !== undefined && d > maxDurationSec,
  };
}

export interface TranscodeResult {
  output: string;
  durationSec: number;
  maxReached: boolean;
}

/**
 * Runs ffmpeg to `output` and checks what came out: a source that stops early (an MP4 cut short
 * with its index intact, a damaged stream) yields a shorter output than the container promised,
 * and is `source_unreadable`, never a silently short recording.
 */
export async function transcode(
  job: FileJob,
  plan: Extract<IngestPlan, { kind: 'transcode' }>,
  io: { input: string; output: string; ffmpegPath: string; ffprobePath: string; log: Logger; signal: AbortSignal },
): Promise<TranscodeResult> {
  const max = job.limits.maxDurationSec;
  const mixDurationSec = plan.audioTracks.length > 1 ? await readableAudioSec(plan.audioTracks, io) : undefined;
  if (io.signal.aborted) throw new MeetcapError('stopped_by_operator', 'stopped while reading the source');
  const args = transcodeArgs({ input: io.input, output: io.output, mode: plan.mode, video: plan.video, audioChannels: plan.channels, audioTracks: plan.audioTracks, mixDurationSec, audioSampleRate: plan.sampleRate, maxDurationSec: max });
  io.log.info({ mode: plan.mode, video: plan.video, channels: plan.channels, audioTracks: plan.audioTracks }, 'transcoding source');
  await runFfmpeg(args, io);
  if (io.signal.aborted) throw new MeetcapError('stopped_by_operator', 'stopped while transcoding');
  const out = await probeSource(io.output, io.ffprobePath).catch((err: unknown) => {
    throw new MeetcapError('transcode_failed', `ffmpeg wrote an output ffprobe cannot read: ${(err as Error).message}`);
  });
  const durationSec = out.durationSec ?? 0;
  if (plan.expectedSec !== undefined && durationSec < plan.expectedSec - tolerance(plan.expectedSec)) {
    throw new MeetcapError('source_unreadable', `the file is truncated or damaged: ${round(durationSec)} s of media readable, the file says ${round(plan.expectedSec)} s`, {
      readableSec: round(durationSec),
      declaredSec: round(plan.expectedSec),
    });
  }
  // A source that did not state its length has reached the maximum when ffmpeg's -t cut it.
  const maxReached = plan.maxReached || (plan.expectedSec === undefined && durationSec >= max - 0.5);
  return { output: io.output, durationSec, maxReached };
}

/**
 * How far the tracks to be mixed can really be read. The mix pads every track to this length,
 * so a truncated file comes out as long as what is left of it and fails the length check below,
 * instead of being padded with silence to the length its container claims.
 */
async function readableAudioSec(tracks: readonly number[], io: FfmpegIo & { input: string }): Promise<number> {
  return (await runFfmpeg(audioReadArgs(io.input, tracks), io)).durationSec;
}

type FfmpegIo = { ffmpegPath: string; log: Logger; signal: AbortSignal };

/** Runs ffmpeg to its end, killed when the job is stopped; a damaged input is blamed on the source. */
async function runFfmpeg(args: readonly string[], io: FfmpegIo): Promise<FfmpegResult> {
  const proc = FfmpegProcess.start(args, { logger: io.log, ffmpegPath: io.ffmpegPath });
  // ffmpeg writes to a file or nowhere; nothing comes on stdout, but an unread pipe must not hold it up.
  proc.stdout.resume();
  const onStop = (): void => void proc.kill();
  io.signal.addEventListener('abort', onStop, { once: true });
  try {
    return await proc.end();
  } catch (err) {
    throw blame(toMeetcapError(err, 'transcode_failed'));
  } finally {
    io.signal.removeEventListener('abort', onStop);
  }
}

/** Up to 2 s or 2 % short is encoder priming and stream-end slack, not a truncated file. */
function tolerance(expectedSec: number): number {
  return Math.max(2, expectedSec * 0.02);
}

/** ffmpeg lines that mean the input is damaged, rather than ffmpeg or the machine failing. */
const INPUT_FAULT = /invalid data|error while decoding|corrupt|truncat|end of file|partial file|moov atom|no frame|could not find codec parameters|invalid nal|error reading header/i;

function blame(err: MeetcapError): MeetcapError {
  if (err.code !== 'transcode_failed') return err;
  const log = (err.details['log'] as string[] | undefined) ?? [];
  if (!log.some((line) => INPUT_FAULT.test(line))) return err;
  return new MeetcapError('source_unreadable', `the file cannot be decoded: ${log.at(-1) ?? err.message}`, { log }, { cause: err });
}

function round(sec: number): number {
  return Math.round(sec * 10) / 10;
}
