import { FfmpegArgs, DEFAULT_AUDIO_BITRATE_K, type LogLevel, type RecordingMode } from './args.js';
import { sourceInputGuards } from './source-probe.js';

export interface TranscodeOptions {
  input: string;
  output: string;
  mode: RecordingMode;
  /**
   * Copy the video as it is (already H.264 in a form every player takes) or encode it. A file
   * job is not live, so encoding is allowed, but copying a 10 h meeting costs seconds, not hours.
   */
  video: 'copy' | 'encode';
  audioChannels: number;
  /**
   * Audio-track indexes to keep (default: the first). Several are mixed into one, each side of a
   * call on its own track; that needs `mixDurationSec`, how far the tracks can be read (audioReadArgs).
   */
  audioTracks?: readonly number[];
  mixDurationSec?: number;
  /** The source's sample rate; narrowband telephone audio needs far fewer bits. */
  audioSampleRate?: number;
  /** Keep at most this many seconds (`-t`). */
  maxDurationSec?: number;
  logLevel?: LogLevel;
}

/** x264 settings for files that must play in browsers, QuickTime and VLC. */
const X264 = { preset: 'veryfast', crf: 23, profile: 'high' } as const;

/**
 * A source file → the standard outputs: MP4 (H.264 + AAC) or M4A (AAC), with the index at the
 * front (`+faststart`) so players start before the whole file is downloaded. Unlike the live
 * remux this writes a seekable file, which faststart needs.
 */
export function transcodeArgs(o: TranscodeOptions): readonly string[] {
  const b = new FfmpegArgs().flag('-hide_banner').opt('-loglevel', o.logLevel ?? 'error').flag('-nostdin').flag('-nostats').opt('-progress', 'pipe:2');
  for (const [name, value] of sourceInputGuards()) b.opt(name, value);
  b.input(o.input);
  if (o.maxDurationSec !== undefined) b.opt('-t', o.maxDurationSec);
  const tracks = o.audioTracks?.length ? o.audioTracks : [0];
  if (tracks.length > 1 && o.mixDurationSec !== undefined) {
    b.opt('-filter_complex', mixGraph(tracks, o.audioSampleRate ?? 48_000, o.mixDurationSec)).opt('-map', '[mixed]');
  } else {
    b.opt('-map', `0:a:${tracks[0]}`);
  }
  if (o.mode === 'audio_video') {
    b.opt('-map', '0:v:0');
    if (o.video === 'copy') b.opt('-c:v', 'copy');
    else {
      // yuv420p with even dimensions: the only H.264 form QuickTime and every browser decode.
      b.opt('-c:v', 'libx264').opt('-preset', X264.preset).opt('-crf', X264.crf).opt('-profile:v', X264.profile);
      b.opt('-pix_fmt', 'yuv420p').opt('-vf', 'scale=trunc(iw/2)*2:trunc(ih/2)*2');
    }
  } else {
    b.flag('-vn');
  }
  // Mono stays mono (one-sided dialer calls); more than stereo is folded to stereo for players.
  const channels = Math.min(Math.max(o.audioChannels, 1), 2);
  b.opt('-c:a', 'aac').opt('-ac', channels).opt('-b:a', `${audioBitrateK(channels, o.audioSampleRate)}k`);
  b.flag('-sn').flag('-dn').opt('-map_chapters', -1).opt('-movflags', '+faststart');
  // The ipod muxer writes the M4A brand audio players expect.
  return b.opt('-f', o.mode === 'audio_video' ? 'mp4' : 'ipod').flag('-y').output(o.output).build();
}

/**
 * Every track is part of the one conversation, so all are heard for the whole length. Each is
 * put on one timeline first: resampled to the highest rate, a late start filled with silence
 * (`async`), and padded to the length the longest can be read, because amix ends early when one
 * track of a single input ends before the others (seen with Debian's ffmpeg 5.1). normalize=0
 * keeps each at its own level; amix's default would scale each by 1/N (6 dB quieter for two).
 */
function mixGraph(tracks: readonly number[], sampleRate: number, durationSec: number): string {
  const each = tracks.map((t, i) => `[0:a:${t}]aresample=${sampleRate}:async=1:first_pts=0,apad=whole_dur=${durationSec}[t${i}]`);
  const inputs = tracks.map((_, i) => `[t${i}]`).join('');
  return `${each.join(';')};${inputs}amix=inputs=${tracks.length}:duration=longest:normalize=0[mixed]`;
}

/**
 * Reads the given audio tracks without decoding them (`-c copy` into the null muxer): the last
 * `out_time` of its progress is how far the file's audio can really be read, which a length
 * padded to the container's claim (mixGraph) would otherwise hide in a truncated file.
 */
export function audioReadArgs(input: string, tracks: readonly number[]): readonly string[] {
  const b = new FfmpegArgs().flag('-hide_banner').opt('-loglevel', 'error').flag('-nostdin').flag('-nostats').opt('-progress', 'pipe:2');
  for (const [name, value] of sourceInputGuards()) b.opt(name, value);
  b.input(input);
  for (const t of tracks) b.opt('-map', `0:a:${t}`);
  return b.opt('-c', 'copy').opt('-f', 'null').output('-').build();
}

/** 128k stereo, 64k mono, 32k for telephone-band mono (8-16 kHz): more bits would only cost encode time. */
function audioBitrateK(channels: number, sampleRate: number | undefined): number {
  if (channels > 1) return DEFAULT_AUDIO_BITRATE_K;
  return sampleRate !== undefined && sampleRate <= 16_000 ? DEFAULT_AUDIO_BITRATE_K / 4 : DEFAULT_AUDIO_BITRATE_K / 2;
}

/** Whether a probed video track can be copied into a browser-playable MP4 as it is. */
export function canCopyVideo(video: { codec: string; pixFmt: string | undefined; profile: string | undefined }): boolean {
  const profile = (video.profile ?? '').toLowerCase();
  const playable = ['baseline', 'constrained baseline', 'main', 'high'].includes(profile);
  return video.codec === 'h264' && video.pixFmt === 'yuv420p' && playable;
}
