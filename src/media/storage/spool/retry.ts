import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import { MeetcapError } from '../../../contracts/errors.js';

export interface RetryPolicy {
  /** First wait; doubles per attempt up to maxMs, with jitter (half to full). */
  baseMs: number;
  maxMs: number;
  /** Give up after this many attempts (default: never, until `signal` aborts). */
  maxAttempts?: number;
  signal?: AbortSignal;
  log?: Logger;
}

const DEFAULTS = { baseMs: 500, maxMs: 30_000 };

/**
 * Runs `attempt` until it succeeds. Storage outages are expected during a 10-hour meeting; the
 * spool absorbs them, so by default this retries for as long as the upload lives. Logs the first
 * failure and then every tenth, so an outage is visible without flooding the log.
 */
export async function withRetries<T>(what: string, attempt: () => Promise<T>, policy: Partial<RetryPolicy> = {}): Promise<T> {
  const { baseMs, maxMs, maxAttempts, signal, log } = { ...DEFAULTS, ...policy };
  for (let n = 1; ; n++) {
    if (signal?.aborted) throw new MeetcapError('upload_failed', `${what}: upload stopped`);
    try {
      return await attempt();
    } catch (err) {
      if (maxAttempts !== undefined && n >= maxAttempts) throw err;
      const waitMs = Math.min(maxMs, baseMs * 2 ** Math.min(n - 1, 16)) * (0.5 + Math.random() / 2);
      if (n === 1 || n % 10 === 0) log?.warn({ what, attempt: n, retryInMs: Math.round(waitMs), err: (err as Error).message }, 'storage request failed; retrying');
      await sleep(waitMs, undefined, signal ? { signal } : {}).catch(() => undefined);
    }
  }
}
