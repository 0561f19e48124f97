import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { pino, type Logger } from 'pino';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { loadConfig } from '../../../src/config/index.js';
import { loadBotProfile } from '../../../src/config/profiles.js';
import type { ParsedMeeting, PlatformAdapter } from '../../../src/platforms/platform.js';
import { resolvePlatform } from '../../../src/platforms/resolve.js';
import { chromiumArgs } from '../../../src/session/browser.js';
import { startPulse, startXvfb, type Pulse, type Xvfb } from './reference-env.js';
import { REF_HEIGHT, REF_WIDTH, referenceFfmpegArgs, type RefBotMessage, type RefBotStart } from './reference-protocol.js';

/**
 * The reference bot, built the way the anchor projects build theirs: headful Chromium on an Xvfb
 * display, playing the meeting into a PulseAudio null sink, recorded by ffmpeg with x11grab +
 * pulse + libx264. It joins with meetcap's own Meet adapter (the same page driving), so the only
 * difference from meetcap's bot is how the media is captured. Started by the benchmark with
 * fork(): it receives `start`, reports `recording` and `done`, and stops on `stop` or when the
 * page shows the meeting has ended. Everything it starts it stops by pid, last first.
 */
const WIDTH = REF_WIDTH;
const HEIGHT = REF_HEIGHT;
const PROBE_MS = 1_000;

type Closer = () => Promise<void>;

function send(msg: RefBotMessage): void {
  process.send?.(msg);
}

async function launchHeadful(xvfb: Xvfb, pulse: Pulse, origin: string): Promise<{ browser: Browser; page: Page; close: Closer }> {
  const config = loadConfig();
  const profile = await loadBotProfile(config.profilesDir, 'default');
  const userDataDir = await mkdtemp(join(tmpdir(), 'meetcap-ref-chromium-'));
  const browser = await puppeteer.launch({
    executablePath: config.chromiumPath,
    headless: false,
    userDataDir,
    // meetcap's own flags (sandbox flags included), plus a full-screen window for x11grab, plus
    // a camera and microphone: the anchors' bots have them (a PulseAudio source, a virtual or
    // fake camera), and every reference figure in docs/benchmarks.md was measured with them.
    args: [...chromiumArgs(config, profile), '--use-fake-device-for-media-stream', '--kiosk', '--window-position=0,0', `--window-size=${WIDTH},${HEIGHT}`],
    ignoreDefaultArgs: ['--enable-automation'],
    defaultViewport: null,
    env: { ...process.env, ...pulse.env, DISPLAY: xvfb.display },
  });
  let closed = false;
  const close: Closer = async () => {
    if (closed) return;
    closed = true;
    await browser.close().catch(() => undefined);
    await rm(userDataDir, { recursive: true, force: true });
  };
  await browser.defaultBrowserContext().overridePermissions(origin, ['camera', 'microphone']);
  const page = (await browser.pages())[0] ?? (await browser.newPage());
  return { browser, page, close };
}

/** Polls the page once a second (as meetcap's call monitor does) until `done` says so or `stopped()`. */
async function pollPage(page: Page, adapter: PlatformAdapter, botName: string, done: (phase: string, reason?: string) => boolean, stopped: () => boolean): Promise<string> {
  for (;;) {
    if (stopped()) return 'stopped';
    const p = await adapter.probe(page, botName).catch(() => undefined);
    if (p && done(p.phase, p.reason)) return p.reason ?? p.phase;
    await delay(PROBE_MS);
  }
}

function startFfmpeg(args: string[], env: NodeJS.ProcessEnv, log: Logger): { child: ChildProcess; exited: Promise<number | null> } {
  const child = spawn('ffmpeg', args, { stdio: ['ignore', 'ignore', 'pipe'], env });
  child.stderr!.on('data', (d: Buffer) => log.warn({ ffmpeg: d.toString().trim() }, 'ffmpeg'));
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => resolve(code));
    child.once('error', () => resolve(null)); // not started at all: no 'exit' follows
  });
  return { child, exited };
}

async function record(start: RefBotStart, cleanup: Closer[], stopped: () => boolean, log: Logger): Promise<RefBotMessage> {
  const { meeting, adapter } = resolvePlatform(start.meetingUrl);
  const xvfb = await startXvfb(WIDTH, HEIGHT);
  cleanup.push(xvfb.close);
  const pulse = await startPulse();
  cleanup.push(pulse.close);
  const { page, close } = await launchHeadful(xvfb, pulse, new URL(meeting.joinUrl).origin);
  cleanup.push(close);
  await joinMeeting(page, adapter, meeting, start.botName, log);
  const inCall = await pollPage(page, adapter, start.botName, (phase, reason) => phase === 'in_call' || reason !== undefined, stopped);
  if (inCall !== 'in_call') throw new Error(`not admitted: ${inCall}`);

  const ffmpeg = startFfmpeg(referenceFfmpegArgs(start.mode, xvfb.display, pulse.sink, start.outFile), { ...process.env, ...pulse.env }, log);
  const ffmpegGone = (): boolean => ffmpeg.child.exitCode !== null || ffmpeg.child.signalCode !== null;
  cleanup.push(async () => {
    if (!ffmpegGone()) ffmpeg.child.kill('SIGKILL');
    await ffmpeg.exited;
  });
  const recordingStartedAt = Date.now();
  send({ type: 'recording', at: recordingStartedAt, display: xvfb.display });
  const reason = await pollPage(page, adapter, start.botName, (phase, r) => r !== undefined || phase === 'left', () => stopped() || ffmpegGone());
  if (ffmpegGone()) throw new Error(`ffmpeg stopped while recording (exit ${ffmpeg.child.exitCode})`);
  const endDetectedAt = Date.now();
  // SIGINT makes ffmpeg finish the file (writes the moov atom) and exit; that is the object being complete.
  ffmpeg.child.kill('SIGINT');
  const code = await ffmpeg.exited;
  const finalizedAt = Date.now();
  await adapter.leave(page, log).catch(() => undefined);
  if (code !== 0 && code !== 255) throw new Error(`ffmpeg exited with ${code}`);
  return { type: 'done', ok: true, file: start.outFile, reason, recordingStartedAt, endDetectedAt, finalizedAt };
}

async function joinMeeting(page: Page, adapter: PlatformAdapter, meeting: ParsedMeeting, botName: string, log: Logger): Promise<void> {
  await adapter.join(page, { botName, meeting, log, deadline: Date.now() + 120_000, notStartedTimeoutMs: 60_000 });
}

async function main(): Promise<void> {
  const log = pino({ level: 'warn', name: 'reference-bot' }, pino.destination(2));
  let stopRequested = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => (stopRequested = true));
  const start = await new Promise<RefBotStart>((resolve) => {
    process.on('message', (msg: RefBotStart | { type: 'stop' }) => {
      if (msg.type === 'start') resolve(msg);
      else stopRequested = true;
    });
  });
  const cleanup: Closer[] = [];
  let result: RefBotMessage;
  try {
    result = await record(start, cleanup, () => stopRequested, log);
  } catch (err) {
    result = { type: 'done', ok: false, error: (err as Error).message };
  }
  for (const close of cleanup.reverse()) await close().catch((err: unknown) => log.warn({ err }, 'close failed'));
  send(result);
  process.disconnect?.();
}

await main();
