import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { promisify } from 'node:util';

/**
 * The reference bot's desktop: an X server (Xvfb) and a private PulseAudio daemon, built the way
 * the anchor projects build theirs. Each is started as a direct child (never daemonized) so it
 * stays in the bot's process tree for the CPU/PSS accounting, and each is stopped by its pid.
 */
export interface Started {
  /** Idempotent: SIGTERM by pid, SIGKILL if it has not exited after 5 s. */
  close(): Promise<void>;
}

export interface Xvfb extends Started {
  /** ":N" */
  display: string;
}

export interface Pulse extends Started {
  /** `unix:<dir>/native`, for PULSE_SERVER. */
  server: string;
  /** The null sink Chromium plays into; ffmpeg records `<sink>.monitor`. */
  sink: string;
  /** Environment for clients of this daemon only. */
  env: NodeJS.ProcessEnv;
}

const run = promisify(execFile);
const SINK = 'meetcap_ref';

/** Signals a pid that may have exited a moment ago; ESRCH then is not an error. */
function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // already gone
  }
}

async function stopChild(child: ChildProcess): Promise<void> {
  const pid = child.pid;
  if (child.exitCode !== null || child.signalCode !== null || pid === undefined) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  signal(pid, 'SIGTERM');
  const timer = setTimeout(() => signal(pid, 'SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}

function once(fn: () => Promise<void>): () => Promise<void> {
  let p: Promise<void> | undefined;
  return () => (p ??= fn());
}

/** Xvfb on the first free display: `-displayfd` lets the server pick it and tell us, so parallel bots never collide. */
export async function startXvfb(width: number, height: number): Promise<Xvfb> {
  const child = spawn('Xvfb', ['-displayfd', '3', '-screen', '0', `${width}x${height}x24`, '-nolisten', 'tcp', '-noreset'], {
    stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2_000)));
  const close = once(() => stopChild(child));
  try {
    const display = await new Promise<string>((resolve, reject) => {
      let out = '';
      (child.stdio[3] as NodeJS.ReadableStream).on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('\n')) resolve(`:${out.trim()}`);
      });
      child.once('exit', (code) => reject(new Error(`Xvfb exited (${code}): ${stderr}`)));
      child.once('error', reject);
      setTimeout(() => reject(new Error(`Xvfb did not report a display within 10 s: ${stderr}`)), 10_000).unref();
    });
    return { display, close };
  } catch (err) {
    await close();
    throw err;
  }
}

/**
 * A PulseAudio daemon with no configuration of its own (`-n`): one native socket in a private
 * runtime directory and a null sink as the only (so default) sink. HOME, XDG and PULSE paths all
 * point into that directory, so nothing of the machine's or the user's sound set-up is touched.
 */
export async function startPulse(): Promise<Pulse> {
  const dir = await mkdtemp(join(tmpdir(), 'meetcap-ref-pulse-'));
  const server = `unix:${join(dir, 'native')}`;
  const env: NodeJS.ProcessEnv = {
    HOME: dir,
    XDG_RUNTIME_DIR: dir,
    XDG_CONFIG_HOME: join(dir, 'config'),
    PULSE_RUNTIME_PATH: join(dir, 'runtime'),
    PULSE_STATE_PATH: join(dir, 'state'),
    PULSE_SERVER: server,
  };
  await mkdir(join(dir, 'config'));
  const child = spawn('pulseaudio', [
    '--daemonize=no', '--exit-idle-time=-1', '-n', '--use-pid-file=no', '--log-target=stderr', '--log-level=error',
    `--load=module-native-protocol-unix socket=${join(dir, 'native')} auth-anonymous=1`,
    `--load=module-null-sink sink_name=${SINK} rate=48000`,
  ], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ...env } });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2_000)));
  const close = once(async () => {
    await stopChild(child);
    await rm(dir, { recursive: true, force: true });
  });
  try {
    await untilReady(server, child, () => stderr);
    await run('pactl', ['-s', server, 'set-default-sink', SINK]);
    return { server, sink: SINK, env, close };
  } catch (err) {
    await close();
    throw err;
  }
}

/** The daemon is ready when a client can talk to it; there is no other signal short of D-Bus. */
async function untilReady(server: string, child: ChildProcess, stderr: () => string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) throw new Error(`pulseaudio exited (${child.exitCode}): ${stderr()}`);
    const ok = await run('pactl', ['-s', server, 'info']).then(() => true, () => false);
    if (ok) return;
    await delay(100);
  }
  throw new Error(`pulseaudio did not answer within 10 s: ${stderr()}`);
}
