import { setTimeout as delay } from 'node:timers/promises';
import type { Page } from 'puppeteer-core';
import { MeetcapError } from '../../contracts/index.js';
import type { JoinOptions, PageProbe } from '../platform.js';
import { probePage, type ProbeSpec } from './page-kit.js';

/** One pass over the pre-join page. Returns a short label of what it did, or null when it did nothing. */
export type JoinStep = (page: Page, probe: PageProbe) => Promise<string | null>;

export interface JoinLoopHooks {
  /**
   * Called on each pass while the page says the host has not started the meeting. Pages that
   * wait by themselves need nothing; error pages (Zoom's 3,001) need a reload now and then.
   */
  whileNotStarted?: (page: Page) => Promise<string | null>;
}

const POLL_MS = 250;

/**
 * Drives a pre-join flow as a loop of probe → act, instead of a fixed script: real join pages
 * show their dialogs in varying order (permission prompts, notices that appear after Join), and
 * a loop handles any order. Ends when the page reaches the lobby or the call, throws a typed
 * error for terminal pages, `meeting_not_started` when the host has not started the meeting
 * within its own limit, and `join_ui_unrecognised` at the deadline rather than hanging.
 */
export async function runJoinLoop(page: Page, opts: JoinOptions, spec: ProbeSpec, step: JoinStep, hooks: JoinLoopHooks = {}): Promise<void> {
  let lastPhase = '';
  let hostWait: { since: number } | null = null;
  let deadline = opts.deadline;
  for (;;) {
    const interrupted = opts.interrupted?.();
    if (interrupted) throw new MeetcapError(interrupted, `join interrupted (${interrupted})`);
    const probe = await settle(page, () => probePage(page, spec, opts.botName));
    if (probe?.reason === 'meeting_not_started') {
      hostWait ??= (opts.log.info('the host has not started the meeting; waiting'), { since: Date.now() });
      if (Date.now() - hostWait.since > opts.notStartedTimeoutMs) {
        throw new MeetcapError('meeting_not_started', `the host did not start the meeting within ${Math.round(opts.notStartedTimeoutMs / 1000)} s`);
      }
      const did = await settle(page, async () => (await hooks.whileNotStarted?.(page)) ?? null);
      if (did) opts.log.info({ action: did }, 'join step');
      await delay(POLL_MS * 4);
      continue;
    }
    if (hostWait) {
      // The join UI gets its full time again once the host is there.
      deadline += Date.now() - hostWait.since;
      hostWait = null;
      opts.log.info('the host started the meeting');
    }
    if (probe?.reason) throw new MeetcapError(probe.reason, undefined, { phase: probe.phase });
    if (probe?.phase === 'waiting_room' || probe?.phase === 'in_call') return;
    // Meet may answer a quick denial with only "You left the meeting": the bot never leaves by itself.
    if (probe?.phase === 'left') throw new MeetcapError('denied_by_host', 'the join page says the bot left the meeting without saying why', { phase: 'left' });
    const phase = probe?.phase ?? 'navigating';
    if (phase !== lastPhase) opts.log.debug({ phase }, 'join page phase');
    lastPhase = phase;
    if (Date.now() > deadline) {
      throw new MeetcapError('join_ui_unrecognised', `join flow did not reach the lobby or the call (last phase: ${phase})`, { phase });
    }
    const did = probe ? await settle(page, () => step(page, probe)) : null;
    if (did) opts.log.info({ action: did }, 'join step');
    await delay(POLL_MS);
  }
}

/**
 * Runs one page operation. Join pages navigate under the bot's feet (launchers, client
 * hand-overs, reloads): a destroyed context or detached node is "try again next pass", not a
 * failure. Typed errors pass through; a closed page or browser is `browser_crashed`.
 */
async function settle<T>(page: Page, op: () => Promise<T>): Promise<T | null> {
  try {
    return await op();
  } catch (err) {
    if (err instanceof MeetcapError) throw err;
    if (page.isClosed() || !page.browser().connected) {
      throw new MeetcapError('browser_crashed', 'the browser went away during the join', {}, { cause: err });
    }
    return null;
  }
}
