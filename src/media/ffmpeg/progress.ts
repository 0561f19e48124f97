/**
 * Parser for ffmpeg's `-progress pipe:2` output interleaved with its log lines on stderr.
 * Progress comes in blocks of `key=value` lines, each block closed by `progress=continue|end`.
 */
export interface ProgressSnapshot {
  /** Output timestamp reached, in microseconds (out_time_us). */
  outTimeUs: number;
  /** Bytes written to the output so far (total_size). */
  totalSize: number;
  /** Set once ffmpeg reported `progress=end`: the output was finalised. */
  ended: boolean;
  /** Progress blocks seen. */
  blocks: number;
}

const PROGRESS_KEYS = new Set([
  'frame', 'fps', 'bitrate', 'total_size', 'out_time_us', 'out_time_ms', 'out_time', 'dup_frames',
  'drop_frames', 'speed', 'progress',
]);

const MAX_LOG_LINES = 30;

export class ProgressParser {
  private partial = '';
  private readonly logs: string[] = [];
  private current: ProgressSnapshot = { outTimeUs: 0, totalSize: 0, ended: false, blocks: 0 };

  /** Feeds raw stderr text; may be split anywhere. */
  push(text: string): void {
    const lines = (this.partial + text).split(/\r?\n|\r/);
    this.partial = lines.pop() ?? '';
    for (const line of lines) this.line(line);
  }

  /** Processes whatever is left once stderr has closed. */
  flush(): void {
    if (this.partial) this.line(this.partial);
    this.partial = '';
  }

  get snapshot(): ProgressSnapshot {
    return { ...this.current };
  }

  get durationSec(): number {
    return this.current.outTimeUs / 1e6;
  }

  /** Recent non-progress lines (warnings, errors), oldest first. */
  get logLines(): readonly string[] {
    return [...this.logs];
  }

  private line(raw: string): void {
    const line = raw.trim();
    if (!line) return;
    const eq = line.indexOf('=');
    const key = eq > 0 ? line.slice(0, eq) : '';
    // Stream-specific keys (stream_0_0_q=...) are progress too.
    if (PROGRESS_KEYS.has(key) || /^stream_\d+_\d+_q$/.test(key)) {
      this.progress(key, line.slice(eq + 1));
      return;
    }
    this.logs.push(line);
    if (this.logs.length > MAX_LOG_LINES) this.logs.shift();
  }

  private progress(key: string, value: string): void {
    const n = Number(value);
    if (key === 'out_time_us' && Number.isFinite(n) && n >= 0) this.current.outTimeUs = n;
    else if (key === 'total_size' && Number.isFinite(n) && n >= 0) this.current.totalSize = n;
    else if (key === 'progress') {
      this.current.blocks += 1;
      if (value === 'end') this.current.ended = true;
    }
  }
}
