import type { ControlResult } from '../contracts/index.js';

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
 * Replies, in the order a worker pushes them: `accepted` as soon as it knows it runs the meeting
 * and the command verified, then exactly one `result`. A refusal is a `result` without `accepted`.
 * The split lets the sender tell "nobody runs this meeting" (no reply at all) from "the session
 * is slow to answer" (accepted, result later).
 */
export type ControlReply =
  | { v: 1; requestId: string; kind: 'accepted' }
  | { v: 1; requestId: string; kind: 'result'; result: ControlResult };

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
