import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { CONTROL_COMMANDS, type ControlCommand } from '../contracts/index.js';

/**
 * A signed recording-control command as it travels on Redis (docs/control.md is the wire
 * contract for the capture-policy service). The signature covers every other field, so a
 * command cannot be re-aimed at another meeting, turned into another command or re-dated.
 */
export interface ControlEnvelope {
  v: 1;
  requestId: string;
  meetingId: string;
  command: ControlCommand;
  /** Milliseconds since the Unix epoch when the sender signed it. */
  issuedAt: number;
  /** Lowercase hex HMAC-SHA256 of `canonicalString(envelope)` under the shared secret. */
  signature: string;
}

export type UnsignedEnvelope = Omit<ControlEnvelope, 'signature'>;

/** How far a command may lag behind (delivery, queueing) or run ahead (clock skew) of the verifier. */
export const MAX_AGE_MS = 60_000;
export const MAX_FUTURE_MS = 5_000;

/** Request ids become part of a Redis key, so they are kept to a safe alphabet. */
const REQUEST_ID = /^[A-Za-z0-9_-]{16,128}$/;
// The MeetingJob's own rule (src/contracts/job.ts): never contains a newline, so the canonical string is unambiguous.
const MEETING_ID = /^[A-Za-z0-9][A-Za-z0-9._:@-]{0,199}$/;
const SIGNATURE = /^[0-9a-f]{64}$/;

/** The exact bytes that are signed: fixed field order, one per line, no trailing newline. */
export function canonicalString(e: UnsignedEnvelope): string {
  return ['meetcap-control', String(e.v), e.requestId, e.meetingId, e.command, String(e.issuedAt)].join('\n');
}

export function signatureOf(e: UnsignedEnvelope, secret: string): string {
  return createHmac('sha256', secret).update(canonicalString(e), 'utf8').digest('hex');
}

export function signEnvelope(
  fields: { meetingId: string; command: ControlCommand; requestId?: string; issuedAt?: number },
  secret: string,
): ControlEnvelope {
  const unsigned: UnsignedEnvelope = {
    v: 1,
    requestId: fields.requestId ?? `req_${randomUUID().replaceAll('-', '')}`,
    meetingId: fields.meetingId,
    command: fields.command,
    issuedAt: fields.issuedAt ?? Date.now(),
  };
  const problem = shapeProblem({ ...unsigned, signature: '0'.repeat(64) });
  if (problem) throw new TypeError(`cannot sign a control command: ${problem}`);
  return { ...unsigned, signature: signatureOf(unsigned, secret) };
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

function shapeProblem(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return 'not an object';
  const e = value as Record<string, unknown>;
  if (e.v !== 1) return 'unknown version';
  if (typeof e.requestId !== 'string' || !REQUEST_ID.test(e.requestId)) return 'bad requestId';
  if (typeof e.meetingId !== 'string' || !MEETING_ID.test(e.meetingId)) return 'bad meetingId';
  if (!CONTROL_COMMANDS.includes(e.command as ControlCommand)) return 'unknown command';
  if (typeof e.issuedAt !== 'number' || !Number.isSafeInteger(e.issuedAt)) return 'bad issuedAt';
  if (typeof e.signature !== 'string') return 'no signature';
  return undefined;
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
  const expected = Buffer.from(signatureOf(e, secret), 'hex');
  return timingSafeEqual(expected, Buffer.from(e.signature, 'hex'));
}
