import { pino, type Logger } from 'pino';
import { SandboxApi } from './api.js';
import { SANDBOX_DNS_NAMES, loadOrCreateCertificate } from './ca.js';
import { startControlServer } from './control.js';
import { SignalHub } from './hub.js';
import { meetPlatform } from './meet/index.js';
import { teamsPlatform } from './teams/index.js';
import { zoomPlatform } from './zoom/index.js';
import type { Meeting } from './meeting.js';
import { ParticipantsBrowser } from './participants.js';
import type { SandboxPlatform } from './platform.js';
import { startPagesServer } from './server.js';
import type { VideoSize } from './types.js';

export { SandboxApi } from './api.js';
export { SandboxError, type SandboxErrorCode } from './errors.js';
export type * from './types.js';

/** Every imitated platform, each a folder shaped like meet/. */
export const SANDBOX_PLATFORMS: readonly SandboxPlatform[] = [meetPlatform, teamsPlatform, zoomPlatform];

export interface SandboxOptions {
  /** HTTPS port on 127.0.0.1 for the imitated hostnames (0 = any free port). */
  httpsPort?: number;
  /** HTTP control API port on 127.0.0.1 (0 = any free port). */
  controlPort?: number;
  /** MEETCAP_HOME; the CA lives in `<home>/sandbox-ca`. */
  home?: string;
  logger?: Logger;
  /** Chromium for the synthetic participants (default /usr/bin/chromium or $MEETCAP_CHROMIUM). */
  chromiumPath?: string;
  /**
   * The participants' camera pictures (default 1280x720, what the demo and the benchmark send).
   * A smaller one costs the machine less to draw, encode and decode, as a gallery tile does.
   */
  participantVideo?: VideoSize;
}

export const PARTICIPANT_VIDEO_720P: VideoSize = Object.freeze({ width: 1280, height: 720 });

export interface Sandbox {
  controlUrl: string;
  httpsPort: number;
  /** base64 sha256 of the server leaf's SPKI. */
  spki: string;
  /** Test/sandbox-only flags for the bot's Chromium: host mapping, cert trust, loopback WebRTC. */
  botBrowserArgs(): string[];
  api: SandboxApi;
  close(): Promise<void>;
}

/** Host patterns mapped to the sandbox in the bot's Chromium: every name the certificate covers. */
const MAPPED_HOSTS = SANDBOX_DNS_NAMES.filter((h) => h !== 'localhost');

/**
 * No fake camera or microphone: the worker image has no capture devices, so the bot meets the
 * pages without any, as in production (getUserMedia fails with NotFoundError and the platforms'
 * no-device paths run). The context's camera/microphone permission grant is enough for Chromium
 * to gather the loopback candidate in the test namespace.
 */
export function botBrowserArgsFor(httpsPort: number, spki: string): string[] {
  const rules = MAPPED_HOSTS.map((h) => `MAP ${h} 127.0.0.1:${httpsPort}`).join(', ');
  return [
    `--host-resolver-rules=${rules}`,
    `--ignore-certificate-errors-spki-list=${spki}`,
    '--allow-loopback-in-peer-connection',
  ];
}

export async function startSandbox(opts: SandboxOptions = {}): Promise<Sandbox> {
  const log = opts.logger ?? pino({ level: 'silent' });
  const cert = await loadOrCreateCertificate(opts.home);
  // Resources are closed in reverse order of creation (LIFO) if a later step fails.
  const closers: (() => Promise<void>)[] = [];
  const closeAll = async (): Promise<void> => {
    for (const c of closers.reverse().splice(0)) await c().catch((err: unknown) => log.warn({ err }, 'sandbox close step failed'));
  };
  try {
    const meetings = new Map<string, Meeting>();
    const findMeeting = (code: string): Meeting | undefined => meetings.get(code);
    const hub = new SignalHub(findMeeting, log);
    closers.push(async () => hub.close());
    const pages = await startPagesServer({
      cert, port: opts.httpsPort ?? 0, platforms: SANDBOX_PLATFORMS, hub, log,
      ctx: { findMeeting }, participantVideo: opts.participantVideo ?? PARTICIPANT_VIDEO_720P,
    });
    closers.push(() => pages.close());
    const browser = new ParticipantsBrowser({
      httpsPort: pages.port, spki: cert.spki, log,
      ...(opts.chromiumPath !== undefined ? { executablePath: opts.chromiumPath } : {}),
    });
    closers.push(() => browser.close());
    const api = new SandboxApi(meetings, SANDBOX_PLATFORMS, hub, browser, log);
    closers.push(() => api.close());
    const control = await startControlServer(api, opts.controlPort ?? 0, log);
    closers.push(() => control.close());
    log.info({ controlUrl: control.url, httpsPort: pages.port }, 'sandbox started');
    let closing: Promise<void> | undefined;
    return {
      controlUrl: control.url,
      httpsPort: pages.port,
      spki: cert.spki,
      botBrowserArgs: () => botBrowserArgsFor(pages.port, cert.spki),
      api,
      close: () => (closing ??= closeAll()),
    };
  } catch (err) {
    await closeAll();
    throw err;
  }
}

/** `meetcap sandbox`: prints the control URL and bot args as JSON, runs until SIGINT/SIGTERM. */
export async function runSandboxCli(opts: SandboxOptions = {}): Promise<void> {
  const sandbox = await startSandbox(opts);
  process.stdout.write(`${JSON.stringify({
    controlUrl: sandbox.controlUrl,
    httpsPort: sandbox.httpsPort,
    spki: sandbox.spki,
    botBrowserArgs: sandbox.botBrowserArgs(),
  })}\n`);
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  await sandbox.close();
}
