import type { Redis } from 'ioredis';
import { MeetcapError, type ControlCommand, type SessionState } from '../contracts/index.js';
import { controlChannel, parseReply, replyKey, SESSION_ANSWER_TIMEOUT_MS, type ControlReply } from './channel.js';
import { signEnvelope } from './envelope.js';

export interface SendControlOptions {
  /**
   * The connection for PUBLISH, asked for only once the command is signed (a refused command
   * opens nothing). Each command BLPOPs on its own duplicate, so callers never block each other.
   */
  redis: () => Redis;
  queuePrefix: string;
  secret: string | undefined;
  /** How long to wait for the worker running the meeting to claim the command (default 5 s). */
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
 * Signs a command, publishes it, and waits for the worker that runs the meeting. Throws
 * `control_unauthorized` without sending when no secret is configured, `meeting_not_live` when
 * nobody claims the command in time, or the session's own error.
 */
export async function sendControl(opts: SendControlOptions, meetingId: string, command: ControlCommand): Promise<ControlOutcome> {
  if (!opts.secret) throw new MeetcapError('control_unauthorized', 'MEETCAP_CONTROL_SECRET is not set; control commands must be signed', { why: 'no_secret' });
  let envelope;
  try {
    envelope = signEnvelope({ meetingId, command }, opts.secret);
  } catch (err) {
    throw new MeetcapError('meeting_not_live', `no meeting can have the id ${JSON.stringify(meetingId)}`, {}, { cause: err });
  }
  const key = replyKey(opts.queuePrefix, envelope.requestId);
  const redis = opts.redis();
  const waiter = redis.duplicate();
  try {
    const listeners = await redis.publish(controlChannel(opts.queuePrefix), JSON.stringify(envelope));
    if (listeners === 0) throw notLive(meetingId, 'no worker is listening for control commands');
    const first = await pop(waiter, key, envelope.requestId, opts.replyTimeoutMs ?? DEFAULT_REPLY_TIMEOUT_MS);
    if (!first) throw notLive(meetingId, 'no worker runs a session for this meeting');
    const reply = first.kind === 'result' ? first : await pop(waiter, key, envelope.requestId, SESSION_ANSWER_TIMEOUT_MS + RESULT_MARGIN_MS);
    if (reply?.kind !== 'result') throw new MeetcapError('internal_error', 'the worker accepted the command but sent no result');
    if (!reply.result.ok) {
      const e = reply.result.error;
      throw new MeetcapError(e.code, e.message, e.details);
    }
    return { meetingId, command, state: reply.result.state };
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

function notLive(meetingId: string, why: string): MeetcapError {
  return new MeetcapError('meeting_not_live', `${why} (meeting ${meetingId})`, { meetingId });
}
