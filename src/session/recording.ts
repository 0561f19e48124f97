import type { Page } from 'puppeteer-core';
import type { Logger } from 'pino';
import { MeetcapError, type BotProfile, type MeetingJob, type RecordingMode, type StoredObjectInfo } from '../contracts/index.js';
import { PageCapture } from '../media/capture/index.js';
import { outputExtension } from '../media/ffmpeg/args.js';
import type { Storage } from '../media/storage/storage.js';

/** MediaRecorder's audio bitrate (recorder.js) and the AAC bitrate ffmpeg writes. */
const AUDIO_BITS_PER_SECOND = 128_000;

/** Where a session's objects live: `<keyPrefix><tenant>/<meeting>/<session>/…`. */
export function objectKeys(job: MeetingJob, sessionId: string, mode: RecordingMode): { media: string; manifest: string } {
  const prefix = job.output.keyPrefix ? `${job.output.keyPrefix.replace(/\/+$/, '')}/` : '';
  const base = `${prefix}${job.tenantId}/${job.meetingId}/${sessionId}`;
  return { media: `${base}/recording.${outputExtension(mode)}`, manifest: `${base}/manifest.json` };
}

/** A span cut out of the recording (silence, black video), in the recording's own time. */
export interface PausedSpan {
  startedAt: string;
  endedAt: string;
  /** Seconds from the recording's start. */
  offsetSec: number;
  durationSec: number;
}

export interface FinishedRecording {
  mode: RecordingMode;
  pauses: PausedSpan[];
  startedAt: number;
  endedAt: number;
  durationSec: number;
  bytes: number;
  /** Something broke while recording; what arrived before it is still there. */
  partial: boolean;
  error?: MeetcapError;
  manifestKey: string;
  keep(): Promise<StoredObjectInfo>;
  discard(): Promise<void>;
}

/**
 * The session's view of capture: start once in the call (the page records its own tab), pause
 * and resume, stop when leaving. Thin over media's PageCapture so the session owns the order.
 */
export class SessionRecording {
  private readonly capture: PageCapture;
  private readonly keys: { media: string; manifest: string };
  /** The job's choice, else the bot profile's. */
  readonly mode: RecordingMode;
  startedAt: number | undefined;
  private readonly pauseLog: Array<{ start: number; end?: number }> = [];

  private readonly expectedMaxBytes: number;

  constructor(
    private readonly page: Page,
    private readonly job: MeetingJob,
    private readonly sessionId: string,
    opts: { storage: Storage; log: Logger; profile: BotProfile; ffmpegPath: string },
  ) {
    this.mode = job.recording ?? opts.profile.recording;
    this.keys = objectKeys(job, sessionId, this.mode);
    const bitsPerSecond = AUDIO_BITS_PER_SECOND + (this.mode === 'audio_video' ? opts.profile.videoBitsPerSecond : 0);
    this.expectedMaxBytes = (job.limits.maxDurationSec * bitsPerSecond) / 8;
    this.capture = new PageCapture({
      storage: opts.storage,
      logger: opts.log,
      timesliceMs: opts.profile.chunkMs,
      videoBitsPerSecond: opts.profile.videoBitsPerSecond,
      videoFrameRate: opts.profile.videoFrameRate,
      ffmpegPath: opts.ffmpegPath,
    });
  }

  /** First failure while recording (page recorder, ffmpeg); never settles when all goes well. */
  get failure(): Promise<MeetcapError> {
    return this.capture.failure;
  }

  get started(): boolean {
    return this.startedAt !== undefined;
  }

  async start(): Promise<number> {
    const { startedAt } = await this.capture.start(this.page, {
      mode: this.mode,
      key: this.keys.media,
      spoolName: this.sessionId,
      expectedMaxBytes: this.expectedMaxBytes,
    });
    this.startedAt = startedAt.getTime();
    return this.startedAt;
  }

  /** What the health report shows: media handed over by the page, upload backlog (0 before the start). */
  progress(): { mediaBytes: number; uploadBacklogBytes: number } {
    return this.capture.progress();
  }

  get paused(): boolean {
    const last = this.pauseLog.at(-1);
    return last !== undefined && last.end === undefined;
  }

  /** Pauses or resumes; asking for the current state again is a no-op. */
  async setPaused(paused: boolean): Promise<void> {
    if (!this.started || this.stopping) throw new MeetcapError('control_refused', 'the recording is not running');
    if (paused === this.paused) return;
    const at = (await this.capture.setPaused(paused)).getTime();
    if (paused) this.pauseLog.push({ start: at });
    else this.pauseLog.at(-1)!.end = at;
  }

  get manifestKey(): string {
    return this.keys.manifest;
  }

  /** What a worker needs to finish this recording if the session dies: saved beside its spool. */
  saveRecoveryContext(manifestDraft: unknown): Promise<void> {
    return this.capture.saveContext({ manifestKey: this.keys.manifest, manifest: manifestDraft });
  }

  /** The recording as it stands, for a manifest draft (partial until it is stopped). */
  snapshot(now: number): FinishedRecording {
    const startedAt = this.startedAt ?? now;
    return {
      mode: this.mode,
      pauses: this.pausedSpans(startedAt, now),
      startedAt,
      endedAt: now,
      durationSec: (now - startedAt) / 1000,
      bytes: 0,
      partial: true,
      error: new MeetcapError('session_crashed', 'the session ended without finalizing'),
      manifestKey: this.keys.manifest,
      keep: () => Promise.reject(new MeetcapError('internal_error', 'a snapshot cannot be kept')),
      discard: () => Promise.resolve(),
    };
  }

  /** Stops once; later calls get the same result. */
  stop(): Promise<FinishedRecording> {
    return (this.stopping ??= this.finish());
  }

  private stopping: Promise<FinishedRecording> | undefined;

  private async finish(): Promise<FinishedRecording> {
    const r = await this.capture.stop();
    return {
      mode: this.mode,
      pauses: this.pausedSpans(r.startedAt.getTime(), r.endedAt.getTime()),
      startedAt: r.startedAt.getTime(),
      endedAt: r.endedAt.getTime(),
      durationSec: r.durationSec,
      bytes: r.bytes,
      partial: r.error !== undefined,
      ...(r.error ? { error: r.error } : {}),
      manifestKey: this.keys.manifest,
      keep: () => this.capture.keep(),
      discard: () => this.capture.discard(),
    };
  }

  /** A pause still open at the end lasts until the recording's end. */
  private pausedSpans(startedAt: number, endedAt: number): PausedSpan[] {
    return this.pauseLog.map(({ start, end = endedAt }) => ({
      startedAt: new Date(start).toISOString(),
      endedAt: new Date(end).toISOString(),
      offsetSec: Math.round(start - startedAt) / 1000,
      durationSec: Math.round(end - start) / 1000,
    }));
  }

  close(): Promise<void> {
    return this.capture.close();
  }
}
