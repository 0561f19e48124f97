import { createHmac } from 'node:crypto';

/**
 * Standard Webhooks signing (https://www.standardwebhooks.com, symmetric `v1`): HMAC-SHA256 of
 * `${id}.${timestamp}.${body}` keyed with the base64-decoded secret, sent as `v1,<base64>`.
 * Checked against the specification's published example in test/fleet/webhooks.test.ts.
 */
export const SECRET_PREFIX = 'whsec_';

/** The signing key in a `whsec_<base64>` secret, or undefined when it is not one (24 to 64 random bytes). */
export function parseWebhookSecret(secret: string | undefined): Buffer | undefined {
  if (!secret) return undefined;
  const encoded = secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret;
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encoded)) return undefined;
  const key = Buffer.from(encoded, 'base64');
  return key.length >= 24 && key.length <= 64 ? key : undefined;
}

export function signWebhook(key: Buffer, id: string, timestampSec: number, body: string): string {
  const mac = createHmac('sha256', key).update(`${id}.${timestampSec}.${body}`).digest('base64');
  return `v1,${mac}`;
}

/** The three Standard Webhooks headers of one attempt (the timestamp is the attempt's, not the event's). */
export function webhookHeaders(key: Buffer, id: string, timestampSec: number, body: string): Record<string, string> {
  return {
    'webhook-id': id,
    'webhook-timestamp': String(timestampSec),
    'webhook-signature': signWebhook(key, id, timestampSec, body),
  };
}
