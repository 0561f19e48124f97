/**
 * Typed ffmpeg argument building. Arguments are an array handed to spawn() (never a shell), and
 * every value comes from typed options, so there is nothing to quote or inject.
 */
export type RecordingMode = 'audio_video' | 'audio_only';
export type LogLevel = 'error' | 'warning' | 'info';

export interface RemuxOptions {
  mode: RecordingMode;
  /** AAC bitrate in kbit/s. */
  audioBitrateK?: number;
  /**
   * Upper bound on a fragment's length. frag_keyframe alone only cuts at video keyframes, which
   * MediaRecorder may emit rarely, and never applies to audio-only output; a bound keeps what a
   * crash can lose (and what ffmpeg buffers) small.
   */
  maxFragmentMs?: number;
  /**
   * Video is shifted this much later to line up with the tab's audio, which the capture delivers
   * later than the picture (audio_video only; 0 turns it off). See TAB_AUDIO_LAG_MS.
   */
  videoDelayMs?: number;
  logLevel?: LogLevel;
}

export const DEFAULT_AUDIO_BITRATE_K = 128;
export const DEFAULT_MAX_FRAGMENT_MS = 2000;
/**
 * The tab capture's audio arrives later than its picture: ~50 ms measured (median of settled
 * flash/beep pairs over five runs, docs/quality.md; ~9 ms of it is the sandbox source). 35 ms,
 * chosen before that measurement, puts the measured spread inside the target band (-40..+60 ms,
 * centre +10). It was deliberately not refitted to the sandbox. Video is copied, so it is moved
 * with the setts bitstream filter rather than re-encoded. Audio keeps the meeting's wall-clock
 * timeline (pauses, speaker times).
 */
export const TAB_AUDIO_LAG_MS = 35;

/** A minimal ordered builder: options are emitted exactly in the order added. */
export class FfmpegArgs {
  private readonly args: string[] = [];

  flag(name: `-${string}`): this {
    this.args.push(name);
    return this;
  }

  opt(name: `-${string}`, value: string | number): this {
    const text = String(value);
    if (text.length === 0 || /[\0\r\n]/.test(text)) throw new Error(`invalid value for ${name}`);
    this.args.push(name, text);
    return this;
  }

  input(url: string): this {
    return this.opt('-i', url);
  }

  output(url: string): this {
    this.args.push(url);
    return this;
  }

  build(): readonly string[] {
    return Object.freeze([...this.args]);
  }
}

/** Global options: machine-readable progress on stderr (see progress.ts), no interactive stats. */
function globals(logLevel: LogLevel): FfmpegArgs {
  return new FfmpegArgs().flag('-hide_banner').opt('-loglevel', logLevel).flag('-nostats').opt('-progress', 'pipe:2');
}

/**
 * MediaRecorder's fragmented MP4 (or WebM for audio-only) on stdin → fragmented MP4 / M4A on
 * stdout. Video is copied, never re-encoded (a live x264 encode saturates a small box); audio
 * becomes AAC because Opus-in-MP4 plays in too few places.
 */
export function remuxArgs(options: RemuxOptions): readonly string[] {
  const bitrate = options.audioBitrateK ?? DEFAULT_AUDIO_BITRATE_K;
  const fragUs = (options.maxFragmentMs ?? DEFAULT_MAX_FRAGMENT_MS) * 1000;
  const b = globals(options.logLevel ?? 'warning').input('pipe:0');
  if (options.mode === 'audio_video') {
    b.opt('-map', '0:v:0').opt('-map', '0:a:0').opt('-c:v', 'copy').opt('-fps_mode', 'passthrough');
    const delaySec = (options.videoDelayMs ?? TAB_AUDIO_LAG_MS) / 1000;
    if (delaySec > 0) b.opt('-bsf:v', `setts=ts=TS+${delaySec}/TB`);
  } else {
    b.opt('-map', '0:a:0').flag('-vn');
  }
  b.opt('-c:a', 'aac').opt('-b:a', `${bitrate}k`);
  const movflags = options.mode === 'audio_video' ? '+frag_keyframe+empty_moov+default_base_moof' : '+empty_moov+default_base_moof';
  b.opt('-movflags', movflags).opt('-frag_duration', fragUs);
  // The ipod muxer writes the M4A brand that audio players expect for audio-only files.
  return b.opt('-f', options.mode === 'audio_video' ? 'mp4' : 'ipod').output('pipe:1').build();
}

export function outputContentType(mode: RecordingMode): 'video/mp4' | 'audio/mp4' {
  return mode === 'audio_video' ? 'video/mp4' : 'audio/mp4';
}

export function outputExtension(mode: RecordingMode): 'mp4' | 'm4a' {
  return mode === 'audio_video' ? 'mp4' : 'm4a';
}
