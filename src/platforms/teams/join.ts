import type { Page } from 'puppeteer-core';
import { MeetcapError } from '../../contracts/index.js';
import type { JoinOptions, PageProbe } from '../platform.js';
import { clickIfPresent, findElement, pageText } from '../page/page-kit.js';
import { runJoinLoop } from '../page/join-loop.js';
import { openMeetingPage } from '../page/navigation.js';
import { typeInto } from '../page/typing.js';
import {
  CAMERA_ON, COMPUTER_AUDIO_OFF, JOIN_BUTTON, JOIN_IN_BROWSER, MIC_ON, NAME_INPUT, NO_AV_MODAL, PASSCODE_INPUT, PASSCODE_REJECTED, TEAMS_PROBE,
} from './selectors.js';

export async function joinTeams(page: Page, opts: JoinOptions): Promise<void> {
  await openMeetingPage(page, opts.meeting);
  // A short link's `p=` is the passcode hashed: the page reads it from the URL by itself, and typed
  // into the passcode field it is wrong. Only the job's passcode (as the invite shows it) is typed.
  const passcode = opts.passcode;
  const state: PasscodeState = { typed: false, submitted: false };
  await runJoinLoop(page, opts, TEAMS_PROBE, (p, probe) => step(p, probe, opts.botName, passcode, state));
}

/** Join pressed with our passcode in the field: a refusal after that is Teams' answer to it. */
interface PasscodeState {
  typed: boolean;
  submitted: boolean;
}

async function step(page: Page, _probe: PageProbe, botName: string, passcode: string | undefined, state: PasscodeState): Promise<string | null> {
  // Cleared first on every pass: the modal may sit over pre-join, or appear after Join now.
  if (await clickIfPresent(page, NO_AV_MODAL)) return 'continued without audio or video';
  if (await clickIfPresent(page, JOIN_IN_BROWSER)) return 'chose to join in the browser';
  if (await typeInto(page, NAME_INPUT, botName)) return 'typed bot name';
  const did = await enterPasscode(page, passcode, state);
  if (did) return did;
  if (await clickIfPresent(page, { selectors: MIC_ON })) return 'turned microphone off';
  if (await clickIfPresent(page, { selectors: CAMERA_ON })) return 'turned camera off';
  if (await clickIfPresent(page, COMPUTER_AUDIO_OFF)) return 'chose Computer audio';
  if (await clickIfPresent(page, JOIN_BUTTON)) {
    if (state.typed) state.submitted = true;
    return 'pressed Join now';
  }
  return null;
}

/** Meeting-ID joins: type the passcode; a refusal after Join was pressed with it is final. */
async function enterPasscode(page: Page, passcode: string | undefined, state: PasscodeState): Promise<string | null> {
  const field = await findElement(page, { selectors: PASSCODE_INPUT });
  if (!field) return null;
  const value = await field.evaluate((el) => (el as HTMLInputElement).value ?? '');
  await field.dispose();
  if (passcode === undefined) {
    if (value !== '') return null;
    throw new MeetcapError('passcode_required', 'Teams asks for the meeting passcode and the job has none');
  }
  const text = await pageText(page, TEAMS_PROBE.ignoreText);
  if (state.submitted && PASSCODE_REJECTED.some((t) => text.includes(t))) {
    throw new MeetcapError('passcode_wrong', 'Teams refused the meeting passcode');
  }
  state.typed = true;
  return (await typeInto(page, PASSCODE_INPUT, passcode)) ? 'typed the meeting passcode' : null;
}
