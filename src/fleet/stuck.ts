import { TERMINAL_STATES, type AnyJob, type SessionHealth, type SessionState } from '../contracts/index.js';
import type { Attached, FleetContext, WorkerEventMap } from './context.js';

/**
 * Leaving and finalizing are bounded by the session itself: the capture drain (3 × 15 s) and
 * the upload's completion wait (600 s, storage outages included). The watchdog only steps in
 * when those bounds are clearly exceeded.
 */
export const FINALIZE_ALLOWANCE_SEC = 660;
const TICK_MS = 1_000;

export interface StuckLimits {
  stuckAfterSec: number;
  browserUnresponsiveSec: number;
}

export type StuckRule = 'no_health' | 'browser_unresponsive' | 'no_progress';

export interface StuckVerdict {
  sessionId: string;
  meetingId: string;
  rule: StuckRule;
  state: SessionState;
  /** The limit that was exceeded and by how much time it was (seconds). */
  limitSec: number;
  forSec: number;
  lastHealthAt?: string;
  browserRespondedAt?: string;
  mediaBytes: number;
}

/**
 * How long a state may legitimately go without progress beyond stuckAfterSec: the job's own
 * limits where the session is waiting for people (host, admission, a delayed or on-command
 * recording start). Undefined: rule (c) does not apply (file jobs, whose fetch and transcode
 * report no media bytes).
 */
export function progressAllowanceSec(state: SessionState, job: AnyJob | undefined): number | undefined {
  if (!job || job.source === 'file') return undefined;
  const { limits, recordingStart } = job;
  switch (state) {
    case 'joining':
      // The join deadline does not count the wait for a host who has not started the meeting.
      return limits.joinTimeoutSec + limits.notStartedTimeoutSec;
    case 'waiting_room':
      return limits.waitingRoomTimeoutSec;
    case 'in_call':
      // With both, the recording starts at whichever comes first; on command alone, the
      // session's own maximum-duration watchdog (counted from admission) ends the wait.
      return recordingStart.delaySec ?? (recordingStart.onCommand ? limits.maxDurationSec : 0);
    case 'leaving':
    case 'finalizing':
      return FINALIZE_ALLOWANCE_SEC;
    default:
      // launching, recording and paused (a paused recording still grows: silence, black frames).
      return 0;
  }
}

/**
 * One session as the watchdog sees it. All times are the worker's clock at receipt, except the
 * browser's staleness, which is measured on the session's clock (`at − browserRespondedAt` of one
 * report), so no two clocks are ever compared.
 */
class Tracked {
  state: SessionState = 'launching';
  progressAt: number;
  healthAt: number | undefined;
  health: SessionHealth | undefined;
  stopped = false;

  constructor(
    readonly sessionId: string,
    readonly meetingId: string,
    readonly job: AnyJob | undefined,
    readonly startedAt: number,
  ) {
    this.progressAt = startedAt;
  }

  onState(state: SessionState, now: number): void {
    if (state === this.state) return;
    this.state = state;
    this.progressAt = now;
  }

  onHealth(health: SessionHealth, now: number): void {
    const last = this.health;
    // New media, or the upload catching up while finalizing, is progress.
    if (last && (health.mediaBytes > last.mediaBytes || health.uploadBacklogBytes < last.uploadBacklogBytes)) this.progressAt = now;
    this.onState(health.state, now);
    this.health = health;
    this.healthAt = now;
  }

  check(now: number, limits: StuckLimits): StuckVerdict | null {
    if (this.stopped || TERMINAL_STATES.has(this.state)) return null;
    const verdict = (rule: StuckRule, limitSec: number, forMs: number): StuckVerdict => ({
      sessionId: this.sessionId,
      meetingId: this.meetingId,
      rule,
      state: this.state,
      limitSec,
      forSec: Math.round(forMs / 100) / 10,
      ...(this.healthAt !== undefined ? { lastHealthAt: new Date(this.healthAt).toISOString() } : {}),
      ...(this.health?.browserRespondedAt ? { browserRespondedAt: this.health.browserRespondedAt } : {}),
      mediaBytes: this.health?.mediaBytes ?? 0,
    });
    const silentMs = now - (this.healthAt ?? this.startedAt);
    if (silentMs >= limits.stuckAfterSec * 1000) return verdict('no_health', limits.stuckAfterSec, silentMs);
    const h = this.health;
    if (h?.browserRespondedAt) {
      const unansweredMs = Date.parse(h.at) - Date.parse(h.browserRespondedAt);
      if (unansweredMs >= limits.browserUnresponsiveSec * 1000) return verdict('browser_unresponsive', limits.browserUnresponsiveSec, unansweredMs);
    }
    const allowance = progressAllowanceSec(this.state, this.job);
    if (allowance === undefined) return null;
    const limitSec = limits.stuckAfterSec + allowance;
    const idleMs = now - this.progressAt;
    return idleMs >= limitSec * 1000 ? verdict('no_progress', limitSec, idleMs) : null;
  }
}

