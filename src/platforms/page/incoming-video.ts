import type { Logger } from 'pino';
import type { Page } from 'puppeteer-core';
import { clickIfPresent, clickPath, moveOver, type ClickTarget } from './page-kit.js';

/** How long each step of a menu path may take to show up after the previous click. */
const STEP_TIMEOUT_MS = 2_000;

/** A platform's ways to its "no incoming video" control, tried in order (releases move it). */
export interface IncomingVideoSpec {
  paths: ReadonlyArray<readonly ClickTarget[]>;
  /** Where the pointer goes first: toolbars that hide until the mouse moves over the call. */
  reveal?: ClickTarget;
  /** Closes what the path left open (a settings dialog); Escape when absent or not found. */
  close?: ClickTarget;
}

/**
 * Asks the platform, with its own control, to stop sending the participants' video. Only for
 * audio-only bots: nobody sees their picture, and not receiving it saves decoding every tile.
 * Best effort: the recording does not depend on it, so a control that is not there is logged
 * and reported as false, never thrown.
 */
export async function turnOffIncomingVideo(page: Page, log: Logger, spec: IncomingVideoSpec): Promise<boolean> {
  for (const [path, steps] of spec.paths.entries()) {
    if (spec.reveal) await moveOver(page, spec.reveal);
    const missing = await clickPath(page, steps, STEP_TIMEOUT_MS);
    // Whatever the path opened (a menu, a settings dialog) must not sit over the call: the leave
    // button has to stay clickable.
    await dismiss(page, spec.close);
    if (missing === -1) {
      log.info({ path }, 'incoming video turned off');
      return true;
    }
    log.info({ path, missingStep: missing }, 'incoming-video control not found on this path');
  }
  log.warn('incoming video left on: no path to the platform control worked');
  return false;
}

/** Escape closes an open list or menu; a dialog that stays is closed with its own button. */
async function dismiss(page: Page, close: ClickTarget | undefined): Promise<void> {
  await page.keyboard.press('Escape');
  if (close) await clickIfPresent(page, close);
}
