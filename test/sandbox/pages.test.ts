/// <reference lib="dom" />
// page.evaluate callbacks run in the browser, so these tests type-check against the DOM too.
import { X509Certificate } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadOrCreateCertificate, spkiHash } from '../../src/sandbox/ca.js';
import type { Sandbox } from '../../src/sandbox/index.js';
import { askToJoin, CHROMIUM, control, startSandboxWithBot, textOf, waitForText } from './helpers.js';

/** Page flows that need no media: they run inside or outside a network namespace. */
describe('Meet imitation pages', { timeout: 60_000 }, () => {
  let sandbox: Sandbox;
  let home: string;
  let bot: Browser;
  let close: () => Promise<void>;
  let page: Page;

  beforeAll(async () => ({ sandbox, home, bot, close } = await startSandboxWithBot()));
  afterAll(() => close?.());
  afterEach(async () => page?.close().catch(() => undefined));

  const newMeeting = async (body: object = {}): Promise<{ code: string; url: string }> =>
    (await control<{ code: string; url: string }>(sandbox, 'POST', '/meetings', body)).body;

  it('keeps the CA across restarts and pins the leaf SPKI that Chromium is told to trust', async () => {
    const again = await loadOrCreateCertificate(home);
    expect(again.spki).toBe(sandbox.spki);
    const leaf = new X509Certificate(again.certPem);
    expect(leaf.subjectAltName).toContain('DNS:meet.google.com');
    expect(leaf.subjectAltName).toContain('DNS:*.zoom.us');
    expect(leaf.subjectAltName).toContain('IP Address:127.0.0.1');
    expect(leaf.checkIssued(new X509Certificate(again.caCertPem))).toBe(true);
    expect(spkiHash(again.certPem)).toBe(sandbox.spki);
    // A damaged store is replaced rather than served.
    await writeFile(join(home, 'sandbox-ca', 'leaf.cert.pem'), 'garbage');
    const fresh = await loadOrCreateCertificate(home);
    expect(fresh.spki).not.toBe(sandbox.spki);
    expect(await readFile(join(home, 'sandbox-ca', 'leaf.cert.pem'), 'utf8')).toContain('BEGIN CERTIFICATE');
  });

  it('serves https://meet.google.com/<code> to a Chromium started with botBrowserArgs', async () => {
    const { url } = await newMeeting();
    page = await bot.newPage();
    const res = await page.goto(url, { waitUntil: 'domcontentloaded' });
    expect(res?.status()).toBe(200);
    expect(await page.title()).toBe('Meet');
    expect(await page.evaluate(() => location.href)).toBe(url);
    await page.waitForSelector('div[role="dialog"][aria-modal="true"] ::-p-text(Continue without microphone and camera)');
    const joinButton = await page.waitForSelector('::-p-text(Ask to join)');
    expect(await joinButton!.evaluate((b) => (b.closest('button') as HTMLButtonElement).disabled)).toBe(true);
    expect(await page.$('button[aria-label="Turn off microphone"]')).not.toBeNull();
    expect(await page.$('button[aria-label="Turn off camera"]')).not.toBeNull();
  });

  it('refuses the certificate without the SPKI flag', async () => {
    const plain = await puppeteer.launch({
      executablePath: CHROMIUM, headless: true,
      args: ['--no-sandbox', '--disable-background-networking', sandbox.botBrowserArgs()[0]!],
      pipe: true,
    });
    try {
      const p = await plain.newPage();
      await expect(p.goto(`https://meet.google.com/${(await newMeeting()).code}`)).rejects.toThrow(/ERR_CERT_AUTHORITY_INVALID/);
    } finally {
      await plain.close();
    }
  });

  it('answers unknown codes with "Check your meeting code"', async () => {
    page = await bot.newPage();
    await page.goto('https://meet.google.com/xyz-abcd-efg', { waitUntil: 'domcontentloaded' });
    await waitForText(page, 'Check your meeting code');
    expect(await page.$('input[aria-label="Your name"]')).toBeNull();
  });

  it('flips toggle labels, and open meetings say "Join now" and skip the lobby', async () => {
    const { code, url } = await newMeeting({ open: true, permissionPrompt: false, recordingNotice: false });
    page = await bot.newPage();
    await page.goto(url);
    const mic = await page.waitForSelector('button[aria-label="Turn off microphone"]');
    await mic!.click();
    await page.waitForSelector('button[aria-label="Turn on microphone"]');
    await (await page.$('button[aria-label="Turn off camera"]'))!.click();
    await page.waitForSelector('button[aria-label="Turn on camera"]');
    await page.type('input[type="text"][aria-label="Your name"]', 'Recorder');
    await (await page.waitForSelector('::-p-text(Join now)'))!.click();
    await page.waitForSelector('div[data-participant-id][data-self-name="Recorder"]');
    const view = await control<{ joiners: { state: string; events: { state: string }[] }[] }>(sandbox, 'GET', `/meetings/${code}`);
    expect(view.body.joiners[0]!.events.map((e) => e.state)).toEqual(['prejoin', 'in_call']);
    expect(await page.$('button[aria-label="People - 1 joined"]')).not.toBeNull();
    expect(await page.$('div[role="dialog"]')).toBeNull();
  });

  it('shows the Leave call trap in the lobby; clicking it cancels the request', async () => {
    const { code, url } = await newMeeting();
    page = await bot.newPage();
    await askToJoin(page, url, 'Recorder');
    await waitForText(page, 'Asking to be let in…');
    await waitForText(page, 'You’ll join the call when someone lets you in');
    expect(await page.$('button[aria-label="Leave call"]')).not.toBeNull();
    expect(await page.$('::-p-text(Return to home screen)')).not.toBeNull();
    expect(await page.$$('[data-participant-id]')).toHaveLength(0);
    expect(await page.$('button[aria-label^="People"]')).toBeNull();
    await (await page.$('button[aria-label="Leave call"]'))!.click();
    await waitForText(page, 'You left the meeting');
    const wait = await control<{ joiners: { state: string }[] }>(sandbox, 'GET', `/meetings/${code}/wait?joiner=left&timeoutMs=5000`);
    expect(wait.body.joiners[0]!.state).toBe('left');
  });

  it('shows the denial text when the host denies', async () => {
    const { code, url } = await newMeeting();
    page = await bot.newPage();
    await askToJoin(page, url, 'Recorder');
    await control(sandbox, 'GET', `/meetings/${code}/wait?joiner=lobby&timeoutMs=10000`);
    expect((await control(sandbox, 'POST', `/meetings/${code}/deny`, {})).status).toBe(200);
    await waitForText(page, 'Someone in the call denied your request to join');
    expect(await page.$('button[aria-label="Leave call"]')).toBeNull();
  });

  it('expires the request after lobbyTimeoutMs', async () => {
    const { code, url } = await newMeeting({ lobbyTimeoutMs: 1500 });
    page = await bot.newPage();
    await askToJoin(page, url, 'Recorder');
    await waitForText(page, 'No one responded to your request to join the call', 10_000);
    const view = await control<{ joiners: { state: string }[] }>(sandbox, 'GET', `/meetings/${code}`);
    expect(view.body.joiners[0]!.state).toBe('expired');
    expect(await textOf(page)).toContain('Return to home screen');
  });
});
