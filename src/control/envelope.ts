import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { CONTROL_COMMANDS, type ControlCommand } from '../contracts/index.js';

/**
 * Signed commands as they travel on Redis (docs/control.md is the wire contract for the
 * capture-policy service and any other sender). The signature covers every other field, so a
 * command cannot be re-aimed at another meeting, session or worker, turned into another command,
 * given another reason or re-dated.
 *
 * v1 carries recording commands for a meeting and stays accepted unchanged (external senders
 * speak it). v2 adds a typed target and the operator commands.
 */
export const OPERATOR_COMMANDS = ['kill', 'screenshot', 'drain'] as const;
export type OperatorCommand = (typeof OPERATOR_COMMANDS)[number];
export type EnvelopeCommand = ControlCommand | OperatorCommand;
const ALL_COMMANDS: readonly EnvelopeCommand[] = [...CONTROL_COMMANDS, ...OPERATOR_COMMANDS];

export type TargetKind = 'meeting' | 'session' | 'worker';
export interface Target {
  kind: TargetKind;
  id: string;
}

export interface EnvelopeV1 {
  v: 1;
  requestId: string;
  meetingId: string;
  command: ControlCommand;
  /** Milliseconds since the Unix epoch when the sender signed it. */
  issuedAt: number;
  /** Lowercase hex HMAC-SHA256 of `canonicalString(envelope)` under the shared secret. */
  signature: string;
}

export interface EnvelopeV2 {
  v: 2;
  requestId: string;
  target: Target;
  command: EnvelopeCommand;
  /** Free text for the audit trail (kill only), at most MAX_REASON_CHARS, no control characters. */
  reason?: string;
  issuedAt: number;
  signature: string;
}

export type ControlEnvelope = EnvelopeV1 | EnvelopeV2;
type Unsigned<E> = E extends unknown ? Omit<E, 'signature'> : never;
export type UnsignedEnvelope = Unsigned<ControlEnvelope>;

/** How far a command may lag behind (delivery, queueing) or run ahead (clock skew) of the verifier. */
export const MAX_AGE_MS = 60_000;
export const MAX_FUTURE_MS = 5_000;
export const MAX_REASON_CHARS = 200;

/** Request ids become part of a Redis key, so they are kept to a safe alphabet. */
const REQUEST_ID = /^[A-Za-z0-9_-]{16,128}$/;
// The MeetingJob's own rule (src/contracts/job.ts): never contains a newline, so the canonical string is unambiguous.
const MEETING_ID = /^[A-Za-z0-9][A-Za-z0-9._:@-]{0,199}$/;
/** Session ids as the worker mints them (`ses_<uuid>`); worker ids are `<host>:<pid>:<random>`. */
export const SESSION_ID = /^ses_[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const WORKER_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,199}$/;
const SIGNATURE = /^[0-9a-f]{64}$/;
// Control characters (newlines included) would make the canonical string ambiguous and the audit unreadable.
const CONTROL_CHARS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

/** Which targets each command may name: drain is per worker, everything else per meeting or session. */
const TARGETS: Record<EnvelopeCommand, readonly TargetKind[]> = {
  pause: ['meeting', 'session'],
  resume: ['meeting', 'session'],
  start_recording: ['meeting', 'session'],
  kill: ['meeting', 'session'],
  screenshot: ['meeting', 'session'],
  drain: ['worker'],
};

/** The exact bytes that are signed: fixed field order, one per line, no trailing newline. */
export function canonicalString(e: UnsignedEnvelope): string {
  if (e.v === 1) return ['meetcap-control', '1', e.requestId, e.meetingId, e.command, String(e.issuedAt)].join('\n');
  return ['meetcap-control', '2', e.requestId, e.target.kind, e.target.id, e.command, String(e.issuedAt), e.reason ?? ''].join('\n');
}

export function signatureOf(e: UnsignedEnvelope, secret: string): string {
  return createHmac('sha256', secret).update(canonicalString(e), 'utf8').digest('hex');
}

const newRequestId = (): string => `req_${randomUUID().replaceAll('-', '')}`;

/** Signs a v1 (meeting, recording command) envelope: the format external senders use. */
export function signEnvelope(
  fields: { meetingId: string; command: ControlCommand; requestId?: string; issuedAt?: number },
  secret: string,
): EnvelopeV1 {
  const unsigned: Omit<EnvelopeV1, 'signature'> = {
    v: 1,
    requestId: fields.requestId ?? newRequestId(),
    meetingId: fields.meetingId,
    command: fields.command,
    issuedAt: fields.issuedAt ?? Date.now(),
  };
  return sealed(unsigned, secret);
}

/** Signs a v2 envelope (any command, typed target). An empty reason is no reason. */
export function signEnvelopeV2(
  fields: { target: Target; command: EnvelopeCommand; reason?: string; requestId?: string; issuedAt?: number },
  secret: string,
): EnvelopeV2 {
  const unsigned: Omit<EnvelopeV2, 'signature'> = {
    v: 2,
    requestId: fields.requestId ?? newRequestId(),
    target: { kind: fields.target.kind, id: fields.target.id },
    command: fields.command,
    ...(fields.reason ? { reason: fields.reason } : {}),
    issuedAt: fields.issuedAt ?? Date.now(),
  };
  return sealed(unsigned, secret);
}

