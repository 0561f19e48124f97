import type { Page } from 'puppeteer-core';
import type { Logger } from 'pino';
import { clickRevealing, clickWhenPresent } from '../page/page-kit.js';
import { LEAVE_BUTTON, LEAVE_CONFIRM, REVEAL_CONTROLS } from './selectors.js';

export async function leaveZoom(page: Page, log: Logger): Promise<void> {
  // The footer holding Leave hides while the pointer is still.
  if (!(await clickRevealing(page, LEAVE_BUTTON, REVEAL_CONTROLS))) {
    log.info('no Leave button on the page; closing the browser leaves the call');
    return;
  }
  // Clicked, never Enter: Enter cancels Zoom's leave dialog. Hosts' "End Meeting for All" is never chosen.
  if (await clickWhenPresent(page, LEAVE_CONFIRM, 2_000)) log.info('confirmed Leave Meeting');
}
