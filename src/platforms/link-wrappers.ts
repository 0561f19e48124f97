/**
 * Link-protection and redirect wrappers that mail and calendar systems put around the links in
 * an invite. Sales teams' mail goes through them, so "the link in the invite" often reaches us
 * wrapped. Each wrapper here carries the original link inside its own URL, so the link is read
 * out of it, never fetched: the bot only ever navigates to the meeting host found inside, and
 * that host is checked like any other. Wrappers that keep the link on their server (Mimecast's
 * `/s/<token>`) cannot be read without following them, so they stay unresolved on purpose.
 */
import { safeDecode } from './url-kit.js';

/** Reads the link out of a wrapper; `raw` is the wrapper as written (URL parsing re-encodes paths). */
type Unwrapper = (url: URL, raw: string) => string | null;

const isHttp = (s: string | null | undefined): s is string => !!s && /^https?:\/\//i.test(s.trim());
const param = (url: URL, ...names: string[]): string | null => {
  for (const name of names) {
    const v = url.searchParams.get(name);
    if (isHttp(v)) return v.trim();
  }
  return null;
};

/** Proofpoint URL Defense v2: `u=` holds the link with `%` written as `-` and `/` as `_`. */
function proofpointV2(encoded: string): string {
  return safeDecode(encoded.replace(/-/g, '%').replace(/_/g, '/'));
}

/** Run lengths of v3's `**<c>` markers: A-Z, a-z, 0-9, '-', '_' stand for 2..65 characters. */
const V3_RUNS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/**
 * Proofpoint URL Defense v3: `/v3/__<link>__;<replaced>!!<signature>$`. The link is written out
 * with each character Proofpoint would not leave in place swapped for `*` (or a run of them for
 * `**<c>`); the swapped characters follow, in order, as URL-safe base64 after `__;`.
 */
function proofpointV3(href: string): string | null {
  const m = /\/v3\/__(.+?)__;([A-Za-z0-9_-]*)!/.exec(href);
  if (!m) return null;
  const [, written, replacedB64] = m as unknown as [string, string, string];
  const replaced = [...Buffer.from(replacedB64, 'base64url').toString('utf8')];
  let next = 0;
  let failed = false;
  const link = written.replace(/\*(\*.)?/g, (_whole, run: string | undefined) => {
    const count = run ? V3_RUNS.indexOf(run[1]!) + 2 : 1;
    if ((run && count < 2) || next + count > replaced.length) failed = true;
    const chars = replaced.slice(next, next + count).join('');
    next += count;
    return chars;
  });
  return failed ? null : link;
}

/** Cisco Secure Email: `https://secure-web.cisco.com/<token>/<percent-encoded link>`. */
function ciscoSecureWeb(url: URL): string | null {
  const at = url.pathname.search(/\/https?(%3A|:)/i);
  if (at < 0) return null;
  const inner = safeDecode(url.pathname.slice(at + 1)) + (url.search ?? '');
  return isHttp(inner) ? inner : null;
}

/** Host test → how to read the link out of that wrapper. */
const WRAPPERS: Array<[(host: string, url: URL) => boolean, Unwrapper]> = [
  // Google Calendar / Gmail redirect: google.com/url?q=<link>
  [(h, u) => (h === 'www.google.com' || h === 'google.com') && u.pathname === '/url', (u) => param(u, 'q', 'url')],
  // Microsoft Defender for Office 365 Safe Links (Outlook): <region>.safelinks.protection.outlook.com/?url=<link>
  [(h) => h.endsWith('.safelinks.protection.outlook.com'), (u) => param(u, 'url')],
  // Proofpoint URL Defense v1 (`u=` URL-encoded), v2 (`u=` in its own encoding), v3 (in the path).
  [(h, u) => (h === 'urldefense.com' || h === 'urldefense.proofpoint.com') && u.pathname.startsWith('/v1/'), (u) => param(u, 'u')],
  [(h, u) => (h === 'urldefense.com' || h === 'urldefense.proofpoint.com') && u.pathname.startsWith('/v2/'), (u) => {
    const inner = u.searchParams.get('u');
    return inner ? proofpointV2(inner) : null;
  }],
  [(h, u) => (h === 'urldefense.com' || h === 'urldefense.proofpoint.com') && u.pathname.startsWith('/v3/'), (_u, raw) => proofpointV3(raw)],
  // Barracuda Link Protection: linkprotect.cudasvc.com/url?a=<link>
  [(h) => h === 'linkprotect.cudasvc.com', (u) => param(u, 'a')],
  // Trend Micro Email Security time-of-click: <region>.trendmicro.com/wis/clicktime/v1/query?url=<link>
  [(h, u) => h.endsWith('.trendmicro.com') && u.pathname.includes('/clicktime/'), (u) => param(u, 'url')],
  [(h) => h === 'secure-web.cisco.com', ciscoSecureWeb],
];

/** The link inside one wrapper, or null when `link` is not a wrapper this module can read. */
export function unwrapOnce(link: string): string | null {
  let url: URL;
  try {
    url = new URL(link);
  } catch {
    return null;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return null;
  const host = url.hostname.toLowerCase();
  for (const [matches, unwrap] of WRAPPERS) {
    if (!matches(host, url)) continue;
    const inner = unwrap(url, link);
    return isHttp(inner) ? inner.trim() : null;
  }
  return null;
}

/** Peels wrappers off until none is left (a wrapped link is sometimes wrapped again); at most 3. */
export function unwrapLink(link: string): string {
  let current = link;
  for (let round = 0; round < 3; round++) {
    const inner = unwrapOnce(current);
    if (!inner) break;
    current = inner;
  }
  return current;
}
