/// <reference lib="dom" />
// page.evaluate callbacks run in the browser, so these tests type-check against the DOM too.
import { networkInterfaces } from 'node:os';
import type { Browser, Frame, Page } from 'puppeteer-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { MeetingView, Sandbox } from '../../src/sandbox/index.js';
import { encryptedPasscode } from '../../src/sandbox/zoom/index.js';
import { control, startSandboxWithBot } from './helpers.js';

type NameField = 'react' | 'classic';
const NAME_INPUT: Record<NameField, string> = { react: '#input-for-name', classic: '#inputname' };
const JOIN_BUTTON: Record<NameField, string> = { react: 'button.preview-join-button', classic: '#joinBtn' };
const MODAL_TITLE = '.zm-modal-body-title';
const SPEAKER_NAME = '.speaker-active-container__video-frame .video-avatar__avatar-footer span';

/** The document the web client runs in: `iframe#webclient`'s, or the page itself. */
async function clientOf(page: Page): Promise<Frame> {
  const frame = await page.$('iframe#webclient');
  if (!frame) return page.mainFrame();
  const inner = await frame.contentFrame();
  if (!inner) throw new Error('iframe#webclient has no frame');
  return inner;
}

async function waitForText(frame: Frame, text: string, timeout = 15_000): Promise<void> {
  await frame.waitForFunction((t: string) => document.body.innerText.includes(t), { timeout }, text);
}

/** Media needs a lo-only namespace: unshare -n bash -c 'ip link set lo up && npx vitest run test/sandbox/zoom.test.ts' */
const loOnly = Object.keys(networkInterfaces()).every((name) => name === 'lo');

/** The bot's pre-join: real keystrokes into the variant's name field, then its Join button. */
async function typeNameAndJoin(frame: Frame, field: NameField, name: string): Promise<void> {
  await frame.waitForSelector(NAME_INPUT[field], { visible: true });
  await frame.type(NAME_INPUT[field], name);
  await frame.waitForSelector(`${JOIN_BUTTON[field]}:not([disabled])`);
  await frame.click(JOIN_BUTTON[field]);
}

