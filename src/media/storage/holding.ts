import { Transform, type TransformCallback } from 'node:stream';

/**
 * Passes bytes through and counts them, but holds back the end of the stream until
 * `release()`. lib-storage completes the multipart upload as soon as its body ends; holding
 * the end is what lets the caller still decide between complete and abort after the source
 * (ffmpeg) has finished.
 */
export class HoldingCounter extends Transform {
  bytes = 0;
  /** Resolves when the source has ended (everything it produced has passed through). */
  readonly sourceEnded: Promise<void>;
  private markEnded!: () => void;
  private releaseEnd!: () => void;
  private readonly released: Promise<void>;

  constructor() {
    super();
    this.sourceEnded = new Promise((resolve) => (this.markEnded = resolve));
    this.released = new Promise((resolve) => (this.releaseEnd = resolve));
  }

  release(): void {
    this.releaseEnd();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.bytes += chunk.length;
    cb(null, chunk);
  }

  override _flush(cb: TransformCallback): void {
    this.markEnded();
    void this.released.then(() => cb());
  }
}
