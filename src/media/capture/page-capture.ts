import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { Page } from 'puppeteer-core';
import type { StoredObjectInfo } from '../../contracts/events.js';
import { MeetcapError, toMeetcapError } from '../../contracts/errors.js';
import { outputContentType, remuxArgs, type RecordingMode } from '../ffmpeg/args.js';
import { FfmpegProcess, type FfmpegResult } from '../ffmpeg/process.js';
import type { Storage, StreamedUpload } from '../storage/storage.js';
import { recorderCall, recorderScript } from './scripts.js';
import { startCaptureServer, type CaptureServer } from './server.js';

export interface PageCaptureOptions {
  storage: Storage;
  logger: Logger;
  /** How often the page hands over a chunk; also the most a page crash can lose. */
  timesliceMs?: number;
  videoBitsPerSecond?: number;
  /** Tab capture (and so recording) frame rate; default 30. */
  videoFrameRate?: number;
  ffmpegPath?: string;
  /** Limits for the page-side start/stop; a hung page must not hang the session. */
  startTimeoutMs?: number;
  stopTimeoutMs?: number;
}

export interface CaptureStartOptions {
  mode: RecordingMode;
  /** Storage key of the recording. */
  key: string;
  /** Names the upload's spool (the session id), so a worker can finish it after a crash. */
  spoolName?: string;
  /** Longest recording × bitrate: sizes the multipart parts. */
  expectedMaxBytes?: number;
}

export interface CaptureStopResult {
  startedAt: Date;
  endedAt: Date;
  /** Bytes of the output (after ffmpeg) handed to storage. */
  bytes: number;
  /** Bytes received from the page. */
  inputBytes: number;
  /** Output duration as ffmpeg reported it. */
  durationSec: number;
  mimeType: string;
  /** What went wrong on the way, if anything; the output up to that point is still there to keep. */
  error?: MeetcapError;
}

interface Running {
  page: Page;
  mode: RecordingMode;
  ffmpeg: FfmpegProcess;
  upload: StreamedUpload;
  server: CaptureServer;
  startedAt: Date;
  mimeType: string;
}

/**
 * Page → ws → ffmpeg → storage for one Puppeteer page. Order of use:
 * navigate/join → start → stop → keep | discard; close() at any point tears everything down
 * (discarding the upload unless kept).
 */
export class PageCapture {
  /** Resolves with the first failure during recording (never resolves when all goes well). */
  readonly failure: Promise<MeetcapError>;
  private readonly key = `mc-${randomBytes(12).toString('hex')}`;
  private readonly log: Logger;
  private running?: Running;
  private result?: CaptureStopResult;
  private stopping?: Promise<CaptureStopResult>;
  private settled: 'kept' | 'discarded' | undefined;
  private reportFailure!: (e: MeetcapError) => void;

  constructor(private readonly options: PageCaptureOptions) {
    this.log = options.logger.child({ component: 'capture' });
    this.failure = new Promise((resolve) => (this.reportFailure = resolve));
  }

  async start(page: Page, opts: CaptureStartOptions): Promise<{ startedAt: Date; mimeType: string }> {
    if (this.running || this.settled) throw new MeetcapError('capture_failed', 'capture already started');
    const ffmpeg = FfmpegProcess.start(remuxArgs({ mode: opts.mode }), { logger: this.log, ...ffmpegPath(this.options) });
    const upload = this.options.storage.startUpload(opts.key, outputContentType(opts.mode), ffmpeg.stdout, {
      log: this.log,
      ...(opts.spoolName ? { spoolName: opts.spoolName } : {}),
      ...(opts.expectedMaxBytes ? { expectedMaxBytes: opts.expectedMaxBytes } : {}),
    });
    let server: CaptureServer | undefined;
    try {
      server = await startCaptureServer({ logger: this.log, sink: ffmpeg });
      const started = await this.startPage(page, server, opts.mode);
      this.running = { page, mode: opts.mode, ffmpeg, upload, server, startedAt: started.at, mimeType: started.mimeType };
      this.watch(this.running);
      this.log.info({ mode: opts.mode, mimeType: started.mimeType, key: opts.key }, 'capture started');
      return { startedAt: started.at, mimeType: started.mimeType };
    } catch (err) {
      await Promise.allSettled([ffmpeg.kill(), upload.abort(), server?.close()]);
      throw toMeetcapError(err, 'capture_failed');
    }
  }

  /**
   * Cuts the meeting out of the recording (silence, black video) or puts it back; the recording
   * keeps running, so the file's timeline stays the meeting's. Returns when the page switched.
   */
  async setPaused(paused: boolean): Promise<Date> {
    const run = this.running;
    if (!run || this.stopping) throw new MeetcapError('control_refused', 'the recording is not running');
    const call = run.page.evaluate(recorderCall(this.key, paused ? 'pause' : 'resume')) as Promise<{ at: number }>;
    const { at } = await withTimeout(call, 5_000, paused ? 'recorder pause' : 'recorder resume');
    this.log.info({ paused }, paused ? 'capture paused' : 'capture resumed');
    return new Date(at);
  }

