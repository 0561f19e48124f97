import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { CONTROL_COMMANDS, MeetcapError, type ControlCommand } from '../contracts/index.js';
import { controlChannel, replyKey, REPLY_TTL_SEC, SESSION_ANSWER_TIMEOUT_MS, type ControlReply, type ReplyResult } from './channel.js';
import { createVerifier, parseEnvelope, targetOf, type ControlEnvelope, type Target } from './envelope.js';
import { runOperatorCommand, type ControllableSession, type ControlledWorker } from './operator.js';
import { duplicateConnection } from '../scheduler/queue.js';

export type { ControllableSession, ControlledWorker } from './operator.js';

export interface ControlListenerOptions {
  /** For replies; the listener subscribes on its own duplicate (a subscribed connection can do nothing else). */
  redis: Redis;
  queuePrefix: string;
  secret: string | undefined;
  log: Logger;
  /** The sessions this worker runs right now. */
  sessions: () => Iterable<ControllableSession>;
  /** This worker, for `drain` and `kill`; without it only recording commands are obeyed. */
  worker?: ControlledWorker;
  sessionTimeoutMs?: number;
  now?: () => number;
}

export interface ControlListener {
  close(): Promise<void>;
}

/**
 * The worker's end of the control channel. Only the worker that runs the target reacts (others
 * stay silent, so a fleet answers once): the meeting, the session, or (drain) the worker itself.
 * It verifies, carries the command out (recording commands over IPC) and replies on Redis.
 */
export async function startControlListener(opts: ControlListenerOptions): Promise<ControlListener> {
  const verifier = createVerifier({ secret: opts.secret, now: opts.now });
  const sub = duplicateConnection(opts.redis);
  const channel = controlChannel(opts.queuePrefix);
  const inFlight = new Set<Promise<void>>();
  if (!opts.secret) opts.log.warn('MEETCAP_CONTROL_SECRET is not set: every control command for this worker will be refused');

  const handle = async (raw: string): Promise<void> => {
    const { envelope, problem } = parseEnvelope(raw);
    if (!envelope) return void opts.log.warn({ why: problem }, 'control message ignored: not a control envelope');
    const target = targetOf(envelope);
    const sessions = targeted(target);
    if (!sessions) return;
    const result = await decide(envelope, target, sessions);
    await reply(envelope, { v: 1, requestId: envelope.requestId, kind: 'result', result });
  };

  /** The sessions a command is for on this worker (empty for drain), or undefined when it is not ours. */
  const targeted = (target: Target): ControllableSession[] | undefined => {
    if (target.kind === 'worker') return opts.worker?.id === target.id ? [] : undefined;
    const field = target.kind === 'session' ? 'sessionId' : 'meetingId';
    const mine = [...opts.sessions()].filter((s) => s[field] === target.id);
    return mine.length > 0 ? mine : undefined;
  };

  const decide = async (envelope: ControlEnvelope, target: Target, sessions: ControllableSession[]): Promise<ReplyResult> => {
    const { command, requestId } = envelope;
    const about = { target: `${target.kind}:${target.id}`, command, requestId };
    const verdict = verifier.verify(envelope);
    if (!verdict.ok) {
      opts.log.warn({ ...about, ...(target.kind === 'meeting' ? { meetingId: target.id } : {}), why: verdict.why }, 'control command refused');
      const error = new MeetcapError('control_unauthorized', `control command refused: ${verdict.why}`, { why: verdict.why });
      return { ok: false, error: error.toJSON() };
    }
    await reply(envelope, { v: 1, requestId, kind: 'accepted' });
    if (!isRecordingCommand(command)) {
      const ctx = { redis: opts.redis, queuePrefix: opts.queuePrefix, log: opts.log, worker: opts.worker, sessionCount: () => [...opts.sessions()].length };
      const result = await runOperatorCommand(ctx, envelope as Extract<ControlEnvelope, { v: 2 }>, sessions);
      opts.log.info({ ...about, ...(result.ok ? {} : { code: result.error.code }) }, 'operator command answered');
      return result;
    }
    const session = sessions.at(-1)!;
    const result = await session.control(requestId, command, opts.sessionTimeoutMs ?? SESSION_ANSWER_TIMEOUT_MS);
    const outcome = result.ok ? { state: result.state } : { code: result.error.code };
    opts.log.info({ meetingId: session.meetingId, command, requestId, ...outcome }, 'control command answered');
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

function isRecordingCommand(command: string): command is ControlCommand {
  return (CONTROL_COMMANDS as readonly string[]).includes(command);
}
