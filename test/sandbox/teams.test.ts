/// <reference lib="dom" />
// page.evaluate callbacks run in the browser, so these tests type-check against the DOM too.
import { networkInterfaces } from 'node:os';
import type { Browser, Page } from 'puppeteer-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { MeetingView, Sandbox } from '../../src/sandbox/index.js';
import { control, startSandboxWithBot, textOf, waitForText } from './helpers.js';

const NAME = 'input[data-tid="prejoin-display-name-input"]';
const JOIN = 'button[data-tid="prejoin-join-button"]';
const PASSCODE = 'input[data-tid="prejoin-passcode-input"]';
const HANGUP = 'button#hangup-button[data-tid="hangup-main-btn"][aria-label="Leave"]';
const DIALOG = 'div[role="dialog"][aria-modal="true"]';
const ON_WEB = ['Join meeting from this browser', 'Continue on this browser', 'Join on this browser'];
const ON_WEB_SELECTOR = ON_WEB.map((t) => `button::-p-text(${t})`).join(', ');
const PASSCODE_ERROR = 'The meeting ID or passcode is incorrect. Please try again.';
const BAD_URL = 'Looks like the meeting URL is incorrect. Check the URL and try again.';
const loOnly = Object.keys(networkInterfaces()).every((name) => name === 'lo');

type Created = { code: string; url: string };

