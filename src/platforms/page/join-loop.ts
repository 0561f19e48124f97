import { setTimeout as delay } from 'node:timers/promises';
import type { Page } from 'puppeteer-core';
import { MeetcapError } from '../../contracts/index.js';
import type { JoinOptions, PageProbe } from '../platform.js';
import { probePage, type ProbeSpec } from './page-kit.js';

/** One pass over the pre-join page. Returns a short label of what it did, or null when it did nothing. */
export type JoinStep = (page: Page, probe: PageProbe) => Promise<string | null>;

const POLL_MS = 250;

/**
 * Drives a pre-join flow as a loop of probe → act, instead of a fixed script: real join pages
 * show their dialogs in varying order (permission prompts, notices that appear after Join), and
 * a loop handles any order. Ends when the page reaches the lobby or the call, throws a typed
 * error for terminal pages, and `join_ui_unrecognised` at the deadline rather than hanging.
 */
export async function runJoinLoop(page: Page, opts: JoinOptions, spec: ProbeSpec, step: JoinStep): Promise<void> {
  let lastPhase = '';
  for (;;) {
    const probe = await probePage(page, spec);
    if (probe.reason) throw new MeetcapError(probe.reason, undefined, { phase: probe.phase });
    if (probe.phase === 'waiting_room' || probe.phase === 'in_call') return;
    if (probe.phase !== lastPhase) opts.log.debug({ phase: probe.phase }, 'join page phase');
    lastPhase = probe.phase;
    if (Date.now() > opts.deadline) {
      throw new MeetcapError('join_ui_unrecognised', `join flow did not reach the lobby or the call (last phase: ${probe.phase})`, {
        phase: probe.phase,
      });
    }
    const did = await step(page, probe);
    if (did) opts.log.info({ action: did }, 'join step');
    await delay(POLL_MS);
  }
}
