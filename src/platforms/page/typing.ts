import type { Page } from 'puppeteer-core';
import { findElement } from './page-kit.js';

/**
 * Makes the first visible field matching `selectors` hold `value`, with real keystrokes: the
 * platforms enable their Join buttons from input events, never from a script setting `.value`.
 * Returns true when it typed, false when the field is absent or already holds the value.
 */
export async function typeInto(page: Page, selectors: readonly string[], value: string): Promise<boolean> {
  const field = await findElement(page, { selectors });
  if (!field) return false;
  try {
    // An anonymous arrow: tsx adds `__name` helpers only to named functions, which the page lacks.
    const current = await field.evaluate((el) => (el as HTMLInputElement).value ?? '');
    if (current === value) return false;
    await field.click({ count: 3 });
    if (current !== '') await page.keyboard.press('Backspace');
    await field.type(value, { delay: 15 });
    return true;
  } finally {
    await field.dispose();
  }
}
