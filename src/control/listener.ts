import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { MeetcapError, type ControlCommand, type ControlResult } from '../contracts/index.js';
import { controlChannel, replyKey, REPLY_TTL_SEC, SESSION_ANSWER_TIMEOUT_MS, type ControlReply } from './channel.js';
import { createVerifier, parseEnvelope, type ControlEnvelope } from './envelope.js';

/** What the listener needs of a running session (the scheduler's RunningSession fits). */
export interface ControllableSession {
  readonly meetingId: string;
  control(requestId: string, command: ControlCommand, timeoutMs: number): Promise<ControlResult>;
}

export interface ControlListenerOptions {
  /** For replies; the listener subscribes on its own duplicate (a subscribed connection can do nothing else). */
  redis: Redis;
  queuePrefix: string;
  secret: string | undefined;
  log: Logger;
  /** The sessions this worker runs right now. */
  sessions: () => Iterable<ControllableSession>;
  sessionTimeoutMs?: number;
  now?: () => number;
}

export interface ControlListener {
  close(): Promise<void>;
}

/**
 * The worker's end of the control channel. Only the worker that runs the meeting reacts (others
 * stay silent, so a fleet answers once); it verifies, forwards over IPC and replies on Redis.
 */
export async function startControlListener(opts: ControlListenerOptions): Promise<ControlListener> {
  const verifier = createVerifier({ secret: opts.secret, now: opts.now });
  const sub = opts.redis.duplicate();
  const channel = controlChannel(opts.queuePrefix);
  const inFlight = new Set<Promise<void>>();
  if (!opts.secret) opts.log.warn('MEETCAP_CONTROL_SECRET is not set: every control command for this worker will be refused');

  const handle = async (raw: string): Promise<void> => {
    const { envelope, problem } = parseEnvelope(raw);
    if (!envelope) return void opts.log.warn({ why: problem }, 'control message ignored: not a control envelope');
    const session = [...opts.sessions()].find((s) => s.meetingId === envelope.meetingId);
    if (!session) return;
    const result = await decide(envelope, session);
    await reply(envelope, { v: 1, requestId: envelope.requestId, kind: 'result', result });
  };

  const decide = async (envelope: ControlEnvelope, session: ControllableSession): Promise<ControlResult> => {
    const { meetingId, command, requestId } = envelope;
    const verdict = verifier.verify(envelope);
    if (!verdict.ok) {
      opts.log.warn({ meetingId, command, requestId, why: verdict.why }, 'control command refused');
      const error = new MeetcapError('control_unauthorized', `control command refused: ${verdict.why}`, { why: verdict.why });
      return { ok: false, error: error.toJSON() };
    }
    await reply(envelope, { v: 1, requestId, kind: 'accepted' });
    const result = await session.control(requestId, command, opts.sessionTimeoutMs ?? SESSION_ANSWER_TIMEOUT_MS);
    const outcome = result.ok ? { state: result.state } : { code: result.error.code };
    opts.log.info({ meetingId, command, requestId, ...outcome }, 'control command answered');
    return result;
  };

  const reply = async (envelope: ControlEnvelope, message: ControlReply): Promise<void> => {
    const key = replyKey(opts.queuePrefix, envelope.requestId);
    await opts.redis.multi().lpush(key, JSON.stringify(message)).expire(key, REPLY_TTL_SEC).exec();
  };

  sub.on('message', (ch: string, raw: string) => {
    if (ch !== channel) return;
    const p = handle(raw)
      .catch((err: unknown) => opts.log.error({ err }, 'control command handling failed'))
      .finally(() => inFlight.delete(p));
    inFlight.add(p);
  });
  await sub.subscribe(channel);
  opts.log.info({ channel }, 'listening for control commands');

  let closing: Promise<void> | undefined;
  return {
    close() {
      closing ??= (async () => {
        await sub.quit().catch(() => undefined);
        // Replies still owed go out before the worker closes the connection they use.
        await Promise.allSettled([...inFlight]);
      })();
      return closing;
    },
  };
}
