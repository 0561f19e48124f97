import type { OperatorAnswer } from '../control/channel.js';
import { sendOperatorCommand, type SendControlOptions } from '../control/client.js';
import { reasonProblem, SESSION_ID, type Target } from '../control/envelope.js';
import { MeetcapError } from '../contracts/index.js';
import type { OpsDeps } from './api.js';
import { requireOperator } from './auth.js';

type Answer<C extends OperatorAnswer['command']> = Omit<Extract<OperatorAnswer, { command: C }>, 'command'>;

/** `kill` answers as soon as the session was told to stop; its outcome follows on the event stream. */
export type KillResult = Answer<'kill'>;
export type DrainResult = Answer<'drain'>;

/** The PNG bytes, labelled with whose screen it is and its size in pixels. */
export type ScreenshotPng = Buffer & {
  readonly sessionId: string;
  readonly meetingId: string;
  readonly workerId: string;
  readonly width: number;
  readonly height: number;
};

/**
 * Operator commands (issue 5 §1): signed with MEETCAP_CONTROL_SECRET and carried out by the worker
 * running the target (docs/control.md). Each checks the secret against the fleet's and audits
 * the command first (`control_unauthorized` when refused).
 */
export interface OperatorOps {
  /** Makes the session(s) of a meeting, or one `ses_…` session, leave and finalize. */
  kill(id: string, opts?: { reason?: string }): Promise<KillResult>;
  /** A PNG of what the bot sees now (the newest session of a meeting, or the `ses_…` session). */
  screenshot(id: string): Promise<ScreenshotPng>;
  /** The worker stops leasing; `meetcap worker` exits once its sessions have ended. */
  drain(workerId: string): Promise<DrainResult>;
}

/** `ses_<uuid>` is a session id; anything else names a meeting. */
export function targetOfId(id: string): Target {
  return SESSION_ID.test(id) ? { kind: 'session', id } : { kind: 'meeting', id };
}

export function operatorOps(deps: OpsDeps): OperatorOps {
  const send: SendControlOptions = {
    redis: deps.redis,
    queuePrefix: deps.config.queuePrefix,
    secret: deps.config.controlSecret,
    replyTimeoutMs: deps.options.controlReplyTimeoutMs,
  };
  const authorize = (op: 'kill' | 'screenshot' | 'drain', target: string, reason?: string): Promise<void> =>
    requireOperator(deps.redis(), deps.keys, deps.config.controlSecret, op, target, reason ? { reason } : {});
  return {
    async kill(id, opts = {}) {
      const reason = normalizeReason(opts.reason);
      await authorize('kill', id, reason);
      const { command: _c, ...answer } = await sendOperatorCommand(send, targetOfId(id), 'kill', { reason });
      return answer;
    },
    async screenshot(id) {
      await authorize('screenshot', id);
      const answer = await sendOperatorCommand(send, targetOfId(id), 'screenshot');
      const png = Buffer.from(answer.pngBase64, 'base64');
      const { width, height } = pngSize(png);
      return Object.assign(png, { sessionId: answer.sessionId, meetingId: answer.meetingId, workerId: answer.workerId, width, height });
    },
    async drain(workerId) {
      await authorize('drain', workerId);
      const { command: _c, ...answer } = await sendOperatorCommand(send, { kind: 'worker', id: workerId }, 'drain');
      return answer;
    },
  };
}

/**
 * Whitespace runs (a pasted multi-line note) become one space; anything else the envelope cannot
 * carry is refused before the command is authorized or sent, so nothing half-happens.
 */
function normalizeReason(reason: string | undefined): string | undefined {
  const text = reason?.replace(/\s+/g, ' ').trim();
  if (!text) return undefined;
  const problem = reasonProblem(text);
  if (problem) throw new MeetcapError('control_refused', `kill --reason: ${problem}`, { why: 'bad_reason' });
  return text;
}

const PNG_MAGIC = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Width and height from the IHDR chunk, which the PNG format requires to come first. */
export function pngSize(png: Buffer): { width: number; height: number } {
  if (png.length < 24 || !png.subarray(0, 8).equals(PNG_MAGIC) || png.toString('latin1', 12, 16) !== 'IHDR') {
    throw new MeetcapError('internal_error', 'the session sent a screenshot that is not a PNG', { bytes: png.length });
  }
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}
