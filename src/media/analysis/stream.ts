import { spawn } from 'node:child_process';
import { MeetcapError } from '../../contracts/errors.js';

const STDERR_TAIL = 2000;

/**
 * Runs ffmpeg and yields its stdout as it arrives, so a long recording is analysed in constant
 * memory. Leaving the loop early (break, throw) kills ffmpeg; a failed run throws
 * transcode_failed with the tail of ffmpeg's stderr.
 */
export async function* ffmpegStdout(args: readonly string[], ffmpegPath = 'ffmpeg'): AsyncGenerator<Buffer> {
  const child = spawn(ffmpegPath, ['-hide_banner', '-nostdin', '-v', 'error', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (text: string) => (stderr = (stderr + text).slice(-STDERR_TAIL)));
  const exited = new Promise<{ code: number | null; error?: Error }>((resolve) => {
    child.once('error', (error) => resolve({ code: null, error }));
    child.once('close', (code) => resolve({ code }));
  });
  let finished = false;
  try {
    for await (const chunk of child.stdout) yield chunk as Buffer;
    const { code, error } = await exited;
    finished = true;
    if (error || code !== 0) {
      throw new MeetcapError('transcode_failed', `ffmpeg analysis failed (${error?.message ?? `exit ${code}`}): ${stderr.trim()}`, { args: [...args] }, { cause: error });
    }
  } finally {
    if (!finished && child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
  }
}

/** Splits a byte stream into text lines, carrying partial lines across chunks. */
export async function* lines(chunks: AsyncIterable<Buffer>): AsyncGenerator<string> {
  let rest = '';
  for await (const chunk of chunks) {
    const parts = (rest + chunk.toString('utf8')).split('\n');
    rest = parts.pop() ?? '';
    yield* parts;
  }
  if (rest !== '') yield rest;
}
