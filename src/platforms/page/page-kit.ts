import { readFileSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
import type { ElementHandle, Page } from 'puppeteer-core';
import type { ReasonCode } from '../../contracts/index.js';
import type { PageProbe, Phase } from '../platform.js';

/**
 * Declarative page signals. Each platform describes its pages in `selectors.ts` with these
 * shapes; one in-page interpreter (page-kit.browser.js) reads them. Texts are matched
 * case-insensitively with curly quotes and ellipses folded, selectors must be visible to count.
 */
export interface Signal {
  texts?: readonly string[];
  selectors?: readonly string[];
  /**
   * Texts that count only inside a visible element matching `selector`: a screen's title whose
   * words a toast about someone else could also hold ("Removed from the meeting").
   */
  titles?: ReadonlyArray<{ selector: string; texts: readonly string[] }>;
}

/** A terminal or blocking page condition. Checked first, in order: put the most specific first. */
export interface OutcomeSignal extends Signal {
  reason: ReasonCode;
  phase: Phase;
  /** The page navigated to one of these hosts (e.g. a sign-in wall). */
  hosts?: readonly string[];
  /** The page's path starts with one of these (a sign-in page on the meeting host itself). */
  paths?: readonly string[];
}

export interface TileSpec {
  tile: string;
  /** A stable per-participant id on the tile; without one the display name is the id. */
  idAttribute?: string;
  /** A tile attribute holding the display name (Teams' `data-tid`). */
  nameAttribute?: string;
  /** Selectors (inside the tile, or the tile itself) whose text or `selfNameAttribute` is the display name. */
  name?: readonly string[];
  selfNameAttribute?: string;
  /** Matches the bot's own tile (besides a tile carrying the bot's display name). */
  self: readonly string[];
  /** Numeric attribute, non-zero while the participant is speaking. */
  speakingAttribute?: string;
  /** Matches the tile, or a visible element inside it, while the participant is speaking. */
  speakingSelector?: string;
}

/** An element whose number counts the people in the call, the bot included. */
export interface HeadcountSpec {
  selector: string;
  /** Read the first number of this attribute instead of the element's text. */
  attribute?: string;
  /** Also read while hidden (a toolbar that hides itself); otherwise only a shown element counts. */
  hidden?: boolean;
}

export interface ProbeSpec {
  outcomes: readonly OutcomeSignal[];
  /** Containers of text people typed or said (chat, captions): never read as page state. */
  ignoreText?: readonly string[];
  /** Texts that mark someone's message wherever it shows (a chat toast): the message around one is never read as page state. */
  ignoreMessagesWith?: readonly string[];
  waitingRoom: Signal;
  /** The page lost its connection and is trying again ("Trying to reconnect"): the call may come back. */
  reconnecting?: Signal;
  /** The page says the bot is out of the meeting without saying why ("You left the meeting"). */
  left?: Signal;
  /**
   * In-call needs at least `minSignals` of these visible: signals that never exist in a lobby.
   * One entry is one signal; a CSS selector list (`a, b`) names one signal shown in several ways.
   */
  inCall: {
    selectors: readonly string[];
    minSignals: number;
    /**
     * Signals that count when merely in the page, shown or hidden: a toolbar that hides itself
     * while the pointer is still. Only for controls no lobby or pre-join page has.
     */
    mounted?: readonly string[];
  };
  /**
   * Signs that others are in the call when no tile shows them (a screen share filling the view,
   * a hidden thumbnail strip): the page's headcount, someone presenting. Read only in the call.
   */
  headcount?: readonly HeadcountSpec[];
  presenting?: Signal;
  prejoin: Signal;
  dialogs: ReadonlyArray<Signal & { name: string }>;
  tiles: TileSpec;
}

export interface ClickTarget extends Signal {
  /** CSS for the elements whose text/aria-label is compared with `texts`. */
  roles?: string;
  /** Also accept a label that contains one of `texts` (after no exact match): icon ligatures, hints. */
  partial?: boolean;
}

const KIT_SOURCE = readFileSync(new URL('./page-kit.browser.js', import.meta.url), 'utf8')
  .trim()
  .replace(/;$/, '');

/** `pierce`: also look inside the page's open shadow roots (web components). */
function expression(op: string, arg: unknown, pierce = true): string {
  // JSON is a valid JS literal, so arguments never become code.
  return `(${KIT_SOURCE})(${JSON.stringify(op)}, ${JSON.stringify(arg ?? null)}, ${pierce})`;
}

/**
 * Whether the probes of a page look into shadow roots. Finding them visits every element, which
 * on a large meeting page costs more than the rest of the probe (scripts/bench/probe), so pages
 * are checked for them at most every SHADOW_RECHECK_MS (every SHADOW_RECHECK_UNKNOWN_MS while a
 * probe recognises nothing on the page), and only pages that have some pay for it on every
 * probe. Clicks (find, exists) always look: they are rare and must not miss.
 */
const SHADOW_RECHECK_MS = 10_000;
const SHADOW_RECHECK_UNKNOWN_MS = 1_000;
const shadowChecks = new WeakMap<Page, { at: number; has: boolean }>();

async function pageHasShadowRoots(page: Page, maxAgeMs = SHADOW_RECHECK_MS): Promise<boolean> {
  const seen = shadowChecks.get(page);
  if (seen && Date.now() - seen.at < maxAgeMs) return seen.has;
  const has = ((await page.evaluate(expression('shadowRoots', null))) as number) > 0;
  shadowChecks.set(page, { at: Date.now(), has });
  return has;
}

/** `selfName`: the bot's display name, so its own tile never counts as another participant. */
export async function probePage(page: Page, spec: ProbeSpec, selfName?: string): Promise<PageProbe> {
  const arg = { spec, selfName: selfName ?? null };
  const pierce = await pageHasShadowRoots(page);
  const probe = (await page.evaluate(expression('probe', arg, pierce))) as PageProbe;
  // Nothing recognised: the page may have just drawn its state in a web component; look sooner.
  if (pierce || probe.phase !== 'loading' || !(await pageHasShadowRoots(page, SHADOW_RECHECK_UNKNOWN_MS))) return probe;
  return (await page.evaluate(expression('probe', arg, true))) as PageProbe;
}

/** The page's visible text (lower-cased, quotes folded), without the `ignore` containers. */
export async function pageText(page: Page, ignore: readonly string[] = []): Promise<string> {
  const pierce = await pageHasShadowRoots(page);
  return (await page.evaluate(expression('text', ignore, pierce))) as string;
}

/** The first visible, enabled element matching the target, or null. */
export async function findElement(page: Page, target: ClickTarget): Promise<ElementHandle<Element> | null> {
  const handle = await page.evaluateHandle(expression('find', target));
  const element = handle.asElement() as ElementHandle<Element> | null;
  if (!element) await handle.dispose();
  return element;
}

/** Clicks the target with a real mouse event. Returns false when it is not on the page. */
export async function clickIfPresent(page: Page, target: ClickTarget): Promise<boolean> {
  const element = await findElement(page, target);
  if (!element) return false;
  try {
    await element.click();
    return true;
  } finally {
    await element.dispose();
  }
}

/**
 * Moves the pointer over the target, for toolbars that hide while the pointer is still. It goes
 * to a point a little off the last one, so the page sees movement even when it was already there.
 */
export async function moveOver(page: Page, target: ClickTarget): Promise<boolean> {
  const element = await findElement(page, target);
  if (!element) return false;
  try {
    const box = await element.boundingBox();
    if (!box) return false;
    nudge = -nudge;
    await page.mouse.move(box.x + box.width / 2 + nudge, box.y + box.height / 2, { steps: 2 });
    return true;
  } finally {
    await element.dispose();
  }
}
let nudge = 3;

/**
 * Clicks the target, first moving the pointer over `reveal` when the target is in the page but
 * hidden (auto-hiding toolbars). A target that is not in the page at all costs no pointer move.
 */
export async function clickRevealing(page: Page, target: ClickTarget, reveal: ClickTarget): Promise<boolean> {
  if (await clickIfPresent(page, target)) return true;
  if (!(await page.evaluate(expression('exists', target)))) return false;
  return (await moveOver(page, reveal)) && clickWhenPresent(page, target, 1_000);
}

/** Clicks the target if it shows up within `timeoutMs` (for confirmations that follow a click). */
export async function clickWhenPresent(page: Page, target: ClickTarget, timeoutMs: number): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  do {
    if (await clickIfPresent(page, target)) return true;
    await delay(100);
  } while (Date.now() < until);
  return false;
}

/**
 * Clicks through a menu path (open a menu, pick an item, …), each step within `stepTimeoutMs` of
 * the previous one. Returns the index of the first step that never showed, or -1 when all were clicked.
 */
export async function clickPath(page: Page, steps: readonly ClickTarget[], stepTimeoutMs: number): Promise<number> {
  for (const [i, step] of steps.entries()) {
    if (!(await clickWhenPresent(page, step, stepTimeoutMs))) return i;
  }
  return -1;
}
