import type { Page } from 'puppeteer-core';
import { MeetcapError } from '../../contracts/index.js';
import type { JoinOptions } from '../platform.js';
import { clickIfPresent, findElement, pageText } from '../page/page-kit.js';
import { runJoinLoop } from '../page/join-loop.js';
import { openMeetingPage } from '../page/navigation.js';
import { typeInto } from '../page/typing.js';
import {
  CAMERA_ON, COOKIE_ACCEPT, DISCLAIMER_AGREE, JOIN_BUTTON, JOIN_FROM_BROWSER, MIC_ON, NAME_INPUT, NOT_STARTED_ERROR, PASSCODE_INPUT,
  PASSCODE_WRONG, PERMISSION_DECLINE, ZOOM_PROBE,
} from './selectors.js';

/** How often the "invalid (3,001)" page is reloaded while waiting for the host. */
const NOT_STARTED_RELOAD_MS = 15_000;

export async function joinZoom(page: Page, opts: JoinOptions): Promise<void> {
  await openMeetingPage(page, opts.meeting);
  // Only a typed passcode can go in the field: the link's `pwd` is Zoom's encrypted form.
  const state: JoinState = { passcodeSubmitted: false, passcodeTyped: false, lastReload: Date.now() };
  await runJoinLoop(page, opts, ZOOM_PROBE, (p) => step(p, opts, state), {
    whileNotStarted: async (p) => {
      if (Date.now() - state.lastReload < NOT_STARTED_RELOAD_MS) return null;
      if (!(await pageText(p)).includes(NOT_STARTED_ERROR)) return null; // the waiting page polls by itself
      state.lastReload = Date.now();
      await p.reload({ waitUntil: 'domcontentloaded' });
      return 'reloaded the not-started page';
    },
  });
}

interface JoinState {
  /** Join was pressed with our passcode in the field: a "Passcode wrong" after that is Zoom's answer. */
  passcodeSubmitted: boolean;
  passcodeTyped: boolean;
  lastReload: number;
}

async function step(page: Page, opts: JoinOptions, state: JoinState): Promise<string | null> {
  if (await clickIfPresent(page, COOKIE_ACCEPT)) return 'accepted the cookie banner';
  if (await clickIfPresent(page, PERMISSION_DECLINE)) return 'continued without microphone and camera';
  if (await clickIfPresent(page, DISCLAIMER_AGREE)) return 'agreed to the meeting disclaimer';
  if (await clickIfPresent(page, JOIN_FROM_BROWSER)) return 'chose to join from the browser';
  const did = await enterPasscode(page, opts.passcode, state);
  if (did) return did;
  if (await typeInto(page, NAME_INPUT, opts.botName)) return 'typed bot name';
  if (await clickIfPresent(page, { selectors: MIC_ON })) return 'turned microphone off';
  if (await clickIfPresent(page, { selectors: CAMERA_ON })) return 'turned camera off';
  if (await clickIfPresent(page, JOIN_BUTTON)) {
    if (state.passcodeTyped) state.passcodeSubmitted = true;
    return 'pressed Join';
  }
  return null;
}

/**
 * "Enter Meeting Info". A stale link `pwd` lands here already saying "Passcode wrong", so that
 * text only counts once Join was pressed with the job's passcode; a field the page filled in
 * itself is left alone.
 */
async function enterPasscode(page: Page, passcode: string | undefined, state: JoinState): Promise<string | null> {
  const field = await findElement(page, { selectors: PASSCODE_INPUT });
  if (!field) return null;
  const value = await field.evaluate((el) => (el as HTMLInputElement).value ?? '');
  await field.dispose();
  const text = await pageText(page, ZOOM_PROBE.ignoreText);
  const refused = PASSCODE_WRONG.some((t) => text.includes(t));
  if (passcode === undefined) {
    if (value !== '') return null;
    throw new MeetcapError(refused ? 'passcode_wrong' : 'passcode_required', 'Zoom asks for the meeting passcode and the job has none');
  }
  if (state.passcodeSubmitted && refused) throw new MeetcapError('passcode_wrong', 'Zoom refused the meeting passcode');
  if (await typeInto(page, PASSCODE_INPUT, passcode)) {
    state.passcodeTyped = true;
    return 'typed the meeting passcode';
  }
  state.passcodeTyped = true;
  return null;
}
