import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { MeetcapError } from '../../contracts/errors.js';

const execFileAsync = promisify(execFile);

export interface ProbedStream {
  type: 'audio' | 'video';
  codec: string;
  width?: number;
  height?: number;
  sampleRate?: number;
  channels?: number;
}

export interface ProbeResult {
  durationSec: number;
  formatName: string;
  streams: ProbedStream[];
}

interface RawStream {
  codec_type?: string;
  codec_name?: string;
  width?: number;
  height?: number;
  sample_rate?: string;
  channels?: number;
  duration?: string;
}

interface RawProbe {
  format?: { duration?: string; format_name?: string };
  streams?: RawStream[];
}

export async function ffprobeFile(file: string, ffprobePath = 'ffprobe'): Promise<ProbeResult> {
  const args = ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', file];
  let raw: RawProbe;
  try {
    const { stdout } = await execFileAsync(ffprobePath, args, { maxBuffer: 16 * 1024 * 1024 });
    raw = JSON.parse(stdout) as RawProbe;
  } catch (err) {
    throw new MeetcapError('transcode_failed', `ffprobe failed: ${(err as Error).message}`, { file }, { cause: err });
  }
  const streams = (raw.streams ?? []).flatMap(toStream);
  // Fragmented MP4 may carry no duration in the format section; the longest stream is the truth then.
  const durations = [raw.format?.duration, ...(raw.streams ?? []).map((s) => s.duration)].map(Number).filter(Number.isFinite);
  return { durationSec: Math.max(0, ...durations), formatName: raw.format?.format_name ?? '', streams };
}

function toStream(s: RawStream): ProbedStream[] {
  if (s.codec_type === 'video') {
    return [{ type: 'video', codec: s.codec_name ?? 'unknown', ...(s.width ? { width: s.width } : {}), ...(s.height ? { height: s.height } : {}) }];
  }
  if (s.codec_type === 'audio') {
    const sampleRate = Number(s.sample_rate);
    return [
      {
        type: 'audio',
        codec: s.codec_name ?? 'unknown',
        ...(Number.isFinite(sampleRate) && sampleRate > 0 ? { sampleRate } : {}),
        ...(s.channels ? { channels: s.channels } : {}),
      },
    ];
  }
  return [];
}