/**
 * The stuck rule, pure over an injected clock. A live (non-terminal) session is stuck when
 *  (a) no_health: no health report for stuckAfterSec (counted from the session's start until the
 *      first one);
 *  (b) browser_unresponsive: its latest report says the browser last answered a probe
 *      browserUnresponsiveSec or more before the report was made;
 *  (c) no_progress: no state change, no growth of mediaBytes and no shrinking of the upload
 *      backlog for stuckAfterSec + the state's allowance (`progressAllowanceSec`: joining
 *      joinTimeoutSec + notStartedTimeoutSec, waiting_room waitingRoomTimeoutSec, in_call before
 *      a delayed start delaySec, on command only maxDurationSec, leaving/finalizing
 *      FINALIZE_ALLOWANCE_SEC, everything else 0). File jobs are judged by (a) only.
 * A session is reported once; after that the launcher's stop grace and hard kill take over.
 */
export class StuckWatchdog {
  private readonly sessions = new Map<string, Tracked>();

  constructor(
    private readonly now: () => number,
    private readonly limits: StuckLimits,
  ) {}

  track(sessionId: string, meetingId: string, job: AnyJob | undefined): void {
    this.sessions.set(sessionId, new Tracked(sessionId, meetingId, job, this.now()));
  }

  forget(sessionId: string): void {
    this.sessions.delete(sessionId);
  }

  state(sessionId: string, state: SessionState): void {
    this.sessions.get(sessionId)?.onState(state, this.now());
  }

  health(sessionId: string, health: SessionHealth): void {
    this.sessions.get(sessionId)?.onHealth(health, this.now());
  }

  /** The sessions that are stuck now; each is returned once. */
  check(): StuckVerdict[] {
    const now = this.now();
    const stuck: StuckVerdict[] = [];
    for (const s of this.sessions.values()) {
      const verdict = s.check(now, this.limits);
      if (!verdict) continue;
      s.stopped = true;
      stuck.push(verdict);
    }
    return stuck;
  }
}

/**
 * Watches this worker's sessions through their state and health events and stops the stuck ones
 * with reason stuck_session_killed: the session gets its stop grace to leave and finalize, then
 * the launcher kills it (Chromium included) and the recording is finalized from its spool.
 */
export async function attachStuckWatchdog(ctx: FleetContext): Promise<Attached> {
  const { stuckAfterSec, browserUnresponsiveSec } = ctx.config.fleet;
  const dog = new StuckWatchdog(ctx.now, { stuckAfterSec, browserUnresponsiveSec });
  const log = ctx.log.child({ component: 'stuck-watchdog' });
  const onStarted = (e: WorkerEventMap['session_started']): void => dog.track(e.sessionId, e.meetingId, ctx.sessions.get(e.sessionId)?.job);
  const onState = (e: WorkerEventMap['state']): void => dog.state(e.sessionId, e.state);
  const onHealth = (e: WorkerEventMap['health']): void => dog.health(e.sessionId, e);
  const onEnded = (e: WorkerEventMap['session_ended']): void => dog.forget(e.sessionId);
  ctx.events.on('session_started', onStarted);
  ctx.events.on('state', onState);
  ctx.events.on('health', onHealth);
  ctx.events.on('session_ended', onEnded);
  const timer = setInterval(() => {
    for (const verdict of dog.check()) {
      log.error({ ...verdict, reason: 'stuck_session_killed' }, `stuck session (${verdict.rule}): stopping it`);
      ctx.sessions.get(verdict.sessionId)?.stop('stuck_session_killed');
    }
  }, TICK_MS);
  timer.unref();
  let closed = false;
  return {
    close: async () => {
      if (closed) return;
      closed = true;
      clearInterval(timer);
      ctx.events.off('session_started', onStarted);
      ctx.events.off('state', onState);
      ctx.events.off('health', onHealth);
      ctx.events.off('session_ended', onEnded);
    },
  };
}