describe('Zoom imitation', { timeout: 60_000 }, () => {
  let sandbox: Sandbox;
  let bot: Browser;
  let close: () => Promise<void>;
  let page: Page;

  beforeAll(async () => ({ sandbox, bot, close } = await startSandboxWithBot()));
  afterAll(() => close?.());
  afterEach(async () => page?.close().catch(() => undefined));

  const newMeeting = async (body: object = {}): Promise<{ code: string; url: string }> => {
    const res = await control<{ code: string; url: string }>(sandbox, 'POST', '/meetings', { platform: 'zoom', ...body });
    expect(res.status).toBe(201);
    return res.body;
  };
  const joinerStates = async (code: string): Promise<string[]> =>
    (await control<MeetingView>(sandbox, 'GET', `/meetings/${code}`)).body.joiners.map((j) => j.state);
  const waitJoiner = async (code: string, state: string): Promise<void> => {
    expect((await control(sandbox, 'GET', `/meetings/${code}/wait?joiner=${state}&timeoutMs=10000`)).status).toBe(200);
  };
  const open = async (url: string): Promise<Frame> => {
    page = await bot.newPage();
    expect((await page.goto(url))?.status()).toBe(200);
    return clientOf(page);
  };
  /** Joins a meeting without prompts and returns the client once the joiner reached `state`. */
  const joinTo = async (code: string, state: string, field: NameField = 'react'): Promise<Frame> => {
    const frame = await open(`https://app.zoom.us/wc/${code}/join`);
    await typeNameAndJoin(frame, field, 'Recorder');
    await waitJoiner(code, state);
    return frame;
  };

  it('builds 11-digit codes and links whose pwd is an encrypted form of the passcode', async () => {
    const { code, url } = await newMeeting({ passcode: '584706' });
    expect(code).toMatch(/^[1-9]\d{10}$/);
    expect(url).toBe(`https://us05web.zoom.us/j/${code}?pwd=${encryptedPasscode(code, '584706')}`);
    expect(url).not.toContain('584706');
    expect((await newMeeting({ passcode: '584706', passcodeInUrl: false })).url).toMatch(/^https:\/\/us05web\.zoom\.us\/j\/\d{11}$/);
  });

  it('shows the landing page whose browser link sits under the cookie banner until accepted', async () => {
    const { code, url } = await newMeeting({ passcode: '584706', permissionPrompt: false });
    const context = await bot.createBrowserContext(); // no consent cookie yet
    try {
      page = await context.newPage();
      expect((await page.goto(url))?.status()).toBe(200);
      const text = await page.evaluate(() => document.body.innerText);
      for (const t of ['Click Launch Meeting below', 'Launch Meeting', 'Download Now', 'Join from your browser']) expect(text).toContain(t);
      await page.waitForSelector('#onetrust-banner-sdk button#onetrust-accept-btn-handler::-p-text(Accept Cookies)', { visible: true });
      expect(await page.$eval('a::-p-text(Join from your browser)', (a) => { // the banner is on top of the link
        const r = a.getBoundingClientRect();
        return !!document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2)?.closest('#onetrust-banner-sdk');
      })).toBe(true);
      await page.click('#onetrust-accept-btn-handler');
      await page.waitForSelector('#onetrust-banner-sdk', { hidden: true });
      await Promise.all([page.waitForNavigation(), page.click('a::-p-text(Join from your browser)')]);
      const target = new URL(page.url());
      expect(target.pathname).toBe(`/wc/join/${code}`);
      expect(target.searchParams.get('pwd')).toBe(encryptedPasscode(code, '584706'));
      const frame = await clientOf(page);
      await frame.waitForSelector('#input-for-name');
      expect(await frame.$('input[placeholder*="passcode" i]')).toBeNull();
      await page.goto(url);
      await page.waitForSelector('::-p-text(Launch Meeting)');
      expect(await page.$('#onetrust-banner-sdk')).toBeNull(); // consent remembered
      // "Launch Meeting" tries zoommtg:// (in headless Chromium the tab may then ignore input): a dead end.
      await page.click('button::-p-text(Launch Meeting)');
      expect(new URL(page.url()).pathname).toBe(`/j/${code}`);
    } finally {
      await context.close();
    }
  });

  it('answers unknown meeting ids with an error page', async () => {
    for (const url of ['https://zoom.us/j/12345678901', 'https://app.zoom.us/wc/12345678901/join', 'https://us05web.zoom.us/wc/join/98765432109']) {
      const frame = await open(url);
      expect(await page.title()).toBe('Error - Zoom');
      await waitForText(frame, 'Invalid meeting ID. Please check and try again.');
      await page.close();
    }
  });

  it('reaches the preview in the iframe and top-level clients with either name field', async () => {
    for (const zoomClient of ['iframe', 'top'] as const) {
      for (const zoomNameField of ['react', 'classic'] as const) {
        const { code } = await newMeeting({ zoomClient, zoomNameField, permissionPrompt: false });
        const frame = await open(`https://us05web.zoom.us/wc/join/${code}`);
        expect(await page.title()).toBe('Zoom');
        expect(!!(await page.$('iframe#webclient'))).toBe(zoomClient === 'iframe');
        const other = zoomNameField === 'react' ? 'classic' : 'react';
        await frame.waitForSelector(NAME_INPUT[zoomNameField], { visible: true });
        expect(await frame.$(NAME_INPUT[other])).toBeNull();
        expect(await frame.$eval(JOIN_BUTTON[zoomNameField], (b) => (b as HTMLButtonElement).disabled)).toBe(true);
        if (zoomNameField === 'classic') expect(await frame.$('#inputname[placeholder="Your Name"]')).not.toBeNull();
        await typeNameAndJoin(frame, zoomNameField, 'Recorder');
        await waitJoiner(code, 'lobby');
        await page.close();
      }
    }
  });

  it('keeps the React Join button disabled until real input events carry a name', async () => {
    const { code } = await newMeeting({ permissionPrompt: false });
    const frame = await open(`https://app.zoom.us/wc/${code}/join`);
    const join = 'button.preview-join-button';
    await frame.waitForSelector(`${join}.disabled[disabled]`);
    await frame.$eval('#input-for-name', (i) => {
      (i as HTMLInputElement).value = 'Scripted';
      i.dispatchEvent(new Event('input', { bubbles: true }));
    });
    expect(await frame.$eval(join, (b) => b.classList.contains('disabled') && (b as HTMLButtonElement).disabled)).toBe(true);
    await frame.$eval('#input-for-name', (i) => { (i as HTMLInputElement).value = ''; });
    await frame.type('#input-for-name', 'Recorder');
    await frame.waitForSelector(`${join}:not(.disabled):not([disabled])`);
    for (const [id, on, off] of [['#preview-audio-control-button', 'Mute', 'Unmute'], ['#preview-video-control-button', 'Stop Video', 'Start Video']] as const) {
      expect(await frame.$eval(id, (b) => b.getAttribute('aria-label'))).toBe(on);
      await frame.click(id);
      expect(await frame.$eval(id, (b) => b.getAttribute('aria-label'))).toBe(off);
    }
  });

  it('asks for permissions twice, both dialogs offering Allow and Continue without', async () => {
    const { code } = await newMeeting();
    const frame = await open(`https://app.zoom.us/wc/${code}/join`);
    const dialog = 'div[role="dialog"][aria-modal="true"]';
    const first = await frame.waitForSelector(`${dialog} ::-p-text(Continue without microphone and camera)`);
    const firstTitle = await frame.$eval(`${dialog} h2`, (h) => h.textContent);
    expect(await frame.$(`${dialog} button::-p-text(Allow)`)).not.toBeNull();
    await first!.click();
    await frame.waitForFunction((d: string, t: string) => document.querySelector(`${d} h2`)?.textContent !== t
      && !!document.querySelector(d), {}, dialog, firstTitle ?? '');
    expect(await frame.$$(dialog)).toHaveLength(1);
    expect(await frame.$(`${dialog} ::-p-text(Continue without microphone and camera)`)).not.toBeNull();
    await frame.click(`${dialog} button::-p-text(Allow)`);
    await frame.waitForSelector(dialog, { hidden: true });
    expect(await frame.$eval('#preview-audio-control-button', (b) => b.getAttribute('aria-label'))).toBe('Unmute');
    expect(await frame.$eval('#preview-video-control-button', (b) => b.getAttribute('aria-label'))).toBe('Start Video');
    await typeNameAndJoin(frame, 'react', 'Recorder');
    await waitJoiner(code, 'lobby');
  });

  it('asks for the passcode when the link has none, refuses a wrong one, accepts the right one', async () => {
    const { code } = await newMeeting({ passcode: '584706', passcodeInUrl: false, permissionPrompt: false });
    const frame = await open(`https://us05web.zoom.us/wc/join/${code}`);
    await waitForText(frame, 'Enter Meeting Info');
    const pwd = 'input[placeholder*="passcode" i]';
    expect(await frame.$('input[placeholder="Meeting Passcode"]')).not.toBeNull();
    expect(await frame.$('#preview-audio-control-button')).toBeNull();
    await frame.type(pwd, '111111');
    await typeNameAndJoin(frame, 'react', 'Recorder');
    await waitForText(frame, 'Passcode wrong');
    expect(await joinerStates(code)).toEqual(['prejoin']);
    await frame.click(pwd, { count: 3 });
    await frame.type(pwd, '584706');
    await frame.click(JOIN_BUTTON.react);
    await waitForText(frame, 'Please wait, the meeting host will let you in soon.');
    expect(await joinerStates(code)).toEqual(['lobby']);
    await page.close();

    const wrongLink = await open(`https://us05web.zoom.us/wc/join/${code}?pwd=bm90LXRoZS1yaWdodC1vbmU.1`);
    await waitForText(wrongLink, 'Enter Meeting Info');
    await page.close();

    const rightLink = await open(`https://app.zoom.us/wc/${code}/join?pwd=${encryptedPasscode(code, '584706')}`);
    await rightLink.waitForSelector('#preview-audio-control-button');
    expect(await rightLink.$('input[placeholder*="passcode" i]')).toBeNull();
    await typeNameAndJoin(rightLink, 'react', 'Second');
    await waitForText(rightLink, 'Please wait, the meeting host will let you in soon.');
  });

  it('waits for the host to start, then moves on to the waiting room and the call', async () => {
    const { code } = await newMeeting({ started: false, permissionPrompt: false });
    const frame = await joinTo(code, 'waiting_host');
    await waitForText(frame, 'Waiting for the host to start this meeting');
    await waitForText(frame, "Sandbox Host's Zoom Meeting");
    expect((await control(sandbox, 'POST', `/meetings/${code}/start`)).status).toBe(200);
    await waitForText(frame, 'Please wait, the meeting host will let you in soon.');
    await waitForText(frame, "Host has joined. We've let them know you're here");
    expect(await frame.$('button[aria-label="Leave"]')).toBeNull();
    await control(sandbox, 'POST', `/meetings/${code}/admit`, {});
    await frame.waitForSelector('button[aria-label="Leave"]');
    await waitForText(frame, '1 participants');
    expect(await frame.$eval(SPEAKER_NAME, (s) => s.textContent)).toBe('Recorder');
    expect(await frame.$('.video-avatar--self[data-participant-id] .video-avatar__avatar-footer span')).not.toBeNull();
    expect(await frame.$('::-p-text(Please wait, the meeting host)')).toBeNull();
    await frame.waitForSelector('div[role="dialog"] ::-p-text(This meeting is being recorded)'); // "Join Audio" comes after it
    expect(await frame.$('::-p-text(Join Audio by Computer)')).toBeNull();
    await frame.click('div[role="dialog"] button::-p-text(Got it)');
    await frame.waitForSelector('button::-p-text(Join Audio by Computer)');
    // The footer hides while the pointer is still and comes back when it moves over the call.
    await frame.waitForSelector('#wc-footer.footer--hidden', { timeout: 10_000 }); // visibility: hidden
    await page.mouse.move(400, 200, { steps: 3 });
    await frame.waitForSelector('#wc-footer:not(.footer--hidden)');
  });

  it('shows error 3,001 for a meeting not started, and the preview after a reload once started', async () => {
    const { code } = await newMeeting({ started: false, zoomNotStarted: 'error_3001', permissionPrompt: false });
    const frame = await open(`https://app.zoom.us/wc/${code}/join`);
    expect(await page.title()).toBe('Error - Zoom');
    expect(await frame.title()).toBe('Error - Zoom');
    await waitForText(frame, 'This meeting link is invalid (3,001)');
    expect(await frame.$('#input-for-name')).toBeNull();
    await control(sandbox, 'POST', `/meetings/${code}/start`);
    await page.reload();
    const again = await clientOf(page);
    await again.waitForSelector('#input-for-name');
    expect(await page.title()).toBe('Zoom');
  });

  it('tells denied, removed and ended joiners why, in Zoom’s modal', async () => {
    const cases = [
      { options: {}, field: 'react', state: 'lobby', action: 'deny', text: 'The host has removed you from the waiting room' },
      { options: { open: true, zoomNameField: 'classic' }, field: 'classic', state: 'in_call', action: 'remove', text: 'You have been removed from this meeting' },
      { options: { open: true }, field: 'react', state: 'in_call', action: 'end', text: 'This meeting has been ended by host' },
    ] as const;
    for (const c of cases) {
      const { code } = await newMeeting({ ...c.options, permissionPrompt: false });
      const frame = await joinTo(code, c.state, c.field);
      await control(sandbox, 'POST', `/meetings/${code}/${c.action}`, {});
      await frame.waitForSelector(`${MODAL_TITLE}::-p-text(${c.text})`);
      expect(await frame.$('button[aria-label="Leave"]')).toBeNull();
      await page.close();
      if (c.action !== 'end') continue;
      // Opened after the end: straight to the same modal.
      await (await open(`https://app.zoom.us/wc/${code}/join`)).waitForSelector(`${MODAL_TITLE}::-p-text(${c.text})`);
    }
  });

  it('shows the sign-in wall instead of the pre-join', async () => {
    const { code } = await newMeeting({ wall: 'sign_in' });
    const frame = await open(`https://app.zoom.us/wc/${code}/join`);
    await waitForText(frame, 'Sign in to join this meeting');
    await waitForText(frame, 'Only authenticated users can join');
    expect(await frame.$eval('a::-p-text(Sign In)', (a) => (a as HTMLAnchorElement).href)).toBe('https://zoom.us/signin');
    expect(await frame.$('#input-for-name')).toBeNull();
    expect(await frame.$('div[role="dialog"]')).toBeNull();
  });

  it('walls off the bot after Join with a reCAPTCHA and no way forward', async () => {
    const { code } = await newMeeting({ wall: 'captcha', permissionPrompt: false });
    const frame = await open(`https://app.zoom.us/wc/${code}/join`);
    await typeNameAndJoin(frame, 'react', 'Recorder');
    await waitForText(frame, "We detected you may be a bot. Automated bots aren't allowed to join this meeting.");
    expect(await frame.$('iframe[title="reCAPTCHA"]')).not.toBeNull();
    expect(await frame.$('#input-for-name')).toBeNull();
    expect(await frame.$('button')).toBeNull();
    expect(await joinerStates(code)).toEqual(['prejoin']);
  });

  it('in the call: toast, computer audio, chat, and a Leave dialog that Enter cancels', async () => {
    const { code } = await newMeeting({ open: true, recordingNotice: false });
    const frame = await open(`https://app.zoom.us/wc/${code}/join`);
    for (let i = 0; i < 2; i += 1) {
      await frame.click('div[role="dialog"] ::-p-text(Continue without microphone and camera)');
    }
    await typeNameAndJoin(frame, 'react', 'Recorder');
    await waitForText(frame, 'Cannot detect your camera/microphone');
    await frame.click('button::-p-text(Join Audio by Computer)');
    await frame.waitForSelector('button::-p-text(Join Audio by Computer)', { hidden: true });
    expect(await frame.$('#wc-footer button[aria-label="unmute my microphone"]')).not.toBeNull();

    await frame.click('button[aria-label*="chat panel"]');
    await frame.click('.tiptap.ProseMirror[contenteditable]');
    await frame.type('.tiptap.ProseMirror[contenteditable]', 'Recording has started');
    await frame.click('button[aria-label="send"]');
    await frame.waitForSelector('[id^="chat-message-"] ::-p-text(Recording has started)');

    await frame.click('button[aria-label="Leave"]');
    await frame.waitForSelector('button.leave-meeting-options__btn--danger::-p-text(Leave Meeting)');
    await page.keyboard.press('Enter');
    await frame.waitForSelector('button.leave-meeting-options__btn--danger', { hidden: true });
    expect(await joinerStates(code)).toEqual(['in_call']);
    await frame.click('button[aria-label="Leave"]');
    await frame.click('button.leave-meeting-options__btn--danger');
    await waitForText(frame, 'You left the meeting');
    await waitJoiner(code, 'left');
    expect(await frame.evaluate(() => document.body.innerText)).not.toContain('participants');
  });

  // WebRTC must stay on loopback: this one runs only in a network namespace with nothing but lo.
  it.skipIf(!loOnly)('shows the speaker and tiles, and plays audio only after "Join Audio by Computer"', { timeout: 90_000 }, async () => {
    const { code } = await newMeeting({ open: true, permissionPrompt: false, recordingNotice: false });
    const add = (p: object): Promise<{ body: { id: string } }> => control<{ id: string }>(sandbox, 'POST', `/meetings/${code}/participants`, p);
    const [alice, bob] = await Promise.all([add({ name: 'Alice', toneHz: 440, speaking: true }), add({ name: 'Bob', toneHz: 660 })]);
    const frame = await open(`https://app.zoom.us/wc/${code}/join`);
    await typeNameAndJoin(frame, 'react', 'Recorder');
    expect((await control(sandbox, 'GET', `/meetings/${code}/wait?peersConnected=2&timeoutMs=30000`)).status).toBe(200);

    await waitForText(frame, '3 participants');
    await frame.waitForFunction((sel: string) => document.querySelector(sel)?.textContent === 'Alice', {}, SPEAKER_NAME);
    const tile = (id: string): string => `.video-avatar__avatar[data-participant-id="${id}"] .video-avatar__avatar-footer span`;
    expect(await frame.$eval(tile(alice.body.id), (s) => s.textContent)).toBe('Alice');
    expect(await frame.$eval(tile(bob.body.id), (s) => s.textContent)).toBe('Bob');
    expect(await frame.$$('audio')).toHaveLength(0); // nothing heard before joining computer audio

    await frame.click('button::-p-text(Join Audio by Computer)');
    await frame.waitForFunction(() => [...document.querySelectorAll('audio')]
      .filter((a) => (a.srcObject as MediaStream | null)?.getAudioTracks().some((t) => t.readyState === 'live')).length === 2);
    const flowing = (): Promise<{ audio: number; video: number }> => frame.evaluate(async () => {
      const out = { audio: 0, video: 0 };
      type Sandboxed = { __zoomSandbox: { joiner: { peers: Map<string, { pc: RTCPeerConnection }> } } };
      for (const { pc } of (window as unknown as Sandboxed).__zoomSandbox.joiner.peers.values()) {
        (await pc.getStats()).forEach((r: { type: string; kind: string; bytesReceived?: number; framesDecoded?: number }) => {
          if (r.type !== 'inbound-rtp') return;
          if (r.kind === 'audio' && (r.bytesReceived ?? 0) > 0) out.audio += 1;
          if (r.kind === 'video' && (r.framesDecoded ?? 0) > 0) out.video += 1;
        });
      }
      return out;
    });
    await expect.poll(flowing, { timeout: 20_000, interval: 250 }).toEqual({ audio: 2, video: 2 });

    await Promise.all([
      control(sandbox, 'POST', `/meetings/${code}/participants/${bob.body.id}/speak`, { on: true }),
      control(sandbox, 'POST', `/meetings/${code}/participants/${alice.body.id}/speak`, { on: false }),
    ]);
    await frame.waitForFunction((sel: string) => document.querySelector(sel)?.textContent === 'Bob', {}, SPEAKER_NAME);
  });
});
