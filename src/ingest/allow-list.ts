import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { MeetcapError, WebhookEndpointSchema } from '../contracts/index.js';

/**
 * Which URLs a tenant's file jobs may fetch. A prefix is an origin (scheme, host, port) plus a
 * path prefix; a URL matches when, after WHATWG normalisation, its origin is the same and its
 * path starts with the prefix's path at a segment boundary.
 */
const PrefixSchema = z
  .url({ protocol: /^https?$/ })
  .refine((p) => {
    const u = new URL(p);
    return !u.username && !u.password && !u.search && !u.hash;
  }, 'an http(s) URL prefix without credentials, query or fragment');

export const TenantSettingsSchema = z
  .object({
    ingest: z
      .object({ allowedUrlPrefixes: z.array(PrefixSchema).max(100).default([]) })
      .strict()
      .default({ allowedUrlPrefixes: [] }),
    /** Signed lifecycle webhooks (docs/events.md). */
    webhooks: z.array(WebhookEndpointSchema).max(20).default([]),
  })
  .strict();

export type TenantSettings = z.output<typeof TenantSettingsSchema>;

const NO_SETTINGS: TenantSettings = { ingest: { allowedUrlPrefixes: [] }, webhooks: [] };

/**
 * `<dir>/<tenantId>.json`. A tenant without a file has an empty allow-list (every URL refused);
 * a file that does not parse is a configuration error, reported as `source_not_allowed` so the
 * job fails closed. The tenant id is constrained by the job schema (no slashes, no leading dot).
 */
export async function loadTenantSettings(dir: string, tenantId: string): Promise<TenantSettings> {
  let raw: string;
  try {
    raw = await readFile(join(dir, `${tenantId}.json`), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return NO_SETTINGS;
    throw new MeetcapError('source_not_allowed', `tenant settings for ${tenantId} cannot be read`, { tenantId }, { cause: err });
  }
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw new MeetcapError('source_not_allowed', `tenant settings for ${tenantId} are not JSON`, { tenantId });
  }
  const parsed = TenantSettingsSchema.safeParse(json);
  if (!parsed.success) {
    const fields = parsed.error.issues.map((i) => `${i.path.join('.') || '(settings)'}: ${i.message}`).join('; ');
    throw new MeetcapError('source_not_allowed', `tenant settings for ${tenantId} are invalid: ${fields}`, { tenantId });
  }
  return parsed.data;
}

/**
 * Percent-encoded separators or dots survive URL normalisation but a server may decode them
 * into a path outside the prefix (`/recordings/..%2Fsecret`); such paths are never allowed.
 */
const ENCODED_PATH_TRICKS = /%2e|%2f|%5c/i;

/** Whether `url` is inside one of `prefixes`. Pure; the unit tests hold the table of tricks. */
export function isUrlAllowed(url: string, prefixes: readonly string[]): boolean {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return false;
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') return false;
  if (u.username || u.password) return false;
  if (u.pathname.includes('\\') || ENCODED_PATH_TRICKS.test(u.pathname)) return false;
  return prefixes.some((p) => {
    const prefix = new URL(p);
    if (prefix.origin !== u.origin) return false;
    const base = prefix.pathname;
    if (!u.pathname.startsWith(base)) return false;
    // "/recordings" allows "/recordings" and "/recordings/…", never "/recordings-evil/…".
    return base.endsWith('/') || u.pathname.length === base.length || u.pathname[base.length] === '/';
  });
}

/** Throws `source_not_allowed` unless `url` is on the allow-list. The message never quotes the query. */
export function assertUrlAllowed(url: string, settings: TenantSettings, tenantId: string): void {
  if (isUrlAllowed(url, settings.ingest.allowedUrlPrefixes)) return;
  throw new MeetcapError('source_not_allowed', `${safeUrl(url)} is not on the ingest allow-list of tenant ${tenantId}`, {
    url: safeUrl(url),
    tenantId,
  });
}

/**
 * The URL as it may appear in logs, errors and the manifest: origin and path only. Signed URLs
 * carry their signature (and sometimes credentials) in the query.
 */
export function safeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.origin}${u.pathname}`;
  } catch {
    return '[not a URL]';
  }
}
