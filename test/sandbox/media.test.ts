/// <reference lib="dom" />
// page.evaluate callbacks run in the browser, so these tests type-check against the DOM too.
import { networkInterfaces } from 'node:os';
import type { Browser, Page } from 'puppeteer-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { MeetingView, Sandbox } from '../../src/sandbox/index.js';
import { askToJoin, control, startSandboxWithBot, waitForText } from './helpers.js';

/**
 * WebRTC must stay on loopback: these run only in a network namespace that has nothing but lo:
 *   unshare -n bash -c 'ip link set lo up && npx vitest run test/sandbox'
 */
const loOnly = Object.keys(networkInterfaces()).every((name) => name === 'lo');

/** Records every RTCPeerConnection the page makes, as a capturing bot would. */
const TRACK_PCS = (): void => {
  const Native = window.RTCPeerConnection;
  const all: RTCPeerConnection[] = [];
  (window as unknown as { __pcs: RTCPeerConnection[] }).__pcs = all;
  window.RTCPeerConnection = function (this: unknown, ...args: ConstructorParameters<typeof RTCPeerConnection>) {
    const pc = new Native(...args);
    all.push(pc);
    return pc;
  } as unknown as typeof RTCPeerConnection;
  window.RTCPeerConnection.prototype = Native.prototype;
};

/** Per kind: how many peer connections have received bytes (audio) or decoded frames (video). */
async function flowing(page: Page): Promise<{ audio: number; video: number }> {
  return page.evaluate(async () => {
    const out = { audio: 0, video: 0 };
    for (const pc of (window as unknown as { __pcs: RTCPeerConnection[] }).__pcs) {
      if (pc.connectionState === 'closed') continue;
      (await pc.getStats()).forEach((r: { type: string; kind: string; bytesReceived?: number; framesDecoded?: number }) => {
        if (r.type !== 'inbound-rtp') return;
        if (r.kind === 'audio' && (r.bytesReceived ?? 0) > 0) out.audio += 1;
        if (r.kind === 'video' && (r.framesDecoded ?? 0) > 0) out.video += 1;
      });
    }
    return out;
  });
}

const levelOf = (page: Page, id: string): Promise<string | null> =>
  page.$eval(`div[data-participant-id="${id}"]`, (t) => t.getAttribute('data-audio-level'));

