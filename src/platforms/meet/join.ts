import type { Page } from 'puppeteer-core';
import type { JoinOptions, PageProbe } from '../platform.js';
import { clickIfPresent } from '../page/page-kit.js';
import { typeInto } from '../page/typing.js';
import { runJoinLoop } from '../page/join-loop.js';
import { openMeetingPage } from '../page/navigation.js';
import { CAMERA_OFF, JOIN_BUTTON, MEET_PROBE, MIC_OFF, NAME_INPUT, PRE_JOIN_DIALOGS } from './selectors.js';

export async function joinMeet(page: Page, opts: JoinOptions): Promise<void> {
  await openMeetingPage(page, opts.meeting);
  await runJoinLoop(page, opts, MEET_PROBE, (p, probe) => step(p, probe, opts.botName));
}

async function step(page: Page, _probe: PageProbe, botName: string): Promise<string | null> {
  if (await clickIfPresent(page, PRE_JOIN_DIALOGS)) return 'dismissed pre-join dialog';
  if (await typeInto(page, NAME_INPUT, botName)) return 'typed bot name';
  // The bot never sends audio or video into the meeting.
  if (await clickIfPresent(page, MIC_OFF)) return 'turned microphone off';
  if (await clickIfPresent(page, CAMERA_OFF)) return 'turned camera off';
  if (await clickIfPresent(page, JOIN_BUTTON)) return 'asked to join';
  return null;
}
