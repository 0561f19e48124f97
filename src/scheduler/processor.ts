import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { UnrecoverableError, type Job } from 'bullmq';
import type { Logger } from 'pino';
import type { Config } from '../config/index.js';
import { REASONS, toMeetcapError, type AnyJob, type MeetcapError, type PreviousSession, type ReasonCode, type SessionOutcome } from '../contracts/index.js';
import type { TypedEmitter, WorkerEventMap } from '../fleet/context.js';
import type { Storage } from '../media/storage/storage.js';
import { launchSession, type RunningSession } from './launcher.js';
import type { MeetingClaims } from './meeting-claim.js';
import { recoverCrashedSession } from './recovery.js';
import { validateForSchedule } from './schedule.js';
import type { SpareSession } from './spare.js';

export interface ProcessorDeps {
  config: Config;
  log: Logger;
  events: TypedEmitter<WorkerEventMap>;
  sessions: Map<string, RunningSession>;
  claims: MeetingClaims;
  storage: Storage | undefined;
  sessionEnv?: NodeJS.ProcessEnv;
  /** A session process started ahead of the lease, when the worker keeps one. */
  spare?: SpareSession;
  writeLine: (line: string) => void;
  /** True once the worker is closing: a crashed session is then not restarted. */
  closing: () => boolean;
}

/** Outcomes after which the meeting is rejoined by a fresh session (within the job's limits). */
const RESTART_ON: ReadonlySet<ReasonCode> = new Set(['browser_crashed', 'session_crashed']);
/**
 * Rejoined only when the session had been in the call: the platform lost the bot mid-meeting
 * (a reconnect that outlasted its allowance, Zoom's timeout panel), so a fresh join records the
 * rest. The same failure before admission (a page that would not load) is not retried in a loop.
 */
const RESTART_AFTER_ADMISSION: ReadonlySet<ReasonCode> = new Set(['connection_failed']);
export const MAX_RESTARTS = 2;
/** A continuation with less than this left of its maximum is not worth a rejoin. */
const MIN_REMAINING_SEC = 10;

/**
 * One lease: claims the meeting (never two bots in it at once), runs it as a session, and if the
 * session's browser or process crashed or it lost the call, rejoins with a fresh session that
 * continues the recording as a new part. A meeting leased again after its worker died continues
 * the same way: the earlier sessions are read from the meeting's claim record.
 */
export function meetingProcessor(deps: ProcessorDeps): (job: Job<AnyJob, SessionOutcome, string>) => Promise<SessionOutcome> {
  return async (job) => {
    const checked = await checkLeasedJob(deps, job);
    const { meetingId } = checked;
    const claim = await deps.claims.acquire(meetingId, job.id ?? meetingId);
    try {
      let outcome: SessionOutcome | undefined;
      /** The latest part that was kept: what the meeting ends as if a rejoin never got back in. */
      let kept: SessionOutcome | undefined;
      let admitted = false;
      for (let restarts = 0; ; restarts++) {
        const data = continuationJob(checked, claim.previous, Date.now());
        if (!data) {
          outcome ??= { meetingId, sessionId: claim.previous.at(-1)?.sessionId ?? 'none', state: 'done', reason: 'max_duration_reached' };
          break;
        }
        const sessionId = `ses_${randomUUID()}`;
        const leasedAt = new Date().toISOString();
        // The parts record only feeds a later takeover; a Redis blip must not cost this session.
        await claim.addSession({ sessionId, leasedAt }).catch((err: unknown) => deps.log.warn({ meetingId, err: (err as Error).message }, 'could not record the session in the meeting claim'));
        const run = await runSessionOnce(deps, job, data, { sessionId, leasedAt, previous: [...claim.previous], lost: claim.lost });
        outcome = run.outcome;
        admitted = run.admitted;
        if (outcome.state === 'done') kept = outcome;
        claim.previous.push({ sessionId, leasedAt });
        // A session that was asked to stop (operator, drain, watchdog, lost claim) is not rejoined.
        const restart = rejoins(outcome, run) && !run.stopped && !claim.lost.aborted && !deps.closing();
        if (!restart || restarts >= MAX_RESTARTS) break;
        deps.log.warn({ meetingId, sessionId, reason: run.leftFor ?? outcome.reason, restart: restarts + 1 }, 'session lost the meeting; rejoining with a new session');
      }
      if (kept && outcome.state !== 'done' && !admitted) {
        // A rejoin that never got back in (the meeting ended meanwhile) does not undo the parts
        // that were recorded: the meeting ends as its last kept part did. One that got in and
        // then failed (an upload, say) reports that failure.
        deps.log.warn({ meetingId, sessionId: outcome.sessionId, reason: outcome.reason, keptSessionId: kept.sessionId }, 'the rejoin did not record; the meeting keeps its earlier parts');
        return settle(kept);
      }
      return settle(outcome);
    } finally {
      await claim.release();
    }
  };
}

