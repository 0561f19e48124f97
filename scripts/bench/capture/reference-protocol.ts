/** Messages between the benchmark and the reference bot (fork IPC, JSON), and its ffmpeg command. */
export type BotMode = 'audio_video' | 'audio_only';

export interface RefBotStart {
  type: 'start';
  meetingUrl: string;
  botName: string;
  mode: BotMode;
  /** Where ffmpeg writes the recording (.mp4, or .m4a for audio_only). */
  outFile: string;
}

export type RefBotMessage =
  | { type: 'recording'; at: number; display: string }
  | { type: 'done'; ok: true; file: string; reason: string; recordingStartedAt: number; endDetectedAt: number; finalizedAt: number }
  | { type: 'done'; ok: false; error: string };

export const REF_WIDTH = 1280;
export const REF_HEIGHT = 720;

/** The anchors' recorder: x11grab of the whole display + the null sink's monitor, x264 veryfast + AAC. */
export function referenceFfmpegArgs(mode: BotMode, display: string, sink: string, out: string): string[] {
  const audio = ['-f', 'pulse', '-i', `${sink}.monitor`];
  const common = ['-hide_banner', '-loglevel', 'error', '-nostdin', '-y'];
  if (mode === 'audio_only') return [...common, ...audio, '-c:a', 'aac', out];
  return [...common, '-f', 'x11grab', '-video_size', `${REF_WIDTH}x${REF_HEIGHT}`, '-framerate', '30', '-i', display,
    ...audio, '-c:v', 'libx264', '-preset', 'veryfast', '-c:a', 'aac', out];
}