function sealed<E extends UnsignedEnvelope>(unsigned: E, secret: string): E & { signature: string } {
  const problem = shapeProblem({ ...unsigned, signature: '0'.repeat(64) });
  if (problem) throw new TypeError(`cannot sign a control command: ${problem}`);
  return { ...unsigned, signature: signatureOf(unsigned, secret) };
}

/** Where an envelope is aimed, whatever its version. */
export function targetOf(e: ControlEnvelope): Target {
  return e.v === 1 ? { kind: 'meeting', id: e.meetingId } : e.target;
}

/**
 * Parses a message from the channel far enough to route it. Anything that is not an envelope
 * is `undefined`; a routable one may still be forged, which `verify` decides.
 */
export function parseEnvelope(raw: string): { envelope?: ControlEnvelope; problem?: string } {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return { problem: 'not JSON' };
  }
  const problem = shapeProblem(value);
  return problem ? { problem } : { envelope: value as ControlEnvelope };
}

/** Why an id cannot be a target of that kind (undefined when it can). */
export function targetProblem(target: Target): string | undefined {
  const rule = { meeting: MEETING_ID, session: SESSION_ID, worker: WORKER_ID }[target.kind];
  if (!rule) return 'unknown target kind';
  return typeof target.id === 'string' && rule.test(target.id) ? undefined : `bad ${target.kind} id`;
}

/** Why a kill reason cannot be signed (undefined when it can). */
export function reasonProblem(reason: unknown): string | undefined {
  if (reason === undefined) return undefined;
  if (typeof reason !== 'string') return 'reason is not text';
  if (reason.length > MAX_REASON_CHARS) return `reason is longer than ${MAX_REASON_CHARS} characters`;
  if (CONTROL_CHARS.test(reason)) return 'reason contains control characters (newlines included)';
  return undefined;
}

function shapeProblem(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return 'not an object';
  const e = value as Record<string, unknown>;
  if (e.v !== 1 && e.v !== 2) return 'unknown version';
  if (typeof e.requestId !== 'string' || !REQUEST_ID.test(e.requestId)) return 'bad requestId';
  if (e.v === 1) {
    if (typeof e.meetingId !== 'string' || !MEETING_ID.test(e.meetingId)) return 'bad meetingId';
    if (!CONTROL_COMMANDS.includes(e.command as ControlCommand)) return 'unknown command';
  } else {
    const problem = v2Problem(e);
    if (problem) return problem;
  }
  if (typeof e.issuedAt !== 'number' || !Number.isSafeInteger(e.issuedAt)) return 'bad issuedAt';
  if (typeof e.signature !== 'string') return 'no signature';
  return undefined;
}

function v2Problem(e: Record<string, unknown>): string | undefined {
  const target = e.target as Partial<Target> | null | undefined;
  if (typeof target !== 'object' || target === null) return 'no target';
  const targetIssue = targetProblem(target as Target);
  if (targetIssue) return targetIssue;
  if (!ALL_COMMANDS.includes(e.command as EnvelopeCommand)) return 'unknown command';
  if (!TARGETS[e.command as EnvelopeCommand].includes(target.kind!)) return `${String(e.command)} cannot target a ${target.kind}`;
  if (e.reason !== undefined && e.command !== 'kill') return 'only kill carries a reason';
  if (e.reason === '') return 'empty reason (omit the field)';
  return reasonProblem(e.reason);
}

/** Why a verifier refused a command; logged and returned to the sender in `details.why`. */
export type RefusalWhy = 'no_secret' | 'bad_signature' | 'stale' | 'from_the_future' | 'replayed';

export type Verdict = { ok: true } | { ok: false; why: RefusalWhy };

export interface Verifier {
  verify(e: ControlEnvelope): Verdict;
}

/**
 * Checks signature, age and replay. Request ids are remembered only after a valid signature (so
 * forged traffic cannot fill memory) and only for as long as a command can pass the age check.
 */
export function createVerifier(opts: { secret: string | undefined; now?: () => number }): Verifier {
  const now = opts.now ?? Date.now;
  const seen = new Map<string, number>();
  return {
    verify(e) {
      if (!opts.secret) return { ok: false, why: 'no_secret' };
      if (!signatureMatches(e, opts.secret)) return { ok: false, why: 'bad_signature' };
      const t = now();
      if (e.issuedAt < t - MAX_AGE_MS) return { ok: false, why: 'stale' };
      if (e.issuedAt > t + MAX_FUTURE_MS) return { ok: false, why: 'from_the_future' };
      for (const [id, until] of seen) if (until < t) seen.delete(id);
      if (seen.has(e.requestId)) return { ok: false, why: 'replayed' };
      seen.set(e.requestId, e.issuedAt + MAX_AGE_MS);
      return { ok: true };
    },
  };
}

function signatureMatches(e: ControlEnvelope, secret: string): boolean {
  if (!SIGNATURE.test(e.signature)) return false;
  // Re-derived from the fields the verifier will act on; a v2 envelope with extra JSON fields signs the same.
  const { signature: _ignored, ...unsigned } = e;
  const expected = Buffer.from(signatureOf(unsigned as UnsignedEnvelope, secret), 'hex');
  return timingSafeEqual(expected, Buffer.from(e.signature, 'hex'));
}
