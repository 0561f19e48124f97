import type { Page } from 'puppeteer-core';
import type { Logger } from 'pino';
import type { BotProfile, MeetcapError, MeetingJob, RecordingMode, StoredObjectInfo } from '../contracts/index.js';
import { PageCapture } from '../media/capture/index.js';
import { outputExtension } from '../media/ffmpeg/args.js';
import type { Storage } from '../media/storage/storage.js';

/** Where a session's objects live: `<keyPrefix><tenant>/<meeting>/<session>/…`. */
export function objectKeys(job: MeetingJob, sessionId: string, mode: RecordingMode): { media: string; manifest: string } {
  const prefix = job.output.keyPrefix ? `${job.output.keyPrefix.replace(/\/+$/, '')}/` : '';
  const base = `${prefix}${job.tenantId}/${job.meetingId}/${sessionId}`;
  return { media: `${base}/recording.${outputExtension(mode)}`, manifest: `${base}/manifest.json` };
}

export interface FinishedRecording {
  mode: RecordingMode;
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
 * The session's view of capture: install the tap before the meeting page loads, start once in
 * the call, stop when leaving. Thin over media's PageCapture so the session owns the order.
 */
export class SessionRecording {
  private readonly capture: PageCapture;
  private readonly keys: { media: string; manifest: string };
  /** The job's choice, else the bot profile's. */
  readonly mode: RecordingMode;
  startedAt: number | undefined;

  constructor(
    private readonly page: Page,
    private readonly job: MeetingJob,
    sessionId: string,
    opts: { storage: Storage; log: Logger; profile: BotProfile; ffmpegPath: string },
  ) {
    this.mode = job.recording ?? opts.profile.recording;
    this.keys = objectKeys(job, sessionId, this.mode);
    this.capture = new PageCapture({
      storage: opts.storage,
      logger: opts.log,
      timesliceMs: opts.profile.chunkMs,
      videoBitsPerSecond: opts.profile.videoBitsPerSecond,
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

  install(): Promise<void> {
    return this.capture.installTap(this.page);
  }

  async start(): Promise<number> {
    const { startedAt } = await this.capture.start(this.page, { mode: this.mode, key: this.keys.media });
    this.startedAt = startedAt.getTime();
    return this.startedAt;
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

  close(): Promise<void> {
    return this.capture.close();
  }
}
