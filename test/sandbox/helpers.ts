/// <reference lib="dom" />
// page.evaluate callbacks run in the browser, so these tests type-check against the DOM too.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';

export const CHROMIUM = process.env.MEETCAP_CHROMIUM ?? '/usr/bin/chromium';

/** Origins the stand-in bot grants camera/microphone, as the session grants its meeting host. */
export const SANDBOX_ORIGINS = [
  'https://meet.google.com', 'https://teams.microsoft.com', 'https://teams.live.com',
  'https://zoom.us', 'https://us05web.zoom.us', 'https://app.zoom.us',
];

/** A sandbox with its CA in a throwaway MEETCAP_HOME. */
export async function startTestSandbox(): Promise<{ sandbox: Sandbox; home: string; close(): Promise<void> }> {
  const home = await mkdtemp(join(tmpdir(), 'meetcap-sandbox-test-'));
  const sandbox = await startSandbox({ home });
  return {
    sandbox,
    home,
    close: async () => {
      await sandbox.close();
      await rm(home, { recursive: true, force: true });
    },
  };
}

/** A sandbox plus the stand-in bot's Chromium; `close` closes both, bot first. */
export async function startSandboxWithBot(): Promise<{ sandbox: Sandbox; home: string; bot: Browser; close(): Promise<void> }> {
  const started = await startTestSandbox();
  let bot: Browser;
  try {
    bot = await launchBot(started.sandbox);
  } catch (err) {
    await started.close();
    throw err;
  }
  return {
    ...started,
    bot,
    close: async () => {
      await bot.close();
      await started.close();
    },
  };
}

/** Stands in for the bot: a Chromium started only with the sandbox's bot args. */
export async function launchBot(sandbox: Sandbox): Promise<Browser> {
  const browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-features=WebRtcHideLocalIpsWithMdns',
      ...sandbox.botBrowserArgs()],
    pipe: true,
  });
  for (const origin of SANDBOX_ORIGINS) await browser.defaultBrowserContext().overridePermissions(origin, ['camera', 'microphone']);
  return browser;
}

export async function control<T = unknown>(sandbox: Sandbox, method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
  const res = await fetch(`${sandbox.controlUrl}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as T };
}

export async function textOf(page: Page): Promise<string> {
  return page.evaluate(() => document.body.innerText);
}

/** Waits until the page shows `text` somewhere in its visible text. */
export async function waitForText(page: Page, text: string, timeout = 15_000): Promise<void> {
  await page.waitForFunction((t: string) => document.body.innerText.includes(t), { timeout }, text);
}

/** Pre-join as the bot would: optional permission dialog, name, join button. */
export async function askToJoin(page: Page, url: string, name: string, opts: { permissionPrompt?: boolean } = {}): Promise<void> {
  await page.goto(url, { waitUntil: 'domcontentloaded' });
  if (opts.permissionPrompt ?? true) {
    const without = await page.waitForSelector('::-p-text(Continue without microphone and camera)');
    await without!.click();
  }
  await page.waitForSelector('input[type="text"][aria-label="Your name"]', { visible: true });
  await page.type('input[type="text"][aria-label="Your name"]', name);
  const join = await page.waitForSelector('::-p-text(Ask to join), ::-p-text(Join now)');
  await join!.click();
}