/**
 * Whether a session that ended so is followed by a fresh one that rejoins the meeting. A part
 * too short to keep on its own (discarded) is judged by why it left the call, not by the discard.
 */
export function rejoins(outcome: SessionOutcome, run: { admitted: boolean; leftFor?: ReasonCode }): boolean {
  const reason = outcome.state === 'discarded' ? (run.leftFor ?? outcome.reason) : outcome.reason;
  return !!reason && (RESTART_ON.has(reason) || (run.admitted && RESTART_AFTER_ADMISSION.has(reason)));
}

/**
 * A job can reach the queue without `schedule` (the policy service may add to BullMQ itself), so
 * every lease checks it again as `schedule` would: a bad one fails as a typed, unretried error
 * before any browser starts, and a good one gets its defaults and the policy minimum.
 */
async function checkLeasedJob(deps: ProcessorDeps, job: Job<AnyJob, SessionOutcome, string>): Promise<AnyJob> {
  try {
    return await validateForSchedule(deps.config, job.data);
  } catch (err) {
    const e = toMeetcapError(err, 'invalid_job');
    const meetingId = typeof job.data?.meetingId === 'string' ? job.data.meetingId : undefined;
    deps.log.error({ jobId: job.id, meetingId, reason: e.code, details: e.details }, `refused a queued job: ${e.message}`);
    reportRefusal(deps, job, e);
    const message = `${e.code}: ${e.message}`;
    throw REASONS[e.code].retryable ? new Error(message) : new UnrecoverableError(message);
  }
}

/**
 * A refused job still ends as a failed outcome on the event stream (and so the tenant's webhook),
 * as a session would have, when the job names its meeting and tenant and no retry follows.
 */
function reportRefusal(deps: ProcessorDeps, job: Job<AnyJob, SessionOutcome, string>, e: MeetcapError): void {
  const { meetingId, tenantId, source } = (job.data ?? {}) as Partial<Record<string, unknown>>;
  if (typeof meetingId !== 'string' || typeof tenantId !== 'string' || REASONS[e.code].retryable) return;
  const sessionId = `ses_${randomUUID()}`;
  deps.events.emit('session_started', { ...leaseInfo(job, sessionId, meetingId, tenantId, source), refused: true });
  const outcome: SessionOutcome = { meetingId, sessionId, state: 'failed', reason: e.code, error: e.toJSON() };
  deps.events.emit('outcome', outcome);
  deps.events.emit('session_ended', { sessionId, meetingId, outcome });
}

/** What `session_started` says of a lease, refused or not. */
function leaseInfo(job: Job<AnyJob, SessionOutcome, string>, sessionId: string, meetingId: string, tenantId: string, source: unknown): WorkerEventMap['session_started'] {
  const dueAt = new Date(job.timestamp + (job.delay ?? 0)).toISOString();
  return { sessionId, meetingId, tenantId, source: source === 'file' ? 'file' : 'meeting', jobId: job.id ?? '', dueAt, leasedAt: new Date().toISOString() };
}

