import { setTimeout as delay } from 'node:timers/promises';
import type { Page } from 'puppeteer-core';
import type { Logger } from 'pino';
import { MeetcapError, REASONS, type MeetingJob, type ReasonCode } from '../contracts/index.js';
import type { PageProbe, PlatformAdapter } from '../platforms/platform.js';
import { CallPresence, type PresenceChange, type ProbeReading } from './call-presence.js';
import type { Clock } from './clock.js';
import type { ConsentNotice } from './consent.js';
import { isNotetaker } from './notetakers.js';
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
  /** Out-of-call spans after admission and their allowances (reconnects, back in the waiting room). */
  presence: CallPresence;
  botName: string;
  /** The job's recording notice for the meeting chat, posted from the monitor's loop when due. */
  consent?: ConsentNotice;
}

const ADMISSION_POLL_MS = 500;
/**
 * How long the bot waits out a page that has lost its connection (Meet drops its whole call UI
 * while it reconnects; `MEETCAP_RECONNECT_GRACE_SEC` changes it), and a page it does not
 * recognise (a redraw, a route change: other bots measured Meet's at 5-15 s). A host who ends a
 * call with a message we know is seen at once.
 */
export const RECONNECT_GRACE_MS = 180_000;
export const UNRECOGNISED_GRACE_MS = 20_000;

/** The allowances for one job: back in the waiting room, it waits as long as it did to get in. */
export function callPresence(clock: Clock, job: MeetingJob, reconnectGraceMs = RECONNECT_GRACE_MS): CallPresence {
  return new CallPresence(clock, {
    reconnecting: reconnectGraceMs,
    waiting_room: job.limits.waitingRoomTimeoutSec * 1000,
    unrecognised: UNRECOGNISED_GRACE_MS,
  });
}
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

/** The lobby wait across requests to join: the waiting-room limit counts from the first entry. */
export interface LobbyWait {
  enteredAt: number | null;
}

/**
 * Waits in the lobby until admitted; typed errors for denial and the waiting-room limit. Returns
 * 'dropped' when the platform gave up on the request before the job's own limit did ("No one
 * responded to your request"; Meet does after about 10 minutes): the caller may ask again.
 */
export async function waitForAdmission(ctx: CallContext, onWaitingRoom: () => void, lobby: LobbyWait = { enteredAt: null }): Promise<'admitted' | 'dropped'> {
  const { job, clock } = ctx;
  const lostSince = clock.now();
  const limitFrom = (enteredAt: number): Watchdog => waitingRoomWatchdog(clock, enteredAt, job.limits.waitingRoomTimeoutSec);
  let limit = lobby.enteredAt === null ? null : limitFrom(lobby.enteredAt);
  for (;;) {
    checkStopAndGuard(ctx);
    const p = await probe(ctx);
    const tripped = limit?.check() ?? null;
    if (p?.reason === 'waiting_room_timeout' && !tripped) return 'dropped';
    if (p?.reason) throw new MeetcapError(p.reason, undefined, { phase: p.phase });
    if (p?.phase === 'in_call') return 'admitted';
    // Meet shows "You left the meeting" after a denial it did not word; the bot never left by itself.
    if (p?.phase === 'left') throw new MeetcapError('denied_by_host', 'the lobby page says the bot left the meeting without saying why', { phase: p.phase });
    if (p?.phase === 'waiting_room' && !limit) {
      onWaitingRoom();
      lobby.enteredAt = clock.now();
      limit = limitFrom(lobby.enteredAt);
    }
    if (!limit && clock.now() - lostSince > job.limits.joinTimeoutSec * 1000) {
      throw new MeetcapError('join_ui_unrecognised', `page stayed in phase ${p?.phase ?? 'unknown'} after asking to join`);
    }
    if (tripped) throw new MeetcapError(tripped);
    await delay(ADMISSION_POLL_MS);
  }
}

