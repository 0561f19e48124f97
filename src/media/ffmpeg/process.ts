import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import type { Logger } from 'pino';
import { MeetcapError } from '../../contracts/errors.js';
import { ProgressParser, type ProgressSnapshot } from './progress.js';

export interface FfmpegResult {
  /** Output duration in seconds, from the last out_time_us. */
  durationSec: number;
  /** Output bytes, from the last total_size. */
  bytes: number;
  /** True when ffmpeg reported progress=end (it finalised the output). */
  finalised: boolean;
  /** True when the process was stopped by kill(). */
  killed: boolean;
  exitCode: number | null;
  signal: NodeJS.Signals | null;
}

export interface FfmpegStartOptions {
  logger: Logger;
  ffmpegPath?: string;
}

type FfmpegChild = ChildProcessByStdio<Writable, Readable, Readable>;

/**
 * One ffmpeg child: chunks in on stdin (with backpressure), the output on `stdout` (hand it to
 * Storage.startUpload), progress parsed from stderr. A non-zero exit or crash that we did not
 * ask for rejects `exited` with transcode_failed.
 */
export class FfmpegProcess {
  readonly stdout: Readable;
  readonly exited: Promise<FfmpegResult>;
  private readonly child: FfmpegChild;
  private readonly parser = new ProgressParser();
  private readonly logger: Logger;
  private killRequested = false;
  private stdinError: Error | undefined;
  private hasExited = false;

  private constructor(args: readonly string[], options: FfmpegStartOptions) {
    this.logger = options.logger;
    this.child = spawn(options.ffmpegPath ?? 'ffmpeg', args, { stdio: ['pipe', 'pipe', 'pipe'] });
    this.stdout = this.child.stdout;
    this.child.stderr.setEncoding('utf8');
    this.child.stderr.on('data', (text: string) => this.parser.push(text));
    // EPIPE when ffmpeg dies mid-write: reported through write()/exited, must not crash the process.
    this.child.stdin.on('error', (err) => (this.stdinError = err));
    this.exited = this.waitForExit();
    this.exited.catch(() => undefined);
  }

  static start(args: readonly string[], options: FfmpegStartOptions): FfmpegProcess {
    return new FfmpegProcess(args, options);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get progress(): ProgressSnapshot {
    return this.parser.snapshot;
  }

  /** Resolves once ffmpeg can take more (immediately unless its stdin buffer is full). */
  write(chunk: Buffer): Promise<void> {
    const stdin = this.child.stdin;
    if (this.hasExited || this.stdinError || stdin.writableEnded || stdin.destroyed) {
      return Promise.reject(this.failure('ffmpeg is no longer accepting input'));
    }
    if (stdin.write(chunk)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const cleanup = (): void => {
        stdin.off('drain', onDrain);
        stdin.off('close', onClose);
      };
      const onDrain = (): void => (cleanup(), resolve());
      const onClose = (): void => (cleanup(), reject(this.failure('ffmpeg closed its input')));
      stdin.on('drain', onDrain);
      stdin.on('close', onClose);
    });
  }

  /** Ends the input and waits for ffmpeg to finalise the output and exit. */
  async end(): Promise<FfmpegResult> {
    if (!this.child.stdin.writableEnded) this.child.stdin.end();
    return this.exited;
  }

  /** Stops ffmpeg without waiting for a clean finish. Idempotent. */
  async kill(): Promise<void> {
    if (!this.hasExited && !this.killRequested) {
      this.killRequested = true;
      this.child.kill('SIGKILL');
    }
    await this.exited.catch(() => undefined);
  }

  private waitForExit(): Promise<FfmpegResult> {
    return new Promise((resolve, reject) => {
      this.child.once('error', (err) => {
        this.hasExited = true;
        reject(new MeetcapError('transcode_failed', `ffmpeg could not start: ${err.message}`, {}, { cause: err }));
      });
      // 'close' (not 'exit'): stderr is fully read by then, so the last progress block is in.
      this.child.once('close', (exitCode, signal) => {
        this.hasExited = true;
        this.parser.flush();
        const result = this.result(exitCode, signal);
        if (this.killRequested || exitCode === 0) resolve(result);
        else reject(this.failure(`ffmpeg exited with ${signal ?? `code ${exitCode}`}`, result));
      });
    });
  }

  private result(exitCode: number | null, signal: NodeJS.Signals | null): FfmpegResult {
    const p = this.parser.snapshot;
    return {
      durationSec: p.outTimeUs / 1e6,
      bytes: p.totalSize,
      finalised: p.ended,
      killed: this.killRequested,
      exitCode,
      signal,
    };
  }

  private failure(message: string, result?: FfmpegResult): MeetcapError {
    const log = this.parser.logLines.slice(-5);
    this.logger.warn({ log, result, pid: this.child.pid }, message);
    return new MeetcapError('transcode_failed', message, { log, ...(result ? { result } : {}) });
  }
}
