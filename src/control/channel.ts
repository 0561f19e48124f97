import type { ControlResult, SerializedError } from '../contracts/index.js';
import type { EnvelopeCommand } from './envelope.js';

/** Where signed commands are published; every worker subscribes once. */
export function controlChannel(queuePrefix: string): string {
  return `${queuePrefix}:control`;
}

/** The list the worker running the meeting LPUSHes its replies to (the sender BLPOPs it). */
export function replyKey(queuePrefix: string, requestId: string): string {
  return `${queuePrefix}:control:reply:${requestId}`;
}

/** Reply lists outlive a sender that gave up, but not for long. */
export const REPLY_TTL_SEC = 60;

/** How long a worker waits for its session's control_result before answering internal_error. */
export const SESSION_ANSWER_TIMEOUT_MS = 5_000;
/**
 * A screenshot is a page capture plus a PNG encode; on a busy 2-core box that can take seconds.
 * The session gives up after 10 s itself; the worker waits a little longer so that the session's
 * own, more specific error is the one the sender sees.
 */
export const SCREENSHOT_TIMEOUT_MS = 12_000;
/** Larger PNGs are refused rather than pushed through Redis (a 1080p page is well under 2 MiB). */
export const MAX_SCREENSHOT_BYTES = 8 * 1024 * 1024;

/** How long the worker gives its session to answer `command` before it answers internal_error itself. */
export function sessionAnswerTimeoutMs(command: EnvelopeCommand): number {
  return command === 'screenshot' ? SCREENSHOT_TIMEOUT_MS : SESSION_ANSWER_TIMEOUT_MS;
}

/**
 * What a worker answers to an operator command. `kill` answers once the session was told to stop
 * (its outcome follows on the event stream; the hard kill comes `graceSec` later if it has not
 * exited), `drain` once the worker stopped leasing (it exits when `sessions` have ended).
 */
export type OperatorAnswer =
  | { command: 'kill'; status: 'stopping'; workerId: string; graceSec: number; sessions: Array<{ sessionId: string; meetingId: string }> }
  | { command: 'screenshot'; workerId: string; sessionId: string; meetingId: string; pngBase64: string }
  | { command: 'drain'; status: 'draining'; workerId: string; sessions: number };

export type ReplyResult = ControlResult | { ok: true; answer: OperatorAnswer } | { ok: false; error: SerializedError };

/**
 * Replies, in the order a worker pushes them: `accepted` as soon as it knows it runs the meeting
 * and the command verified, then exactly one `result`. A refusal is a `result` without `accepted`.
 * The split lets the sender tell "nobody runs this meeting" (no reply at all) from "the session
 * is slow to answer" (accepted, result later).
 */
export type ControlReply =
  | { v: 1; requestId: string; kind: 'accepted' }
  | { v: 1; requestId: string; kind: 'result'; result: ReplyResult };

export function parseReply(raw: string, requestId: string): ControlReply | undefined {
  try {
    const r = JSON.parse(raw) as Partial<ControlReply>;
    if (r.v !== 1 || r.requestId !== requestId) return undefined;
    if (r.kind === 'accepted') return r as ControlReply;
    if (r.kind === 'result' && typeof r.result === 'object' && r.result !== null) return r as ControlReply;
  } catch {
    // fall through: not a reply we understand
  }
  return undefined;
}
