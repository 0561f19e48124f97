import { setTimeout as delay } from 'node:timers/promises';
import type { Page } from 'puppeteer-core';
import type { Logger } from 'pino';
import { MeetcapError, REASONS, type MeetingJob, type ReasonCode } from '../contracts/index.js';
import type { PageProbe, PlatformAdapter } from '../platforms/platform.js';
import type { Clock } from './clock.js';
import { CALL_POLL_MS, type ParticipantTracker } from './participants.js';
import { AloneWatchdog, firstTripped, maxDurationWatchdog, waitingRoomWatchdog, type Watchdog } from './watchdogs.js';

export interface CallContext {
  page: Page;
  adapter: PlatformAdapter;
  job: MeetingJob;
  clock: Clock;
  log: Logger;
  stop: AbortSignal;
  /** A reason when the navigation guard blocked the page from leaving the meeting host. */
  blocked: () => ReasonCode | null;
  participants: ParticipantTracker;
  botName: string;
}

const ADMISSION_POLL_MS = 500;
/** Consecutive probes outside the call (about 5 s) before the call is taken as over (page navigated away, UI gone). */
const OUT_OF_CALL_PROBES = Math.ceil(5_000 / CALL_POLL_MS);
/**
 * The adapter also tidies every 10 s without a dialog in sight: some things in the way are not
 * visible to the probe (Zoom's "Join Audio" sits in a footer that hides itself).
 */
const TIDY_EVERY_PROBES = Math.ceil(10_000 / CALL_POLL_MS);

/** Reads the page; a page that is gone means the browser is gone. */
async function probe(ctx: CallContext): Promise<PageProbe | null> {
  if (ctx.page.isClosed()) throw new MeetcapError('browser_crashed', 'the meeting page closed');
  try {
    return await ctx.adapter.probe(ctx.page, ctx.botName);
  } catch (err) {
    if (!ctx.page.browser().connected) throw new MeetcapError('browser_crashed', 'Chromium disconnected', {}, { cause: err });
    ctx.log.debug({ err }, 'probe failed (page navigating?)');
    return null;
  }
}

/**
 * Why the session was asked to stop: the stop signal's reason when it is a catalogue code (the
 * worker's StopReason, or worker_lost when the worker vanished), else stopped_by_operator.
 */
export function stopReason(signal: AbortSignal): ReasonCode {
  const reason: unknown = signal.reason;
  return typeof reason === 'string' && Object.hasOwn(REASONS, reason) ? (reason as ReasonCode) : 'stopped_by_operator';
}

function checkStopAndGuard(ctx: CallContext): void {
  if (ctx.stop.aborted) throw new MeetcapError(stopReason(ctx.stop));
  const blocked = ctx.blocked();
  if (blocked) throw new MeetcapError(blocked, `the meeting page tried to navigate off the meeting host (${blocked})`);
}

/** Waits in the lobby until admitted; typed errors for denial, expiry and the waiting-room limit. */
export async function waitForAdmission(ctx: CallContext, onWaitingRoom: () => void): Promise<void> {
  const { job, clock } = ctx;
  const limits: Watchdog[] = [];
  const lostSince = clock.now();
  for (;;) {
    checkStopAndGuard(ctx);
    const p = await probe(ctx);
    if (p?.reason) throw new MeetcapError(p.reason, undefined, { phase: p.phase });
    if (p?.phase === 'in_call') return;
    if (p?.phase === 'waiting_room' && limits.length === 0) {
      onWaitingRoom();
      limits.push(waitingRoomWatchdog(clock, clock.now(), job.limits.waitingRoomTimeoutSec));
    }
    if (limits.length === 0 && clock.now() - lostSince > job.limits.joinTimeoutSec * 1000) {
      throw new MeetcapError('join_ui_unrecognised', `page stayed in phase ${p?.phase ?? 'unknown'} after asking to join`);
    }
    const tripped = firstTripped(limits);
    if (tripped) throw new MeetcapError(tripped);
    await delay(ADMISSION_POLL_MS);
  }
}

/**
 * Watches the call until something ends it and returns why: the platform (ended, removed), the
 * rules (alone too long, maximum length) or an operator. Recording continues meanwhile.
 */
export async function monitorCall(ctx: CallContext, recordingStartedAt: () => number): Promise<ReasonCode> {
  const { job, clock, log } = ctx;
  const alone = new AloneWatchdog(clock, job.limits.aloneTimeoutSec);
  const watchdogs: Watchdog[] = [maxDurationWatchdog(clock, recordingStartedAt, job.limits.maxDurationSec), alone];
  let outOfCall = 0;
  let sinceTidy = 0;
  for (;;) {
    if (ctx.stop.aborted) return stopReason(ctx.stop);
    const blocked = ctx.blocked();
    if (blocked) return blocked === 'sign_in_required' ? 'removed_by_host' : 'meeting_ended';
    const p = await probe(ctx);
    if (p?.reason) return p.reason;
    if (p?.phase === 'in_call') {
      outOfCall = 0;
      ctx.participants.observe(p.participants);
      alone.observe(p.participants.length);
      if (p.blockingDialog || ++sinceTidy >= TIDY_EVERY_PROBES) {
        sinceTidy = 0;
        await ctx.adapter.tidy(ctx.page, log).catch(() => undefined);
      }
    } else {
      if (p) ctx.participants.observeOutsideCall();
      if (++outOfCall >= OUT_OF_CALL_PROBES) {
        log.warn({ phase: p?.phase }, 'page left the call without a recognised reason');
        return 'meeting_ended';
      }
    }
    const tripped = firstTripped(watchdogs);
    if (tripped) return tripped;
    // Wakes early on a stop request; the signal variant removes its listener when the timer fires.
    await delay(CALL_POLL_MS, undefined, { signal: ctx.stop }).catch(() => undefined);
  }
}
