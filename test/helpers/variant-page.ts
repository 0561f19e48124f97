/// <reference lib="dom" />
import { once } from 'node:events';
import { createServer, type AddressInfo } from 'node:net';
import type { Browser, Page } from 'puppeteer-core';
import { afterAll, beforeAll } from 'vitest';
import type { PageProbe, PlatformAdapter } from '../../src/platforms/platform.js';
import { launchMediaChromium } from './chromium.js';

/** Every button records its click (inside shadow trees too), so a test can tell which one the adapter pressed. */
export const RECORD_CLICKS = `<script>document.addEventListener('click', (e) => {
  const b = e.composedPath()[0].closest('button'); if (b) document.body.dataset.clicked = b.dataset.id; }, true);</script>`;

/** Moves `html` into an open shadow root of the element `#id` (a web component's own tree), nested roots included. */
export const inShadow = (id: string, html: string): string => `<div id="${id}"></div><script>
  document.getElementById(${JSON.stringify(id)}).attachShadow({ mode: 'open' }).innerHTML = ${JSON.stringify(html)};
  </script>`;

/** A loopback port nothing listens on: one the kernel just handed out and we closed again. */
export async function closedPort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  await new Promise((done) => server.close(done));
  return port;
}

export interface VariantPage {
  browser: Browser;
  /** Replaced by tests that need a page of their own. */
  page: Page;
  /** Shows `html` (with click recording) on the current page. */
  show(html: string): Promise<void>;
  probe(adapter: PlatformAdapter): Promise<PageProbe>;
  /** The `data-id` of the last button clicked. */
  clicked(): Promise<string | undefined>;
}

/** One real Chromium and page for a file of page-variant tests, closed after it. */
export function useVariantPage(): VariantPage {
  const v = {
    show: (html: string) => v.page.setContent(`<body>${html}${RECORD_CLICKS}</body>`),
    probe: (adapter: PlatformAdapter) => adapter.probe(v.page, 'Recorder'),
    clicked: () => v.page.evaluate(() => document.body.dataset.clicked),
  } as VariantPage;
  beforeAll(async () => {
    v.browser = await launchMediaChromium();
    v.page = await v.browser.newPage();
  });
  afterAll(() => v.browser?.close());
  return v;
}