  /** Stops the page recorder, drains it through ffmpeg and returns what was recorded. */
  stop(): Promise<CaptureStopResult> {
    if (!this.running) return Promise.reject(new MeetcapError('capture_failed', 'capture not started'));
    this.stopping ??= this.drain(this.running);
    return this.stopping;
  }

  /** Makes the recording durable and visible in storage. */
  async keep(): Promise<StoredObjectInfo> {
    const run = this.requireStopped();
    this.settled = 'kept';
    return run.upload.complete();
  }

  /** Removes every trace of the recording from storage. */
  async discard(): Promise<void> {
    const run = this.running;
    this.settled = 'discarded';
    await run?.upload.abort();
  }

  /** Tears everything down; an upload that was not kept is discarded. Idempotent. */
  async close(): Promise<void> {
    const run = this.running;
    if (!run) return;
    const abortUpload = this.settled === 'kept' ? Promise.resolve() : run.upload.abort();
    if (this.settled !== 'kept') this.settled = 'discarded';
    await Promise.allSettled([run.ffmpeg.kill(), run.server.close(), abortUpload]);
  }

  private async startPage(page: Page, server: CaptureServer, mode: RecordingMode): Promise<{ at: Date; mimeType: string }> {
    await page.evaluate(recorderScript(this.key));
    const args = {
      wsUrl: server.url,
      mode,
      timesliceMs: this.options.timesliceMs ?? 1000,
      videoBitsPerSecond: this.options.videoBitsPerSecond ?? 2_500_000,
      frameRate: this.options.videoFrameRate ?? 30,
    };
    const pageStart = page.evaluate(recorderCall(this.key, 'start', args));
    pageStart.catch(() => undefined); // observed through the race below; later rejections are moot
    // The page's start rejects on failure; the server's finished rejects if it reported an error.
    await withTimeout(Promise.race([pageStart, server.finished]), this.options.startTimeoutMs ?? 20_000, 'recorder start');
    return withTimeout(server.started, 5_000, 'recorder started message');
  }

  /**
   * Health figures: bytes the page has handed over so far, and bytes not yet acknowledged by
   * storage (a spooled upload's parts on disk; a local upload writes through, so 0).
   */
  progress(): { mediaBytes: number; uploadBacklogBytes: number } {
    const run = this.running;
    if (!run) return { mediaBytes: 0, uploadBacklogBytes: 0 };
    const spooled = 'spooledBytes' in run.upload && typeof run.upload.spooledBytes === 'number' ? run.upload.spooledBytes : 0;
    return { mediaBytes: run.server.bytes, uploadBacklogBytes: spooled };
  }

  /** Keeps `value` beside the spooled upload, for whoever completes it after a crash. */
  async saveContext(value: unknown): Promise<void> {
    await this.running?.upload.writeContext?.(value);
  }

  private watch(run: Running): void {
    void run.upload.failure?.then((err) => !this.stopping && this.reportFailure(err));
    run.server.finished.catch((err: unknown) => {
      if (!this.stopping) this.reportFailure(toMeetcapError(err, 'capture_failed'));
    });
    run.ffmpeg.exited.then(
      () => !this.stopping && this.reportFailure(new MeetcapError('transcode_failed', 'ffmpeg exited during recording')),
      (err: unknown) => !this.stopping && this.reportFailure(toMeetcapError(err, 'transcode_failed')),
    );
  }

  private async drain(run: Running): Promise<CaptureStopResult> {
    const errors: MeetcapError[] = [];
    const note = (err: unknown, code: 'capture_failed' | 'transcode_failed'): void => {
      errors.push(toMeetcapError(err, code));
    };
    const timeoutMs = this.options.stopTimeoutMs ?? 15_000;
    // A crashed or closed page just means we keep what arrived so far.
    await withTimeout(run.page.evaluate(recorderCall(this.key, 'stop')), timeoutMs, 'recorder stop').catch((e) => note(e, 'capture_failed'));
    const endedAt = new Date();
    await withTimeout(run.server.finished, timeoutMs, 'capture drain').catch((e) => note(e, 'capture_failed'));
    await run.server.close();
    let transcode: FfmpegResult | undefined;
    try {
      transcode = await withTimeout(run.ffmpeg.end(), timeoutMs, 'ffmpeg finish');
    } catch (err) {
      note(err, 'transcode_failed');
      await run.ffmpeg.kill();
    }
    const result: CaptureStopResult = {
      startedAt: run.startedAt,
      endedAt,
      bytes: run.upload.bytesIn,
      inputBytes: run.server.bytes,
      durationSec: transcode?.durationSec ?? 0,
      mimeType: run.mimeType,
      ...(errors[0] ? { error: errors[0] } : {}),
    };
    this.result = result;
    this.log.info({ ...result, error: result.error?.message }, 'capture stopped');
    return result;
  }

  private requireStopped(): Running {
    if (!this.running || !this.result) throw new MeetcapError('capture_failed', 'stop() must finish before keep()');
    if (this.settled === 'discarded') throw new MeetcapError('upload_failed', 'recording was discarded');
    return this.running;
  }
}

function ffmpegPath(options: PageCaptureOptions): { ffmpegPath?: string } {
  return options.ffmpegPath ? { ffmpegPath: options.ffmpegPath } : {};
}

async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new MeetcapError('capture_failed', `${what} timed out after ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
