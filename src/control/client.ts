import type { Redis } from 'ioredis';
import { MeetcapError, type ControlCommand, type SessionState } from '../contracts/index.js';
import { controlChannel, parseReply, replyKey, sessionAnswerTimeoutMs, type ControlReply, type OperatorAnswer, type ReplyResult } from './channel.js';
import { signEnvelope, signEnvelopeV2, type ControlEnvelope, type OperatorCommand, type Target } from './envelope.js';
import { duplicateConnection } from '../scheduler/queue.js';

export interface SendControlOptions {
  /**
   * The connection for PUBLISH, asked for only once the command is signed (a refused command
   * opens nothing). Each command BLPOPs on its own duplicate, so callers never block each other.
   */
  redis: () => Redis;
  queuePrefix: string;
  secret: string | undefined;
  /** How long to wait for the worker running the target to claim the command (default 5 s). */
  replyTimeoutMs?: number;
}

export interface ControlOutcome {
  meetingId: string;
  command: ControlCommand;
  state: SessionState;
}

const DEFAULT_REPLY_TIMEOUT_MS = 5_000;
/** After `accepted`, the worker answers within its own session timeout; this covers the Redis round trips. */
const RESULT_MARGIN_MS = 2_000;

/**
 * Signs a recording command (v1 envelope, the format external senders use), publishes it, and
 * waits for the worker that runs the meeting. Throws `control_unauthorized` without sending when
 * no secret is configured, `meeting_not_live` when nobody claims the command in time, or the
 * session's own error.
 */
export async function sendControl(opts: SendControlOptions, meetingId: string, command: ControlCommand): Promise<ControlOutcome> {
  const secret = requireSecret(opts);
  const envelope = signOrNotLive(() => signEnvelope({ meetingId, command }, secret), { kind: 'meeting', id: meetingId });
  const result = await exchange(opts, envelope, { kind: 'meeting', id: meetingId });
  if (!('state' in result)) throw new MeetcapError('internal_error', 'the worker answered a recording command without a state');
  return { meetingId, command, state: result.state };
}

/**
 * Signs an operator command (v2 envelope) for a meeting, session or worker and waits for the
 * worker that runs it. Same errors as `sendControl`; `meeting_not_live` also covers an unknown
 * session or worker id.
 */
export async function sendOperatorCommand<C extends OperatorCommand>(
  opts: SendControlOptions,
  target: Target,
  command: C,
  extra: { reason?: string } = {},
): Promise<Extract<OperatorAnswer, { command: C }>> {
  const secret = requireSecret(opts);
  const envelope = signOrNotLive(() => signEnvelopeV2({ target, command, reason: extra.reason }, secret), target);
  const result = await exchange(opts, envelope, target);
  if (!('answer' in result) || result.answer.command !== command) throw new MeetcapError('internal_error', `the worker answered ${command} with something else`);
  return result.answer as Extract<OperatorAnswer, { command: C }>;
}

function requireSecret(opts: SendControlOptions): string {
  if (!opts.secret) throw new MeetcapError('control_unauthorized', 'MEETCAP_CONTROL_SECRET is not set; control commands must be signed', { why: 'no_secret' });
  return opts.secret;
}

function signOrNotLive<E extends ControlEnvelope>(sign: () => E, target: Target): E {
  try {
    return sign();
  } catch (err) {
    throw new MeetcapError('meeting_not_live', `no ${target.kind} can have the id ${JSON.stringify(target.id)}`, { [`${target.kind}Id`]: target.id }, { cause: err });
  }
}

/** Publishes the envelope and returns the worker's successful result (a failed one is thrown as its typed error). */
async function exchange(opts: SendControlOptions, envelope: ControlEnvelope, target: Target): Promise<Extract<ReplyResult, { ok: true }>> {
  const key = replyKey(opts.queuePrefix, envelope.requestId);
  const redis = opts.redis();
  const waiter = duplicateConnection(redis);
  try {
    const listeners = await redis.publish(controlChannel(opts.queuePrefix), JSON.stringify(envelope));
    if (listeners === 0) throw notLive(target, 'no worker is listening for control commands');
    const first = await pop(waiter, key, envelope.requestId, opts.replyTimeoutMs ?? DEFAULT_REPLY_TIMEOUT_MS);
    if (!first) throw notLive(target, target.kind === 'worker' ? 'no worker with this id answered' : `no worker runs this ${target.kind}`);
    const resultWait = sessionAnswerTimeoutMs(envelope.command) + RESULT_MARGIN_MS;
    const reply = first.kind === 'result' ? first : await pop(waiter, key, envelope.requestId, resultWait);
    if (reply?.kind !== 'result') throw new MeetcapError('internal_error', 'the worker accepted the command but sent no result');
    if (!reply.result.ok) {
      const e = reply.result.error;
      throw new MeetcapError(e.code, e.message, e.details);
    }
    return reply.result;
  } finally {
    await redis.del(key).catch(() => undefined);
    waiter.disconnect();
  }
}

async function pop(redis: Redis, key: string, requestId: string, timeoutMs: number): Promise<ControlReply | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const left = deadline - Date.now();
    if (left <= 0) return undefined;
    // BLPOP takes seconds; fractions are allowed since Redis 6.
    const got = await redis.blpop(key, Math.max(0.01, left / 1000));
    if (!got) return undefined;
    const reply = parseReply(got[1], requestId);
    if (reply) return reply;
  }
}

function notLive(target: Target, why: string): MeetcapError {
  const idField = `${target.kind}Id`;
  return new MeetcapError('meeting_not_live', `${why} (${target.kind} ${target.id})`, { [idField]: target.id });
}