/**
 * The job a continuation runs: its maximum counts from the meeting's first lease, so a takeover
 * never records past the meeting's own limit. Undefined when nothing is left of it.
 */
export function continuationJob(job: AnyJob, previous: readonly PreviousSession[], now: number): AnyJob | undefined {
  const first = previous[0];
  if (!first || job.source === 'file') return job;
  const elapsedSec = Math.floor((now - Date.parse(first.leasedAt)) / 1000);
  const left = job.limits.maxDurationSec - elapsedSec;
  if (left < MIN_REMAINING_SEC) return undefined;
  return { ...job, limits: { ...job.limits, maxDurationSec: left } };
}

async function runSessionOnce(
  deps: ProcessorDeps,
  job: Job<AnyJob, SessionOutcome, string>,
  data: AnyJob,
  part: { sessionId: string; leasedAt: string; previous: PreviousSession[]; lost: AbortSignal },
): Promise<{ outcome: SessionOutcome; stopped: boolean; admitted: boolean; leftFor?: ReasonCode }> {
  const { sessionId, leasedAt, previous: previousSessions } = part;
  const { meetingId } = data;
  const { events, storage } = deps;
  const slog = deps.log.child({ sessionId, meetingId });
  slog.info({ jobId: job.id, part: previousSessions.length + 1 }, 'leased meeting; starting session');
  let admitted = false;
  let leftFor: ReasonCode | undefined;
  const session = launchSession({
    sessionId,
    job: data,
    previousSessions,
    log: slog,
    env: deps.sessionEnv,
    onEvent: (event) => {
      if (event.type === 'state') {
        if (event.data.state === 'in_call') admitted = true;
        if (event.data.state === 'leaving') leftFor = event.data.reason;
      }
      events.emit(event.type, event.data as never);
    },
    onHealth: (health) => events.emit('health', { ...health, sessionId, meetingId }),
    onLogLine: (line) => {
      deps.writeLine(line);
      events.emit('log', { sessionId, meetingId, line });
    },
    stopGraceMs: deps.config.sessionStopGraceSec * 1000,
    recover: async (reason) => (storage ? recoverCrashedSession({ sessionId, meetingId }, data.limits.minDurationSec, storage, slog, reason) : undefined),
    ...spareProcess(deps.spare, slog),
  });
  deps.sessions.set(sessionId, session);
  const leave = (): void => session.stop('worker_lost');
  part.lost.addEventListener('abort', leave, { once: true });
  events.emit('session_started', { ...leaseInfo(job, sessionId, meetingId, data.tenantId, data.source), pid: session.pid, leasedAt });
  try {
    const outcome = await session.outcome;
    events.emit('session_ended', { sessionId, meetingId, outcome });
    slog.info({ state: outcome.state, reason: outcome.reason }, 'session finished');
    return { outcome, stopped: session.stopReason !== undefined, admitted, ...(leftFor ? { leftFor } : {}) };
  } finally {
    part.lost.removeEventListener('abort', leave);
    deps.sessions.delete(sessionId);
    deps.spare?.refill(); // a closed spare starts nothing
  }
}

function spareProcess(spare: SpareSession | undefined, log: Logger): { process?: ChildProcess } {
  const child = spare?.take();
  log.debug({ spare: child?.pid ?? null }, child ? 'session runs in the spare process' : 'no spare process: forking one');
  return child ? { process: child } : {};
}

/** BullMQ's view: a failed outcome fails the job, retryable or not as the catalogue says. */
function settle(outcome: SessionOutcome): SessionOutcome {
  if (outcome.state !== 'failed') return outcome;
  const reason = outcome.reason ?? 'internal_error';
  const message = `${reason}: ${outcome.error?.message ?? REASONS[reason].summary}`;
  throw REASONS[reason].retryable ? new Error(message) : new UnrecoverableError(message);
}