describe('Teams imitation pages', { timeout: 60_000 }, () => {
  let sandbox: Sandbox;
  let bot: Browser;
  let close: () => Promise<void>;
  let page: Page;

  beforeAll(async () => ({ sandbox, bot, close } = await startSandboxWithBot()));
  afterAll(() => close?.());
  afterEach(async () => page?.close().catch(() => undefined));

  const newMeeting = async (body: object = {}): Promise<Created> =>
    (await control<Created>(sandbox, 'POST', '/meetings', { platform: 'teams', teamsAvModal: 'none', ...body })).body;
  const view = async (code: string): Promise<MeetingView> => (await control<MeetingView>(sandbox, 'GET', `/meetings/${code}`)).body;
  const waitJoiner = (code: string, state: string): Promise<unknown> =>
    control(sandbox, 'GET', `/meetings/${code}/wait?joiner=${state}&timeoutMs=10000`);

  /** Landing → "join from this browser" → pre-join, as the bot would. */
  async function toPrejoin(url: string): Promise<void> {
    page = await bot.newPage();
    await page.goto(url, { waitUntil: 'domcontentloaded' });
    await waitForText(page, 'How do you want to join your Teams meeting?');
    await (await page.waitForSelector(ON_WEB_SELECTOR))!.click();
    await page.waitForSelector(NAME, { visible: true });
  }

  async function typeAndJoin(name: string): Promise<void> {
    await page.type(NAME, name);
    await page.waitForSelector(`${JOIN}:not([disabled])`);
    await page.click(JOIN);
  }

  async function toLobby(body: object = {}): Promise<Created> {
    const meeting = await newMeeting(body);
    await toPrejoin(meeting.url);
    await typeAndJoin('Recorder');
    await waitForText(page, 'Someone will let you in shortly');
    return meeting;
  }

  /** Straight through an auto-admitting lobby into the call. */
  async function toCall(body: object = {}): Promise<Created> {
    const meeting = await newMeeting({ autoAdmitAfterMs: 0, ...body });
    await toPrejoin(meeting.url);
    await typeAndJoin('Recorder');
    await page.waitForSelector(HANGUP);
    return meeting;
  }

  it('lands, dismisses the modal shown before, waits in the lobby and is admitted into the call', async () => {
    const { code, url } = await newMeeting({ teamsAvModal: 'before' });
    expect(url).toMatch(/^https:\/\/teams\.microsoft\.com\/l\/meetup-join\/19%3ameeting_[A-Za-z0-9]+%40thread\.v2\/0\?context=%7b%22Tid%22/);
    page = await bot.newPage();
    await page.goto(url, { waitUntil: 'domcontentloaded' });
    await waitForText(page, 'How do you want to join your Teams meeting?');
    const app = await page.waitForSelector('a::-p-text(Join on the Teams app)');
    expect(await app!.evaluate((a) => a.getAttribute('href'))).toMatch(/^msteams:\/l\/meetup-join\/19%3ameeting_/);
    const label = await page.evaluate(() => (window as unknown as { __teamsSandbox: { joinLabel: string } }).__teamsSandbox.joinLabel);
    expect(ON_WEB).toContain(label);
    await (await page.waitForSelector(ON_WEB_SELECTOR))!.click();

    await page.waitForSelector(`${DIALOG} ::-p-text(Continue without audio or video)`);
    await waitForText(page, "Are you sure you don't want audio or video?");
    await waitForText(page, 'Select Allow to let Microsoft Teams use your mic and camera');
    expect(await page.$eval(NAME, (i) => (i as HTMLInputElement).placeholder)).toBe('Type your name');
    expect(await page.$eval(JOIN, (b) => [(b as HTMLButtonElement).disabled, b.textContent])).toEqual([true, 'Join now']);
    for (const radio of ['Computer audio', "Don't use audio"]) expect(await page.$(`[role="radio"]::-p-text(${radio})`)).not.toBeNull();
    await page.click('::-p-text(Continue without audio or video)');
    await page.waitForSelector(DIALOG, { hidden: true });
    expect(await page.$eval('[data-tid="toggle-mute"][role="switch"][aria-label="Microphone"]', (t) => t.getAttribute('aria-checked'))).toBe('false');
    expect(await page.$eval('[data-tid="toggle-video"][role="switch"][aria-label="Camera"]', (t) => t.getAttribute('aria-checked'))).toBe('false');

    await typeAndJoin('Recorder');
    await waitForText(page, 'Someone will let you in shortly');
    await waitForText(page, 'Waiting for someone to let you in');
    await waitJoiner(code, 'lobby');
    expect(await page.$(HANGUP)).toBeNull();
    expect(await page.$('[data-tid="prejoin-cancel-button"]')).not.toBeNull();

    await control(sandbox, 'POST', `/meetings/${code}/admit`, {});
    await page.waitForSelector(HANGUP);
    await waitForText(page, 'Recording has started. By attending this meeting, you consent to being included in the recording.');
    await page.click('::-p-text(Dismiss)');
    await page.waitForSelector('::-p-text(Recording has started)', { hidden: true });
    expect(await page.$('[data-is-self="true"]:not([data-stream-type])')).not.toBeNull();
    expect(await page.$$('[data-stream-type="Video"]')).toHaveLength(0);
    expect(await page.$('[data-tid="roster-participant"]')).toBeNull();
    await page.click('button#roster-button[aria-label="People"]');
    await page.waitForSelector('[data-tid="roster-participant"] ::-p-text(Recorder (Guest))');

    await page.click('button#chat-button');
    await page.click('[aria-label="Type a message"]');
    await page.keyboard.type('Hello from the notetaker');
    await page.keyboard.press('Enter');
    await page.waitForSelector('[data-tid="chat-pane-message"] ::-p-text(Hello from the notetaker)');

    // A generic alert toast is not a removal: the call goes on.
    await page.waitForSelector('[role="alert"] ::-p-text(Your camera is turned off)');
    expect(await page.$(HANGUP)).not.toBeNull();
    expect((await view(code)).joiners[0]!.state).toBe('in_call');
    await page.click(HANGUP);
    await waitForText(page, 'You left the meeting');
    await waitJoiner(code, 'left');
  });

  it('opens the modal on the first Join now when it comes after; dismissing it does not join', async () => {
    const { code, url } = await newMeeting({ teamsAvModal: 'after' });
    await toPrejoin(url);
    expect(await page.$(DIALOG)).toBeNull();
    expect(await page.evaluate(() => (window as unknown as { __teamsSandbox: { avModal: string } }).__teamsSandbox.avModal)).toBe('after');
    await typeAndJoin('Recorder');
    await page.waitForSelector(`${DIALOG} ::-p-text(Continue without audio or video)`);
    await page.click(`${DIALOG} ::-p-text(Cancel)`);
    await page.waitForSelector(DIALOG, { hidden: true });
    expect((await view(code)).joiners[0]!.state).toBe('prejoin');
    expect(await textOf(page)).not.toContain('Someone will let you in shortly');
    await page.click(JOIN);
    await waitForText(page, 'Someone will let you in shortly');
    await waitJoiner(code, 'lobby');
  });

  it('never shows the modal with teamsAvModal none; toggles flip aria-checked', async () => {
    const { code, url } = await newMeeting({ open: true, recordingNotice: false });
    await toPrejoin(url);
    expect(await page.evaluate(() => (window as unknown as { __teamsSandbox: { avModal: string } }).__teamsSandbox.avModal)).toBe('none');
    const mute = '[data-tid="toggle-mute"]';
    expect(await page.$eval(mute, (t) => t.getAttribute('aria-checked'))).toBe('true');
    await page.click(mute);
    await page.waitForSelector(`${mute}[aria-checked="false"]`);
    await typeAndJoin('Recorder');
    await page.waitForSelector(HANGUP);
    expect(await page.$(DIALOG)).toBeNull();
    await waitJoiner(code, 'in_call');
  });

  it('waits for the host in the lobby screen until the meeting starts', async () => {
    const { code } = await toLobby({ started: false });
    await waitForText(page, "When the meeting starts, we'll let people know you're waiting.");
    await waitJoiner(code, 'waiting_host');
    await control(sandbox, 'POST', `/meetings/${code}/start`);
    await waitJoiner(code, 'lobby');
    await control(sandbox, 'POST', `/meetings/${code}/admit`, {});
    await page.waitForSelector(HANGUP);
  });

  it('cancels from the lobby', async () => {
    const { code } = await toLobby();
    await page.click('[data-tid="prejoin-cancel-button"]');
    await waitForText(page, 'You left the meeting');
    await waitJoiner(code, 'left');
  });

  it('shows the denial text', async () => {
    const { code } = await toLobby();
    await waitJoiner(code, 'lobby');
    await control(sandbox, 'POST', `/meetings/${code}/deny`, {});
    await waitForText(page, 'Sorry, but you were denied access to the meeting.');
  });

  it('shows the expiry text after lobbyTimeoutMs', async () => {
    await toLobby({ lobbyTimeoutMs: 1500 });
    await waitForText(page, 'Sorry, no one responded to your request to join this meeting.');
  });

  it('shows the removal retry screen', async () => {
    const { code } = await toCall({ recordingNotice: false });
    await control(sandbox, 'POST', `/meetings/${code}/remove`, {});
    const title = await page.waitForSelector('#calling-retry-screen-title');
    expect(await title!.evaluate((t) => t.textContent)).toBe("You've been removed from this meeting");
    for (const b of ['Rejoin', 'Dismiss']) expect(await page.$(`button::-p-text(${b})`)).not.toBeNull();
    expect(await page.$(HANGUP)).toBeNull();
  });

  it('shows "Meeting ended" when the meeting ends', async () => {
    const { code } = await toCall();
    await control(sandbox, 'POST', `/meetings/${code}/end`);
    await waitForText(page, 'Meeting ended');
    expect(await page.$(HANGUP)).toBeNull();
  });

  it('stops at the sign-in wall', async () => {
    const { url } = await newMeeting({ wall: 'sign_in' });
    page = await bot.newPage();
    await page.goto(url);
    await (await page.waitForSelector(ON_WEB_SELECTOR))!.click();
    await waitForText(page, 'You need to be signed in to Teams to access this meeting');
    const signIn = await page.waitForSelector('a[role="button"]::-p-text(Sign in)');
    expect(await signIn!.evaluate((a) => a.getAttribute('href'))).toMatch(/^https:\/\/login\.microsoftonline\.com\//);
    expect(await page.$(NAME)).toBeNull();
  });

  it('stops at the captcha wall', async () => {
    const { url } = await newMeeting({ wall: 'captcha' });
    page = await bot.newPage();
    await page.goto(url);
    await (await page.waitForSelector(ON_WEB_SELECTOR))!.click();
    await waitForText(page, "Verify you're a real person");
    expect(await page.$('iframe[title="Visual challenge"]')).not.toBeNull();
    expect(await page.$(NAME)).toBeNull();
    expect(await page.$('button')).toBeNull();
  });

  it('says the URL is incorrect for unknown meetings in every link form', async () => {
    const { url } = await newMeeting();
    const otherThread = url.replace(/meeting_[A-Za-z0-9]+/, 'meeting_ZmZmZmZmZmZmLTAwMDAtNDAwMC04MDAwLTAwMDAwMDAwMDAwMA');
    const forms = [
      'https://teams.microsoft.com/meet/999999999999?p=nope',
      otherThread,
      'https://teams.microsoft.com/v2/?meetingjoin=true#/l/meetup-join/19:meeting_garbage@thread.v2/0',
      'https://teams.microsoft.com/v2/',
    ];
    for (const form of forms) {
      page = await bot.newPage();
      await page.goto(form);
      await waitForText(page, BAD_URL);
      expect(await page.$(ON_WEB_SELECTOR)).toBeNull();
      await page.close();
    }
  });

  it('asks for a missing passcode on a meeting-ID link and refuses wrong ones', async () => {
    const { code, url } = await newMeeting({ passcode: 'Xy7pQ2', passcodeInUrl: false });
    expect(url).toBe(`https://teams.microsoft.com/meet/${code}`);
    await toPrejoin(url);
    const field = await page.waitForSelector(`${PASSCODE}[placeholder="Meeting passcode"][aria-label="Meeting passcode"]`);
    await typeAndJoin('Recorder');
    await waitForText(page, PASSCODE_ERROR);
    await field!.type('wrong1');
    await page.waitForSelector(`${JOIN}:not([disabled])`);
    await page.click(JOIN);
    await page.waitForFunction((sel: string) => !document.querySelector(sel)?.hasAttribute('disabled'), {}, JOIN);
    await waitForText(page, PASSCODE_ERROR);
    expect((await view(code)).joiners[0]!.state).toBe('prejoin');
    await field!.click({ count: 3 });
    await field!.type('Xy7pQ2');
    await page.click(JOIN);
    await waitForText(page, 'Someone will let you in shortly');
    await waitJoiner(code, 'lobby');
  });

  it('uses the hashed passcode in the link, and offers the field when the link carries a wrong one', async () => {
    const { code, url } = await newMeeting({ passcode: 'Xy7pQ2' });
    // As Teams writes it: the link's p= is not the passcode people type.
    expect(url).toMatch(new RegExp(`^https://teams\\.microsoft\\.com/meet/${code}\\?p=[\\w-]{18}$`));
    expect(url).not.toContain('Xy7pQ2');
    await toPrejoin(url.replace('teams.microsoft.com', 'teams.live.com'));
    expect(await page.$(PASSCODE)).toBeNull();
    await typeAndJoin('Recorder');
    await waitForText(page, 'Someone will let you in shortly');
    await page.close();

    await toPrejoin(`https://teams.microsoft.com/meet/${code}?p=nope`);
    await typeAndJoin('Recorder');
    await waitForText(page, PASSCODE_ERROR);
    await page.type(PASSCODE, 'Xy7pQ2');
    await page.click(JOIN);
    await waitForText(page, 'Someone will let you in shortly');
  });

  it('opens the same meeting from the meetup-join link, the /v2/ hash form and the launcher', async () => {
    const { code, url } = await newMeeting();
    const rest = url.slice('https://teams.microsoft.com'.length); // /l/meetup-join/...
    const forms = [
      url,
      `https://teams.microsoft.com/v2/?meetingjoin=true#${rest}&anon=true`,
      `https://teams.microsoft.com/dl/launcher/launcher.html?url=${encodeURIComponent(`/_#${rest}`)}&type=meetup-join`,
      `https://teams.cloud.microsoft/dl/launcher/launcher.html?url=/_#${rest}`,
    ];
    for (const [i, form] of forms.entries()) {
      await toPrejoin(form);
      await typeAndJoin(`Recorder ${i}`);
      await waitForText(page, 'Someone will let you in shortly');
      await page.close();
    }
    const joiners = (await view(code)).joiners.filter((j) => j.name !== '');
    expect(joiners.map((j) => j.name)).toEqual(forms.map((_f, i) => `Recorder ${i}`));
  });
});

/** Run inside a network namespace that has nothing but lo (see media.test.ts). */
describe.skipIf(!loOnly)('Teams imitation with a synthetic participant (lo-only namespace)', { timeout: 90_000 }, () => {
  let sandbox: Sandbox;
  let bot: Browser;
  let close: () => Promise<void>;

  beforeAll(async () => ({ sandbox, bot, close } = await startSandboxWithBot()));
  afterAll(() => close?.());

  it('plays a speaking participant’s tone and outlines its tile only while it speaks', async () => {
    const { code, url } = (await control<Created>(sandbox, 'POST', '/meetings', { platform: 'teams', open: true, teamsAvModal: 'none' })).body;
    const alice = (await control<{ id: string }>(sandbox, 'POST', `/meetings/${code}/participants`, { name: 'Alice', toneHz: 440, speaking: true })).body.id;
    const page = await bot.newPage();
    await page.evaluateOnNewDocument(() => {
      const Native = window.RTCPeerConnection;
      const all: RTCPeerConnection[] = [];
      (window as unknown as { __pcs: RTCPeerConnection[] }).__pcs = all;
      window.RTCPeerConnection = function (...args: ConstructorParameters<typeof RTCPeerConnection>) {
        const pc = new Native(...args);
        all.push(pc);
        return pc;
      } as unknown as typeof RTCPeerConnection;
      window.RTCPeerConnection.prototype = Native.prototype;
    });
    await page.goto(url);
    await (await page.waitForSelector(ON_WEB_SELECTOR))!.click();
    await page.type(NAME, 'Recorder');
    await page.click(JOIN);
    await control(sandbox, 'GET', `/meetings/${code}/wait?peersConnected=1&timeoutMs=30000`);
    const audioBytes = (): Promise<number> => page.evaluate(async () => {
      let bytes = 0;
      for (const pc of (window as unknown as { __pcs: RTCPeerConnection[] }).__pcs) {
        (await pc.getStats()).forEach((r: { type: string; kind: string; bytesReceived?: number }) => {
          if (r.type === 'inbound-rtp' && r.kind === 'audio') bytes += r.bytesReceived ?? 0;
        });
      }
      return bytes;
    });
    await expect.poll(audioBytes, { timeout: 20_000, interval: 250 }).toBeGreaterThan(0);
    expect(await page.$$eval('audio', (els) => els.filter((a) => (a.srcObject as MediaStream | null)?.getAudioTracks().length).length)).toBe(1);
    const outline = '[data-stream-type="Video"][data-tid="Alice"] [data-tid="voice-level-stream-outline"]';
    await page.waitForSelector(outline, { visible: true, timeout: 10_000 });
    await control(sandbox, 'POST', `/meetings/${code}/participants/${alice}/speak`, { on: false });
    await page.waitForSelector(outline, { hidden: true, timeout: 10_000 });
    await page.close();
  });
});
