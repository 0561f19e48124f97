import { createHmac, timingSafeEqual } from 'node:crypto';
import { hostname, userInfo } from 'node:os';
import type { Redis } from 'ioredis';
import { MeetcapError } from '../contracts/index.js';
import type { FleetKeys } from '../fleet/keys.js';

/**
 * Operator commands (kill, screenshot, drain, logs) need MEETCAP_CONTROL_SECRET. Commands that
 * reach a worker are signed and the worker verifies them (src/control/). Reads straight from
 * Redis (logs) cannot be verified by a worker, so workers publish a verifier of the secret, the
 * CLI compares its own, and every refusal and every accepted command goes to the audit stream.
 * Redis itself must still require credentials (docs/operations.md): whoever holds those can read
 * the keys directly.
 */
export type OperatorOp = 'kill' | 'screenshot' | 'drain' | 'logs';

const VERIFIER_LABEL = 'meetcap-operator-verifier-v1';
const AUDIT_MAX_LEN = 10_000;

export function operatorVerifier(secret: string): string {
  return createHmac('sha256', secret).update(VERIFIER_LABEL).digest('base64url');
}

/** Called by every worker at start: the CLI then knows which secret the fleet holds. */
export async function publishOperatorVerifier(redis: Redis, keys: FleetKeys, secret: string | undefined): Promise<void> {
  if (secret) await redis.set(keys.operatorVerifier, operatorVerifier(secret));
}

export interface AuditEntry {
  op: OperatorOp;
  target: string;
  outcome: 'accepted' | 'refused';
  why?: string;
  /** The operator's own words (kill --reason), bounded by the caller. */
  reason?: string;
}

export async function audit(redis: Redis, keys: FleetKeys, entry: AuditEntry): Promise<void> {
  const fields = { ...entry, at: new Date().toISOString(), host: hostname(), user: safeUser(), pid: String(process.pid) };
  await redis.xadd(keys.audit, 'MAXLEN', '~', AUDIT_MAX_LEN, '*', ...Object.entries(fields).flatMap(([k, v]) => (v === undefined ? [] : [k, String(v)])));
}

/**
 * Throws `control_unauthorized` (after auditing the refusal) unless `secret` is set and matches
 * the verifier the fleet's workers published; audits the accepted command otherwise.
 */
export async function requireOperator(
  redis: Redis,
  keys: FleetKeys,
  secret: string | undefined,
  op: OperatorOp,
  target: string,
  extra: Pick<AuditEntry, 'reason'> = {},
): Promise<void> {
  const why = await refusal(redis, keys, secret);
  if (why) {
    await audit(redis, keys, { op, target, outcome: 'refused', why, ...extra }).catch(() => undefined);
    throw new MeetcapError('control_unauthorized', `${op} refused: ${why}`, { why, op });
  }
  await audit(redis, keys, { op, target, outcome: 'accepted', ...extra });
}

async function refusal(redis: Redis, keys: FleetKeys, secret: string | undefined): Promise<string | undefined> {
  if (!secret) return 'MEETCAP_CONTROL_SECRET is not set';
  const published = await redis.get(keys.operatorVerifier);
  if (!published) return 'no worker has published the fleet secret yet';
  const mine = Buffer.from(operatorVerifier(secret));
  const theirs = Buffer.from(published);
  if (mine.length !== theirs.length || !timingSafeEqual(mine, theirs)) return 'MEETCAP_CONTROL_SECRET does not match the fleet';
  return undefined;
}

function safeUser(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}
