import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { loadBotProfile } from '../../src/config/profiles.js';
import { launchBrowser, type LaunchedBrowser } from '../../src/session/browser.js';

// The bot's own microphone, as a meeting page opens it in the bot's real Chromium (launchBrowser,
// with the sandbox's fake capture device standing in for a microphone). What a user gets from
// it: the bot costs less CPU per meeting (docs/benchmarks.md); nothing of the recording changes.
const PROCESSING = ['echoCancellation', 'noiseSuppression', 'autoGainControl'] as const;
type Settings = Record<string, unknown>;

/** In the page: open the microphone with `constraints`, report its settings, close it again. */
const micSettings = (page: Page, constraints: object) =>
  page.evaluate(async (c) => {
    const stream = await navigator.mediaDevices.getUserMedia(c);
    const [audio] = stream.getAudioTracks();
    const result = { audio: audio ? (audio.getSettings() as Record<string, unknown>) : null, videoTracks: stream.getVideoTracks().length };
    for (const t of stream.getTracks()) t.stop();
    return result;
  }, constraints);

const expectUnprocessed = (settings: Settings | null) => {
  expect(settings).not.toBeNull();
  for (const key of PROCESSING) expect(settings![key], key).toBe(false);
};

describe('the bot asks for its microphone unprocessed', () => {
  let server: Server;
  let origin: string;
  let launched: LaunchedBrowser;

  beforeAll(async () => {
    server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>meeting</title>'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    // http://localhost is a secure context, which getUserMedia requires.
    origin = `http://localhost:${(server.address() as AddressInfo).port}`;
    const config = loadConfig({
      ...process.env,
      MEETCAP_CHROMIUM_NO_SANDBOX: '1',
      MEETCAP_SANDBOX_BROWSER_ARGS: JSON.stringify(['--use-fake-device-for-media-stream']),
    });
    const profile = await loadBotProfile(config.profilesDir, 'default');
    launched = await launchBrowser(config, profile, origin, pino({ level: 'silent' }));
    await launched.page.goto(`${origin}/`);
  }, 30_000);

  afterAll(async () => {
    await launched?.close();
    await new Promise((r) => server?.close(r));
  });

  it('turns off echo cancellation, noise suppression and gain control however the page asks', async () => {
    const { page } = launched;
    expectUnprocessed((await micSettings(page, { audio: true })).audio);
    const explicit = await micSettings(page, {
      audio: { echoCancellation: { exact: true }, noiseSuppression: true, autoGainControl: { ideal: true }, advanced: [{ echoCancellation: true }] },
      video: true,
    });
    expectUnprocessed(explicit.audio);
    expect(explicit.videoTracks).toBe(1);
  });

  it('passes video-only requests and the prefixed callback form through', async () => {
    const { page } = launched;
    expect(await micSettings(page, { video: { width: 640 } })).toEqual({ audio: null, videoTracks: 1 });
    const legacy = await page.evaluate(
      () =>
        new Promise<Record<string, unknown>>((resolve, reject) => {
          const nav = navigator as Navigator & { webkitGetUserMedia(c: object, ok: (s: MediaStream) => void, fail: (e: unknown) => void): void };
          nav.webkitGetUserMedia({ audio: true }, (s) => {
            const settings = s.getAudioTracks()[0]!.getSettings() as Record<string, unknown>;
            for (const t of s.getTracks()) t.stop();
            resolve(settings);
          }, reject);
        }),
    );
    expectUnprocessed(legacy);
  });

  it('Chromium processes the microphone by default: a page opened without the script gets it processed', async () => {
    // Control for the tests above: the same request in a page the bot did not prepare.
    const plain = await launched.browser.newPage();
    try {
      await plain.goto(`${origin}/`);
      const { audio } = await micSettings(plain, { audio: true });
      for (const key of PROCESSING) expect(audio![key], key).toBe(true);
    } finally {
      await plain.close();
    }
  });
});
