import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import type { Browser, Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PageCapture } from '../../src/media/capture/index.js';
import { ffprobeFile } from '../../src/media/ffmpeg/probe.js';
import { LocalStorage } from '../../src/media/storage/local.js';
import { toneLevels } from '../helpers/audio.js';
import { launchMediaChromium } from '../helpers/chromium.js';

// Runs only in a loopback-only network namespace: outside one, Chromium also gathers the host's
// own interface address and WebRTC media goes there, not to 127.0.0.1. Run as
//   unshare -n bash -c 'ip link set lo up && npx vitest run test/media'
const loopbackOnly = Object.keys(networkInterfaces()).every((name) => name === 'lo');
if (!loopbackOnly) console.warn('capture-chromium tests skipped: not in a loopback-only network namespace (see file header)');
const logger = pino({ level: process.env.MEETCAP_TEST_LOG ?? 'silent' });
const WINDOW_MS = 250;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.skipIf(!loopbackOnly)('PageCapture in real Chromium', () => {
  let browser: Browser;
  let server: Server;
  let origin: string;
  let dir: string;
  let storage: LocalStorage;

  beforeAll(async () => {
    const html = await readFile(new URL('./fixtures/two-peers.html', import.meta.url));
    server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end(html));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    // http://localhost is a secure context, which getUserMedia and getDisplayMedia require.
    origin = `http://localhost:${(server.address() as AddressInfo).port}`;
    dir = await mkdtemp(path.join(tmpdir(), 'meetcap-capture-'));
    storage = new LocalStorage({ dir });
    browser = await launchMediaChromium();
    await browser.defaultBrowserContext().overridePermissions(origin, ['camera', 'microphone']);
  }, 30_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise((r) => server?.close(r));
    await rm(dir, { recursive: true, force: true });
  });

  async function openMeeting(): Promise<Page> {
    const page = await browser.newPage();
    await page.goto(`${origin}/`);
    await page.evaluate('window.ready');
    return page;
  }

  /** Each <video>'s visibility, and whether it is playing a picture (frames decoded, not paused). */
  const playingVideosVisibility = (page: Page) =>
    page.evaluate(() => [...document.querySelectorAll('video')].map((v) => {
      if (v.paused || v.videoWidth === 0) throw new Error('the <video> participant shows no picture');
      return getComputedStyle(v).visibility;
    }));

  it('records whatever the tab plays: a tone straight out of WebAudio (no peer connection) is captured too', async () => {
    const capture = new PageCapture({ storage, logger });
    const page = await openMeeting();
    const started = await capture.start(page, { mode: 'audio_only', key: 'm5/recording.m4a' });
    await sleep(2500); // recording length before the second sound
    const playAt = (Date.now() - started.startedAt.getTime()) / 1000;
    await page.evaluate('window.playDirect(1000)');
    const playingAt = (Date.now() - started.startedAt.getTime()) / 1000;
    await sleep(3000);
    await capture.stop();
    const object = await capture.keep();
    await capture.close();
    await page.close();
    const levels = await toneLevels(object.uri, 1000, WINDOW_MS);
    const t = (i: number) => (i * WINDOW_MS) / 1000;
    const before = levels.filter((_, i) => t(i) >= 0.5 && t(i) + WINDOW_MS / 1000 < playAt - 0.25);
    const after = levels.filter((_, i) => t(i) > playingAt + 0.5 && t(i) + WINDOW_MS / 1000 < t(levels.length) - 0.25);
    expect(before.length, `${levels.length} windows, played at ${playAt}-${playingAt} s`).toBeGreaterThan(4);
    expect(after.length, `${levels.length} windows, played at ${playAt}-${playingAt} s`).toBeGreaterThan(4);
    expect(Math.max(...before)).toBeLessThan(-50);
    expect(Math.min(...after)).toBeGreaterThan(-25);
  }, 60_000);

  it('records tab video + the sound of every participant the page plays (also a late one) through ffmpeg into storage', async () => {
    const capture = new PageCapture({ storage, logger, timesliceMs: 500 });
    const page = await openMeeting();
    await page.evaluate('window.addParticipant(660, "video")'); // a <video> on the page, which stays visible
    const started = await capture.start(page, { mode: 'audio_video', key: 'm1/recording.mp4' });
    expect(started.mimeType).toMatch(/^video\/mp4/);
    expect(await playingVideosVisibility(page)).toEqual(['visible']);
    await sleep(4000); // recording length, first part: the 440 and 660 Hz participants, not yet 880
    const lateAt = (Date.now() - started.startedAt.getTime()) / 1000;
    await page.evaluate('window.addParticipant(880)');
    const joinedAt = (Date.now() - started.startedAt.getTime()) / 1000;
    await sleep(4000); // second part: both participants
    const stopped = await capture.stop();
    expect(stopped.error).toBeUndefined();
    const object = await capture.keep();
    await capture.close();
    await page.close();

    expect(object.size).toBe(stopped.bytes);
    expect(await readdir(path.join(dir, 'm1'))).toEqual(['recording.mp4']);
    const wall = (stopped.endedAt.getTime() - stopped.startedAt.getTime()) / 1000;
    const probe = await ffprobeFile(object.uri);
    expect(probe.streams).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ type: 'video', codec: 'h264', width: 1280, height: 720 }),
        expect.objectContaining({ type: 'audio', codec: 'aac', sampleRate: 48000 }),
      ]),
    );
    expect(probe.durationSec).toBeGreaterThan(wall - 1.5);
    expect(probe.durationSec).toBeLessThan(wall + 1);
    expect(Math.abs(stopped.durationSec - probe.durationSec)).toBeLessThan(0.5);

    const a440 = await toneLevels(object.uri, 440, WINDOW_MS);
    const a880 = await toneLevels(object.uri, 880, WINDOW_MS);
    const t = (i: number) => (i * WINDOW_MS) / 1000;
    const steady = a440.filter((_, i) => t(i) >= 0.5 && t(i) < probe.durationSec - 0.5);
    expect(Math.min(...steady)).toBeGreaterThan(-25);
    const before = a880.filter((_, i) => t(i) >= 0.5 && t(i) + WINDOW_MS / 1000 < lateAt - 0.25);
    const after = a880.filter((_, i) => t(i) > joinedAt + 0.75 && t(i) < probe.durationSec - 0.5);
    expect(before.length).toBeGreaterThan(8);
    expect(after.length).toBeGreaterThan(8);
    expect(Math.max(...before)).toBeLessThan(-50);
    expect(Math.min(...after)).toBeGreaterThan(-25);
  }, 60_000);

  it('records video at the configured frame rate (the page animates every frame)', async () => {
    const rates: number[] = [];
    for (const [videoFrameRate, key] of [[10, 'm4/ten.mp4'], [undefined, 'm4/default.mp4']] as const) {
      const capture = new PageCapture({ storage, logger, ...(videoFrameRate ? { videoFrameRate } : {}) });
      const page = await openMeeting();
      await capture.start(page, { mode: 'audio_video', key });
      await sleep(3000); // recording length
      await capture.stop();
      const object = await capture.keep();
      await capture.close();
      await page.close();
      const out = execFileSync('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-count_packets', '-show_entries',
        'stream=nb_read_packets:format=duration', '-of', 'json', object.uri]).toString();
      const j = JSON.parse(out) as { streams: Array<{ nb_read_packets: string }>; format: { duration: string } };
      rates.push(Number(j.streams[0]!.nb_read_packets) / Number(j.format.duration));
    }
    expect(rates[0]).toBeGreaterThan(7);
    expect(rates[0]).toBeLessThan(11);
    expect(rates[1]).toBeGreaterThan(20); // the default is 30 fps
  }, 60_000);

  it('records audio only as AAC in M4A, hiding the page\'s video but still hearing a participant played through a <video>', async () => {
    const capture = new PageCapture({ storage, logger });
    const page = await openMeeting();
    await page.evaluate('window.addParticipant(660, "video")');
    const started = await capture.start(page, { mode: 'audio_only', key: 'm2/recording.m4a' });
    expect(started.mimeType).toMatch(/^audio\//);
    // Nobody watches an audio-only bot: the page's pictures are not composited (CPU, docs/benchmarks.md).
    expect(await playingVideosVisibility(page)).toEqual(['hidden']);
    await sleep(3000);
    expect(await playingVideosVisibility(page)).toEqual(['hidden']); // hidden, yet still playing
    const stopped = await capture.stop();
    const object = await capture.keep();
    await capture.close();
    await page.close();
    expect(stopped.error).toBeUndefined();
    const probe = await ffprobeFile(object.uri);
    expect(probe.streams).toEqual([expect.objectContaining({ type: 'audio', codec: 'aac' })]);
    expect(probe.durationSec).toBeGreaterThan(2);
    for (const freq of [440, 660]) {
      const levels = await toneLevels(object.uri, freq, WINDOW_MS);
      expect(Math.min(...levels.slice(2, -2)), `${freq} Hz`).toBeGreaterThan(-25);
    }
  }, 60_000);

  it('discarding after stop leaves nothing in storage', async () => {
    const capture = new PageCapture({ storage, logger });
    const page = await openMeeting();
    await capture.start(page, { mode: 'audio_video', key: 'm3/recording.mp4' });
    await sleep(1500);
    const stopped = await capture.stop();
    expect(stopped.bytes).toBeGreaterThan(0);
    await capture.discard();
    await capture.close();
    await page.close();
    expect(await readdir(path.join(dir, 'm3')).catch(() => [])).toEqual([]);
  }, 60_000);
});
