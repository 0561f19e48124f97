import type { Logger } from 'pino';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { SandboxError } from './errors.js';

export interface ParticipantsBrowserOptions {
  httpsPort: number;
  spki: string;
  log: Logger;
  executablePath?: string;
}

/** Flags for the sandbox's own participants browser (never the bot's). */
export function participantsBrowserArgs(spki: string): string[] {
  return [
    '--no-sandbox', // we run as root; this browser only ever loads sandbox pages
    '--disable-gpu',
    '--no-first-run',
    // Without these Chromium keeps dialing out, which floods a closed network namespace.
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--autoplay-policy=no-user-gesture-required',
    // Hidden pages must keep drawing frames and sending audio on time.
    '--disable-background-timer-throttling',
    '--disable-renderer-backgrounding',
    '--disable-backgrounding-occluded-windows',
    '--disable-features=WebRtcHideLocalIpsWithMdns',
    '--allow-loopback-in-peer-connection',
    '--use-fake-device-for-media-stream',
    `--ignore-certificate-errors-spki-list=${spki}`,
  ];
}

/**
 * A separate headless Chromium hosting one page per synthetic participant, so their media
 * encoding is never charged to the bot. Launched lazily, once.
 */
export class ParticipantsBrowser {
  private browser: Promise<Browser> | undefined;
  private launched: Browser | undefined;
  private readonly pages = new Map<string, Page>();
  private closed = false;

  constructor(private readonly opts: ParticipantsBrowserOptions) {}

  get origin(): string {
    return `https://127.0.0.1:${this.opts.httpsPort}`;
  }

  /** Opens the participant's page; the page itself reports readiness over the signalling socket. */
  async open(id: string, code: string): Promise<void> {
    const browser = await this.launch();
    const page = await browser.newPage();
    this.pages.set(id, page);
    page.on('console', (m) => this.opts.log.debug({ participant: id, text: m.text() }, 'participant console'));
    page.on('pageerror', (err) => this.opts.log.warn({ participant: id, err }, 'participant page error'));
    const url = `${this.origin}/_sandbox/participant?code=${encodeURIComponent(code)}&id=${encodeURIComponent(id)}`;
    await page.goto(url, { waitUntil: 'domcontentloaded' });
  }

  async closePage(id: string): Promise<void> {
    const page = this.pages.get(id);
    this.pages.delete(id);
    if (page && !page.isClosed()) await page.close().catch(() => undefined);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const pending = this.browser;
    this.browser = undefined;
    this.pages.clear();
    if (pending) await (await pending.catch(() => undefined))?.close().catch(() => undefined);
  }

  private launch(): Promise<Browser> {
    if (this.closed) return Promise.reject(new SandboxError('closed', 'sandbox is closed'));
    this.browser ??= this.start().catch((err: unknown) => {
      this.browser = undefined; // let the next participant retry
      throw new SandboxError('participant_start_failed', `cannot launch the participants browser: ${String(err)}`, { cause: err });
    });
    return this.browser;
  }

  private async start(): Promise<Browser> {
    const browser = await puppeteer.launch({
      executablePath: this.opts.executablePath ?? process.env.MEETCAP_CHROMIUM ?? '/usr/bin/chromium',
      headless: true,
      args: participantsBrowserArgs(this.opts.spki),
      // The sandbox's owner decides when to stop (close() is LIFO); puppeteer's own signal
      // handlers would exit the process under it. Its exit hook still kills Chromium on a crash.
      handleSIGINT: false,
      handleSIGTERM: false,
      handleSIGHUP: false,
      // DevTools over a pipe: Chromium exits when this process dies in any way (the pipe
      // closes), so a killed test or sandbox never leaves its participants running.
      pipe: true,
    });
    await browser.defaultBrowserContext().overridePermissions(this.origin, ['camera', 'microphone']);
    browser.on('disconnected', () => {
      // A crashed browser is relaunched for the next participant; its pages' sockets have closed,
      // which already marked their participants as left.
      this.opts.log.debug('participants browser disconnected');
      if (this.closed || this.launched !== browser) return;
      this.browser = undefined;
      this.launched = undefined;
      this.pages.clear();
    });
    this.launched = browser;
    return browser;
  }
}
