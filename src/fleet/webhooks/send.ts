/** What one delivery attempt came to. */
export type AttemptResult =
  | { ok: true; status: number }
  | { ok: false; status?: number; error: string; retryAfterMs?: number; gone?: boolean };

const MAX_RETRY_AFTER_MS = 3_600_000;

/**
 * POSTs one signed body. 2xx is delivered; anything else (3xx included: redirects are not
 * followed, the tenant should fix its URL) is a failed attempt. The timeout bounds the whole
 * exchange, and `signal` lets the worker abandon the attempt when it shuts down.
 */
export async function postWebhook(
  url: string,
  body: string,
  headers: Record<string, string>,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<AttemptResult> {
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json', 'user-agent': 'meetcap-webhooks/1', ...headers },
      redirect: 'manual',
      signal: AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]),
    });
  } catch (err) {
    const e = err as Error;
    const error = e.name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : errorText(e);
    return { ok: false, error };
  }
  // The receiver's answer is not read, only drained, so a large or slow body costs nothing.
  await res.body?.cancel().catch(() => undefined);
  if (res.status >= 200 && res.status < 300) return { ok: true, status: res.status };
  const retryAfterMs = parseRetryAfter(res.headers.get('retry-after'));
  return {
    ok: false,
    status: res.status,
    error: `HTTP ${res.status}`,
    ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
    ...(res.status === 410 ? { gone: true } : {}),
  };
}

function errorText(e: Error): string {
  const cause = (e as Error & { cause?: { code?: string; message?: string } }).cause;
  return (cause?.code ?? cause?.message ?? e.message).slice(0, 200);
}

/** `Retry-After` in seconds (HTTP dates are rare from webhook receivers and are ignored). */
function parseRetryAfter(value: string | null): number | undefined {
  if (!value || !/^\d{1,7}$/.test(value.trim())) return undefined;
  return Math.min(Number(value.trim()) * 1000, MAX_RETRY_AFTER_MS);
}
