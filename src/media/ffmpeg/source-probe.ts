import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { MeetcapError } from '../../contracts/errors.js';

const execFileAsync = promisify(execFile);

/**
 * Containers a recording may arrive in. Everything else is refused before ffmpeg parses it:
 * playlist and concat demuxers (hls, dash, concat, image2…) open further files or URLs named
 * inside the file, which would turn an uploaded "recording" into a way to read the worker's disk
 * or reach other hosts. Names are ffmpeg demuxer names (ffmpeg matches any of a demuxer's aliases).
 */
export const SOURCE_FORMATS = [
  'mov', 'mp4', 'm4a', '3gp', 'matroska', 'webm', 'wav', 'w64', 'mp3', 'ogg', 'flac', 'aac', 'amr', 'aiff', 'caf',
  'asf', 'avi', 'mpegts', 'flv',
] as const;

/** Input options that confine ffmpeg/ffprobe to the one local file and the formats above. */
export function sourceInputGuards(): ReadonlyArray<readonly [`-${string}`, string]> {
  return [
    ['-protocol_whitelist', 'file'],
    ['-format_whitelist', SOURCE_FORMATS.join(',')],
  ];
}

export interface SourceProbe {
  /** Undefined when the container does not say (e.g. a MediaRecorder WebM). */
  durationSec: number | undefined;
  formatName: string;
  /** The container's creation_time tag, as ISO-8601, when present and valid. */
  creationTime: string | undefined;
  /**
   * The first audio track's codec. `tracks` counts the audio tracks (recordings that keep each
   * side of a call on its own track have two); `decodable` lists, by audio-track index, those
   * with a known codec and channels, and channels and sample rate are the most any of them has.
   */
  audio: { codec: string; channels: number; sampleRate: number | undefined; tracks: number; decodable: number[] } | undefined;
  /** A real video track; cover art (attached pictures) does not count. */
  video: { codec: string; pixFmt: string | undefined; profile: string | undefined; width: number; height: number } | undefined;
}

interface RawStream {
  codec_type?: string;
  codec_name?: string;
  profile?: string;
  pix_fmt?: string;
  width?: number;
  height?: number;
  sample_rate?: string;
  channels?: number;
  duration?: string;
  disposition?: { attached_pic?: number };
}

interface RawProbe {
  format?: { duration?: string; format_name?: string; tags?: Record<string, string> };
  streams?: RawStream[];
}

/**
 * Probes an untrusted source file. Anything ffprobe cannot make sense of (empty, text, random
 * bytes, an MP4 whose index is missing) is `source_unreadable`, with ffprobe's own explanation.
 */
export async function probeSource(file: string, ffprobePath = 'ffprobe'): Promise<SourceProbe> {
  const args = ['-v', 'error', ...sourceInputGuards().flat(), '-print_format', 'json', '-show_format', '-show_streams', file];
  let raw: RawProbe;
  try {
    const { stdout } = await execFileAsync(ffprobePath, args, { maxBuffer: 16 * 1024 * 1024, timeout: 120_000 });
    raw = JSON.parse(stdout) as RawProbe;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new MeetcapError('transcode_failed', `ffprobe could not start: ${(err as Error).message}`, {}, { cause: err });
    }
    const stderr = String((err as { stderr?: unknown }).stderr ?? '').trim();
    throw new MeetcapError('source_unreadable', `not a readable audio/video file: ${lastLine(stderr, file) || 'ffprobe failed'}`, {}, { cause: err });
  }
  const streams = raw.streams ?? [];
  const audios = streams.filter((s) => s.codec_type === 'audio');
  const audio = audios[0];
  const decodable = audios.flatMap((s, i) => (s.codec_name && s.codec_name !== 'unknown' && (s.channels ?? 0) > 0 ? [i] : []));
  const usable = decodable.length ? decodable.map((i) => audios[i]!) : audios;
  const video = streams.find((s) => s.codec_type === 'video' && !s.disposition?.attached_pic);
  const durations = [raw.format?.duration, ...streams.map((s) => s.duration)].map(Number).filter((n) => Number.isFinite(n) && n > 0);
  return {
    durationSec: durations.length ? Math.max(...durations) : undefined,
    formatName: raw.format?.format_name ?? '',
    creationTime: isoOrUndefined(raw.format?.tags?.['creation_time']),
    audio: audio
      ? {
        codec: audio.codec_name ?? 'unknown',
        channels: Math.max(...usable.map((s) => s.channels ?? 0)),
        sampleRate: positive(Math.max(...usable.map((s) => Number(s.sample_rate) || 0))),
        tracks: audios.length,
        decodable,
      }
      : undefined,
    video:
      video && video.width && video.height
        ? { codec: video.codec_name ?? 'unknown', pixFmt: video.pix_fmt, profile: video.profile, width: video.width, height: video.height }
        : undefined,
  };
}

/** ffprobe's last complaint, with the temp path replaced (it means nothing to the job's owner). */
function lastLine(stderr: string, file: string): string {
  const lines = stderr.split('\n').map((l) => l.trim()).filter(Boolean);
  return (lines.at(-1) ?? '').split(file).join('source');
}

function isoOrUndefined(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const ms = Date.parse(value);
  // Containers without a real date often carry 1904-01-01 or 1970-01-01 (an unset field).
  return Number.isFinite(ms) && ms > Date.UTC(1971, 0, 1) ? new Date(ms).toISOString() : undefined;
}

function positive(n: number): number | undefined {
  return Number.isFinite(n) && n > 0 ? n : undefined;
}
