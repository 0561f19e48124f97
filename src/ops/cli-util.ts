import { readFile } from 'node:fs/promises';
import { toMeetcapError } from '../contracts/index.js';

/** Prints a typed error as JSON on stderr and sets a non-zero exit code. */
export function fail(err: unknown): void {
  const e = toMeetcapError(err);
  process.stderr.write(`${JSON.stringify({ error: e.toJSON() }, null, 2)}\n`);
  process.exitCode = 2;
}

export async function readJob(source: string): Promise<unknown> {
  const text = source === '-' ? await readStdin() : await readFile(source, 'utf8');
  return JSON.parse(text);
}

export async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
