import type { Page } from 'puppeteer-core';
import type { Logger } from 'pino';
import { clickIfPresent, clickWhenPresent } from '../page/page-kit.js';
import { JUST_LEAVE, LEAVE_BUTTON } from './selectors.js';

export async function leaveMeet(page: Page, log: Logger): Promise<void> {
  if (!(await clickIfPresent(page, LEAVE_BUTTON))) {
    log.info('no Leave call button on the page; closing the browser leaves the call');
    return;
  }
  // Hosts get a "leave or end for everyone" choice; the bot never ends the meeting.
  if (await clickWhenPresent(page, JUST_LEAVE, 1_000)) log.info('chose to just leave');
}
