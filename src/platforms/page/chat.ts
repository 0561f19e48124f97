import { setTimeout as delay } from 'node:timers/promises';
import type { Page } from 'puppeteer-core';
import type { Logger } from 'pino';
import { clickIfPresent, clickRevealing, clickWhenPresent, findElement, type ClickTarget } from './page-kit.js';

/** Where a platform keeps its meeting chat. Enter sends on all three, as a person would. */
export interface ChatSpec {
  /** Opens the chat panel, and closes it when pressed again. */
  toggle: ClickTarget;
  /** The message box: a textarea or a contenteditable editor. */
  input: readonly string[];
  /** For toolbars that hide while the pointer is still (Zoom's footer). */
  reveal?: ClickTarget;
}

const BOX_TIMEOUT_MS = 5_000;
/** Generous: a send that is only slow must not be counted as failed and sent again. */
const SENT_TIMEOUT_MS = 5_000;

/** A newline would be Enter: the message would go out in pieces. */
export function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/**
 * Sends `text` to everyone in the meeting chat: opens the panel when its box is not showing,
 * types it with real keystrokes, sends it with Enter, and closes the panel again if it opened it
 * (an open panel narrows the recorded picture). True once the box emptied: the page took it.
 */
export async function postChatMessage(page: Page, spec: ChatSpec, text: string, log: Logger): Promise<boolean> {
  const box: ClickTarget = { selectors: spec.input };
  const line = oneLine(text);
  const toggle = (): Promise<boolean> => (spec.reveal ? clickRevealing(page, spec.toggle, spec.reveal) : clickIfPresent(page, spec.toggle));
  const opened = !(await findAndDispose(page, box)) && (await toggle());
  try {
    // Clicking the box focuses it; the panel may still be sliding in.
    if (!(await clickWhenPresent(page, box, BOX_TIMEOUT_MS))) {
      log.warn({ opened }, 'chat: the message box did not show');
      return false;
    }
    await clearFocused(page); // a draft left by an earlier try would be sent with it
    await page.keyboard.type(line);
    await page.keyboard.press('Enter');
    const sent = await emptied(page, box);
    if (!sent) await clearFocused(page).catch(() => undefined);
    return sent;
  } finally {
    if (opened) await toggle().catch(() => false);
  }
}

async function clearFocused(page: Page): Promise<void> {
  await page.keyboard.down('Control');
  await page.keyboard.press('KeyA');
  await page.keyboard.up('Control');
  await page.keyboard.press('Backspace');
}

async function findAndDispose(page: Page, target: ClickTarget): Promise<boolean> {
  const el = await findElement(page, target);
  await el?.dispose();
  return !!el;
}

/** The box is empty again (or gone with its panel) once the page has sent what it held. */
async function emptied(page: Page, box: ClickTarget): Promise<boolean> {
  const until = Date.now() + SENT_TIMEOUT_MS;
  for (;;) {
    const el = await findElement(page, box);
    if (!el) return true;
    const held = await el.evaluate((e) => ('value' in e ? String((e as HTMLTextAreaElement).value) : (e.textContent ?? '')).trim()).finally(() => el.dispose());
    if (held === '') return true;
    if (Date.now() > until) return false;
    await delay(100);
  }
}
