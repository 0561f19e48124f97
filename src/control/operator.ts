import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { MeetcapError, toMeetcapError, type ControlCommand, type ControlResult, type StopReason } from '../contracts/index.js';
import { fleetKeys } from '../fleet/keys.js';
import { MAX_SCREENSHOT_BYTES, SCREENSHOT_TIMEOUT_MS, type ReplyResult } from './channel.js';
import type { EnvelopeV2 } from './envelope.js';

/** What the listener needs of a running session (the scheduler's RunningSession fits). */
export interface ControllableSession {
  readonly meetingId: string;
  /** Absent on stand-ins that only do recording control; such sessions refuse operator commands. */
  readonly sessionId?: string;
  control(requestId: string, command: ControlCommand, timeoutMs: number): Promise<ControlResult>;
  stop?(reason: StopReason): void;
  screenshot?(requestId: string, timeoutMs: number): Promise<Buffer>;
}

/** The worker itself, for `drain` and for what `kill` reports. */
export interface ControlledWorker {
  readonly id: string;
  /** After this long a stopped session that has not exited is killed hard (launcher). */
  readonly stopGraceSec: number;
  /** Stops leasing; resolves once the running sessions have ended. Idempotent. */
  drain(): Promise<void>;
}

export interface OperatorContext {
  redis: Redis;
  queuePrefix: string;
  log: Logger;
  worker: ControlledWorker | undefined;
  sessionCount: () => number;
}

/** The worker record outlives a registry that has not written it yet by at most this long. */
const DRAINING_MARK_TTL_SEC = 7 * 86_400;

const refused = (message: string): ReplyResult => ({ ok: false, error: new MeetcapError('control_refused', message).toJSON() });

/**
 * Carries out a verified operator command on the sessions (or the worker) it targets. Never
 * throws: every failure is a typed error result for the sender.
 */
export async function runOperatorCommand(ctx: OperatorContext, e: EnvelopeV2, sessions: ControllableSession[]): Promise<ReplyResult> {
  try {
    if (e.command === 'kill') return kill(ctx, e, sessions);
    if (e.command === 'screenshot') return await screenshot(ctx, e, sessions.at(-1));
    if (e.command === 'drain') return await drain(ctx, e);
    return refused(`${e.command} is not an operator command`);
  } catch (err) {
    return { ok: false, error: toMeetcapError(err).toJSON() };
  }
}

/**
 * Answers "stopping" as soon as the session was told to leave: its outcome (kept or discarded,
 * or finalized from the upload after the hard kill) can be grace + finalize seconds away, and
 * is reported on the event stream like every other outcome.
 */
function kill(ctx: OperatorContext, e: EnvelopeV2, sessions: ControllableSession[]): ReplyResult {
  const stoppable = sessions.filter((s) => s.stop && s.sessionId);
  if (!ctx.worker || stoppable.length === 0) return refused('this session cannot be stopped by an operator');
  for (const s of stoppable) {
    ctx.log.warn({ sessionId: s.sessionId, meetingId: s.meetingId, requestId: e.requestId, operatorReason: e.reason }, 'operator kill: stopping session');
    s.stop!('stopped_by_operator');
  }
  return {
    ok: true,
    answer: {
      command: 'kill',
      status: 'stopping',
      workerId: ctx.worker.id,
      graceSec: ctx.worker.stopGraceSec,
      sessions: stoppable.map((s) => ({ sessionId: s.sessionId!, meetingId: s.meetingId })),
    },
  };
}

async function screenshot(ctx: OperatorContext, e: EnvelopeV2, session: ControllableSession | undefined): Promise<ReplyResult> {
  if (!ctx.worker || !session?.screenshot || !session.sessionId) return refused('this session cannot take screenshots');
  const png = await session.screenshot(e.requestId, SCREENSHOT_TIMEOUT_MS);
  if (png.length > MAX_SCREENSHOT_BYTES) {
    throw new MeetcapError('internal_error', `screenshot of ${png.length} bytes is over the ${MAX_SCREENSHOT_BYTES}-byte limit`, { bytes: png.length });
  }
  ctx.log.info({ sessionId: session.sessionId, meetingId: session.meetingId, requestId: e.requestId, bytes: png.length }, 'operator screenshot taken');
  return {
    ok: true,
    answer: { command: 'screenshot', workerId: ctx.worker.id, sessionId: session.sessionId, meetingId: session.meetingId, pngBase64: png.toString('base64') },
  };
}

/** Marks the worker record first, so `meetcap sessions` shows it draining before the lease loop stops. */
async function drain(ctx: OperatorContext, e: EnvelopeV2): Promise<ReplyResult> {
  const worker = ctx.worker!;
  const key = fleetKeys(ctx.queuePrefix).worker(worker.id);
  // NX: the registry's own expiry wins; a record the registry has not written yet still goes away.
  await ctx.redis.multi().hset(key, 'draining', '1').call('EXPIRE', key, String(DRAINING_MARK_TTL_SEC), 'NX').exec();
  const sessions = ctx.sessionCount();
  ctx.log.warn({ workerId: worker.id, requestId: e.requestId, sessions }, 'operator drain: no new leases; exiting when sessions end');
  void worker.drain().then(
    () => ctx.log.info({ workerId: worker.id }, 'drained: no sessions left'),
    (err: unknown) => ctx.log.error({ err }, 'drain failed'),
  );
  return { ok: true, answer: { command: 'drain', status: 'draining', workerId: worker.id, sessions } };
}
