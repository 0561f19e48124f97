import type { Page } from 'puppeteer-core';
import type { Logger } from 'pino';
import { clickIfPresent } from '../page/page-kit.js';
import { LEAVE_BUTTON, LOBBY_CANCEL } from './selectors.js';

export async function leaveTeams(page: Page, log: Logger): Promise<void> {
  if (await clickIfPresent(page, LEAVE_BUTTON)) return;
  if (await clickIfPresent(page, LOBBY_CANCEL)) {
    log.info('cancelled the lobby request');
    return;
  }
  log.info('no Leave button on the page; closing the browser leaves the call');
}
