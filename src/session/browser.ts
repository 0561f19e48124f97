import { mkdtemp, rm } from 'node:fs/promises';
import puppeteer, { type Browser, type CDPSession, type Page } from 'puppeteer-core';
import type { Logger } from 'pino';
import type { Config } from '../config/index.js';
import { MeetcapError, type BotProfile, type ReasonCode } from '../contracts/index.js';
import type { PlatformAdapter } from '../platforms/platform.js';
import { profileDirPrefix } from './profile-dir.js';

export interface LaunchedBrowser {
  browser: Browser;
  page: Page;
  /** Idempotent: closes Chromium and removes its profile directory. */
  close(): Promise<void>;
}

/**
 * Production flags. Deliberately absent: --enable-automation (marks the bot), certificate or
 * web-security bypasses (Meet blocks them, and they are unsafe), --use-fake-ui-for-media-stream
 * (it swaps the tab capture for a fake device), and Puppeteer's default --mute-audio (a muted tab
 * captures as silence; the recorder suppresses local playback itself while it records).
 */
export function chromiumArgs(config: Config, profile: BotProfile): string[] {
  const { width, height } = profile.viewport;
  const args = [
    `--lang=${profile.locale}`,
    `--window-size=${width},${height}`,
    '--disable-blink-features=AutomationControlled',
    '--auto-accept-this-tab-capture',
    '--autoplay-policy=no-user-gesture-required',
    '--disable-background-timer-throttling',
    '--disable-renderer-backgrounding',
    '--disable-backgrounding-occluded-windows',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
    '--no-default-browser-check',
  ];
  if (!config.chromiumSandbox) args.push('--no-sandbox');
  return [...args, ...config.sandboxBrowserArgs];
}

export async function launchBrowser(
  config: Config,
  profile: BotProfile,
  origin: string,
  log: Logger,
  sessionId?: string,
): Promise<LaunchedBrowser> {
  if (!config.chromiumSandbox) log.warn('Chromium sandbox disabled (MEETCAP_CHROMIUM_NO_SANDBOX): development/CI only');
  if (config.sandboxBrowserArgs.length) log.warn('sandbox browser flags in use: test/demo only');
  const userDataDir = await mkdtemp(profileDirPrefix(sessionId));
  let browser: Browser;
  try {
    browser = await puppeteer.launch({
      executablePath: config.chromiumPath,
      headless: true,
      userDataDir,
      args: chromiumArgs(config, profile),
      ignoreDefaultArgs: ['--enable-automation', '--mute-audio'],
      defaultViewport: profile.viewport,
      protocolTimeout: 60_000,
      // DevTools over a pipe, not a port: no listening socket, and Chromium exits when the
      // session process dies (the pipe closes), so a crashed session never leaves a bot behind.
      pipe: true,
    });
  } catch (err) {
    await rm(userDataDir, { recursive: true, force: true });
    throw new MeetcapError('browser_crashed', `Chromium did not start: ${(err as Error).message}`, {}, { cause: err });
  }
  let closed = false;
  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    await browser.close().catch((err: unknown) => log.warn({ err }, 'browser close failed'));
    await rm(userDataDir, { recursive: true, force: true });
  };
  try {
    // Meeting pages ask for camera/mic on the pre-join screen; granting avoids a prompt the bot cannot answer.
    await browser.defaultBrowserContext().overridePermissions(origin, ['camera', 'microphone']);
    const page = (await browser.pages())[0] ?? (await browser.newPage());
    return { browser, page, close };
  } catch (err) {
    await close();
    throw new MeetcapError('browser_crashed', `Chromium set-up failed: ${(err as Error).message}`, {}, { cause: err });
  }
}

/**
 * The bot only navigates to meeting hosts. Top-level document requests to any other host are
 * failed before they leave the browser and reported, so a redirect to a sign-in page becomes a
 * typed reason instead of the bot wandering off.
 */
export async function guardNavigation(
  page: Page,
  allowed: (host: string) => boolean,
  onBlocked: (url: string) => void,
): Promise<CDPSession> {
  const cdp = await page.createCDPSession();
  const { frameTree } = await cdp.send('Page.getFrameTree');
  const mainFrameId = frameTree.frame.id;
  cdp.on('Fetch.requestPaused', (event) => {
    const host = hostOf(event.request.url);
    const topLevel = event.frameId === mainFrameId;
    if (!topLevel || (host !== null && allowed(host))) {
      void cdp.send('Fetch.continueRequest', { requestId: event.requestId }).catch(() => undefined);
      return;
    }
    void cdp.send('Fetch.failRequest', { requestId: event.requestId, errorReason: 'BlockedByClient' }).catch(() => undefined);
    onBlocked(event.request.url);
  });
  await cdp.send('Fetch.enable', { patterns: [{ urlPattern: '*', resourceType: 'Document', requestStage: 'Request' }] });
  return cdp;
}

/**
 * What a navigation the guard blocked means: a bot wall, a sign-in wall, or a page the bot may not
 * visit. The URL is never logged: a redirect's `continue=` can hold the meeting link and its secrets.
 */
export function blockedNavigationReason(adapter: Pick<PlatformAdapter, 'signInHosts' | 'captchaPages'>, url: string): ReasonCode {
  if ((adapter.captchaPages ?? []).some((prefix) => url.startsWith(prefix))) return 'captcha_wall';
  const host = hostOf(url);
  return host !== null && adapter.signInHosts.includes(host) ? 'sign_in_required' : 'url_not_allowed';
}

/**
 * The host a navigation goes to, or null when it may never be allowed: only https, except plain
 * http on 127.0.0.1, where the session itself serves the Zoom Meeting SDK page.
 */
function hostOf(url: string): string | null {
  try {
    const u = new URL(url);
    if (u.protocol === 'https:') return u.hostname;
    return u.protocol === 'http:' && u.hostname === '127.0.0.1' ? u.hostname : null;
  } catch {
    return null;
  }
}