describe.skipIf(!loOnly)('Meet imitation with synthetic participants (lo-only namespace)', { timeout: 90_000 }, () => {
  let sandbox: Sandbox;
  let bot: Browser;
  let close: () => Promise<void>;
  let page: Page;

  beforeAll(async () => ({ sandbox, bot, close } = await startSandboxWithBot()));
  afterAll(() => close?.());
  afterEach(async () => page?.close().catch(() => undefined));

  /** A meeting with Alice (speaking, 440 Hz) and Bob (silent, 660 Hz), and the bot admitted. */
  async function admittedWithTwo(): Promise<{ code: string; alice: string; bob: string }> {
    const { code, url } = (await control<{ code: string; url: string }>(sandbox, 'POST', '/meetings', {})).body;
    const [alice, bob] = await Promise.all([
      control<{ id: string; joinedAt: number }>(sandbox, 'POST', `/meetings/${code}/participants`, { name: 'Alice', toneHz: 440, speaking: true }),
      control<{ id: string; joinedAt: number }>(sandbox, 'POST', `/meetings/${code}/participants`, { name: 'Bob', toneHz: 660 }),
    ]);
    expect([alice.status, bob.status]).toEqual([200, 200]);
    page = await bot.newPage();
    await page.evaluateOnNewDocument(TRACK_PCS);
    await askToJoin(page, url, 'Recorder');
    await waitForText(page, 'Asking to be let in…');
    // The trap: in-call controls are already there while waiting, tiles are not.
    expect(await page.$('button[aria-label="Leave call"]')).not.toBeNull();
    expect(await page.$$('[data-participant-id]')).toHaveLength(0);
    await control(sandbox, 'POST', `/meetings/${code}/admit`, {});
    return { code, alice: alice.body.id, bob: bob.body.id };
  }

  it('admits the bot, which then receives both participants’ audio and video', async () => {
    const { code, alice, bob } = await admittedWithTwo();
    const dialog = await page.waitForSelector('div[aria-modal="true"][role="dialog"] ::-p-text(This video call is being recorded)');
    expect(dialog).not.toBeNull();
    // Until "Join now" (the consent) the call is not heard.
    expect(await page.$$eval('#audio-sinks audio', (els) => els.every((a) => (a as HTMLAudioElement).muted))).toBe(true);
    await (await page.$('div[role="dialog"] ::-p-text(Join now)'))!.click();
    await page.waitForSelector('div[aria-modal="true"][role="dialog"]', { hidden: true });

    const wait = await control<MeetingView>(sandbox, 'GET', `/meetings/${code}/wait?peersConnected=2&timeoutMs=30000`);
    expect(wait.status).toBe(200);
    // Like a worker, the bot has no camera or microphone, and the media still flows on loopback.
    const inputs = await page.evaluate(async () => (await navigator.mediaDevices.enumerateDevices()).filter((d) => d.kind !== 'audiooutput').length);
    expect(inputs).toBe(0);
    expect(await page.$$('div[data-participant-id]')).toHaveLength(3);
    expect(await page.$eval(`div[data-participant-id="${alice}"] span.notranslate`, (s) => s.textContent)).toBe('Alice');
    expect(await page.$('div[data-participant-id][data-self-name="Recorder"]')).not.toBeNull();
    expect(await page.$('button[aria-label="People - 3 joined"]')).not.toBeNull();
    expect(await page.$('span[data-avatar-count="3"]')).not.toBeNull();
    for (const label of ['Turn on captions', 'Present now', 'Leave call']) {
      expect(await page.$(`button[aria-label="${label}"]`)).not.toBeNull();
    }

    const liveAudio = await page.$$eval('audio', (els) =>
      els.filter((a) => (a.srcObject as MediaStream | null)?.getAudioTracks().some((t) => t.readyState === 'live')).length);
    expect(liveAudio).toBe(2);
    await expect.poll(() => flowing(page), { timeout: 20_000, interval: 250 }).toEqual({ audio: 2, video: 2 });

    await page.waitForFunction((id: string) => Number(document.querySelector(`[data-participant-id="${id}"]`)?.getAttribute('data-audio-level')) > 0,
      { timeout: 10_000 }, alice);
    expect(await levelOf(page, bob)).toBe('0');
  });

  it('follows who speaks, and connects late participants and drops leaving ones', async () => {
    const { code, alice, bob } = await admittedWithTwo();
    await control(sandbox, 'GET', `/meetings/${code}/wait?peersConnected=2&timeoutMs=30000`);
    const [bobOn, aliceOff] = await Promise.all([
      control<{ at: number }>(sandbox, 'POST', `/meetings/${code}/participants/${bob}/speak`, { on: true }),
      control<{ at: number }>(sandbox, 'POST', `/meetings/${code}/participants/${alice}/speak`, { on: false }),
    ]);
    expect(bobOn.body.at).toBeGreaterThan(0);
    expect(aliceOff.body.at).toBeGreaterThan(0);
    await page.waitForFunction((id: string) => Number(document.querySelector(`[data-participant-id="${id}"]`)?.getAttribute('data-audio-level')) > 0,
      { timeout: 10_000 }, bob);
    await page.waitForFunction((id: string) => document.querySelector(`[data-participant-id="${id}"]`)?.getAttribute('data-audio-level') === '0',
      { timeout: 10_000 }, alice);
    const view = (await control<MeetingView>(sandbox, 'GET', `/meetings/${code}`)).body;
    expect(view.participants.find((p) => p.id === bob)?.speech.map((s) => s.on)).toEqual([false, true]);

    const carol = await control<{ id: string }>(sandbox, 'POST', `/meetings/${code}/participants`, { name: 'Carol', toneHz: 880 });
    await control(sandbox, 'GET', `/meetings/${code}/wait?peersConnected=3&timeoutMs=30000`);
    await page.waitForSelector(`div[data-participant-id="${carol.body.id}"]`);
    await expect.poll(() => flowing(page), { timeout: 20_000, interval: 250 }).toMatchObject({ audio: 3 });
    expect(await page.$('button[aria-label="People - 4 joined"]')).not.toBeNull();

    expect((await control(sandbox, 'DELETE', `/meetings/${code}/participants/${carol.body.id}`)).status).toBe(200);
    await page.waitForSelector(`div[data-participant-id="${carol.body.id}"]`, { hidden: true });
    expect(await page.$$('audio')).toHaveLength(2);
    expect(await page.$('button[aria-label="People - 3 joined"]')).not.toBeNull();
  });

  it('shows removal and closes every peer connection', async () => {
    const { code } = await admittedWithTwo();
    await control(sandbox, 'GET', `/meetings/${code}/wait?peersConnected=2&timeoutMs=30000`);
    expect((await control(sandbox, 'POST', `/meetings/${code}/remove`, {})).status).toBe(200);
    await waitForText(page, "You've been removed from the meeting");
    expect(await page.evaluate(() => (window as unknown as { __pcs: RTCPeerConnection[] }).__pcs.every((pc) => pc.connectionState === 'closed'))).toBe(true);
    expect(await page.$$('audio')).toHaveLength(0);
    expect((await control<MeetingView>(sandbox, 'GET', `/meetings/${code}`)).body.peersConnected).toBe(0);
  });

  it('shows the end for everyone and closes every peer connection', async () => {
    const { code } = await admittedWithTwo();
    await control(sandbox, 'GET', `/meetings/${code}/wait?peersConnected=2&timeoutMs=30000`);
    expect((await control(sandbox, 'POST', `/meetings/${code}/end`)).status).toBe(200);
    await waitForText(page, 'Your host ended the meeting for everyone');
    await waitForText(page, 'Return to home screen');
    expect(await page.evaluate(() => (window as unknown as { __pcs: RTCPeerConnection[] }).__pcs.every((pc) => pc.connectionState === 'closed'))).toBe(true);
    const view = (await control<MeetingView>(sandbox, 'GET', `/meetings/${code}`)).body;
    expect(view.state).toBe('ended');
    expect(view.joiners[0]?.state).toBe('ended');
    expect(view.participants.every((p) => p.leftAt !== null)).toBe(true);
  });
});