/**
 * How a probe places the bot. A reconnect banner over a call still showing is the call; a page
 * that says where the bot is (waiting room, left) outranks a stray "Reconnecting" on it.
 */
function presenceOf(p: PageProbe | null): ProbeReading {
  if (!p) return 'unreadable';
  if (p.phase === 'in_call' || p.phase === 'waiting_room' || p.phase === 'left') return p.phase;
  return p.reconnecting ? 'reconnecting' : 'unrecognised';
}

/**
 * How many people besides the bot the page shows in the call. Other notetaker bots are nobody
 * (a tile, or a place in the headcount). Tiles can all be out of view while people are there (a
 * screen share in spotlight, a hidden thumbnail strip), so the page's own headcount (the bot
 * included) and a share on show count too: leaving mid-demo would lose the rest of the meeting.
 */
function othersIn(p: PageProbe): number {
  const bots = p.participants.filter((t) => isNotetaker(t.name)).length;
  return Math.max(p.participants.length - bots, (p.headcount ?? 0) - 1 - bots, p.presenting ? 1 : 0);
}

function logPresence(log: Logger, change: PresenceChange | null): void {
  if (change?.kind === 'left_call') log.warn({ presence: change.to }, `out of the call (${change.to}); the recording goes on`);
  else if (change?.kind === 'changed') log.warn({ presence: change.to, was: change.from }, `still out of the call, now ${change.to}`);
  else if (change?.kind === 'back') log.info({ was: change.from, afterMs: change.afterMs }, `back in the call after ${Math.round(change.afterMs / 1000)} s out`);
}

/**
 * Watches the call until something ends it and returns why: the platform (ended, removed), the
 * rules (alone too long, maximum length, out of the call too long) or an operator. Recording
 * continues meanwhile, also while the bot is out of the call (`ctx.presence`).
 */
export async function monitorCall(ctx: CallContext, recordingStartedAt: () => number): Promise<ReasonCode> {
  const { job, clock, log, presence } = ctx;
  const alone = new AloneWatchdog(clock, job.limits.aloneTimeoutSec);
  const watchdogs: Watchdog[] = [maxDurationWatchdog(clock, recordingStartedAt, job.limits.maxDurationSec), alone];
  let sinceTidy = 0;
  for (;;) {
    if (ctx.stop.aborted) return stopReason(ctx.stop);
    const blocked = ctx.blocked();
    if (blocked) return blocked === 'sign_in_required' ? 'removed_by_host' : 'meeting_ended';
    const p = await probe(ctx);
    // A sign-in page after admission (Zoom sends a removed guest to /signin) is the meeting
    // putting the bot out, as when the guard stops a redirect to a sign-in host above.
    if (p?.reason) return p.reason === 'sign_in_required' ? 'removed_by_host' : p.reason;
    logPresence(log, presence.observe(presenceOf(p)));
    if (p?.phase === 'in_call') {
      ctx.participants.observe(p.participants);
      alone.observe(othersIn(p));
      if (p.blockingDialog || ++sinceTidy >= TIDY_EVERY_PROBES) {
        sinceTidy = 0;
        await ctx.adapter.tidy(ctx.page, log).catch(() => undefined);
      }
      // Not under a dialog: clicks would land on it (tidy answers it first).
      if (!p.blockingDialog) await ctx.consent?.postIfDue(ctx.page, ctx.adapter, log);
    } else {
      alone.outOfCall();
      if (p) ctx.participants.observeOutsideCall();
    }
    const gone = presence.check();
    if (gone) {
      log.warn({ reason: gone }, 'out of the call for longer than allowed');
      return gone;
    }
    const tripped = firstTripped(watchdogs);
    if (tripped) return tripped;
    // Wakes early on a stop request; the signal variant removes its listener when the timer fires.
    await delay(CALL_POLL_MS, undefined, { signal: ctx.stop }).catch(() => undefined);
  }
}
