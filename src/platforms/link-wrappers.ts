/**
 * Link-protection and redirect wrappers that mail and calendar systems put around the links in
 * an invite. Sales teams' mail goes through them, so "the link in the invite" often reaches us
 * wrapped. Each wrapper here carries the original link inside its own URL, so the link is read
 * out of it, never fetched: the bot only ever navigates to the meeting host found inside, and
 * that host is checked like any other. Wrappers that keep the link on their server (Mimecast's
 * `/s/<token>`, Symantec's `/a/1/...`) cannot be read without following them, so they stay
 * unresolved on purpose. A wrapper that does not decode cleanly is left as it is (and refused).
 */
import { decodeEntities, safeDecode } from './url-kit.js';

/** Reads the link out of a wrapper; `raw` is the wrapper as written (URL parsing re-encodes paths). */
type Unwrapper = (url: URL, raw: string) => string | null;

const isHttp = (s: string | null | undefined): s is string => !!s && /^https?:\/\//i.test(s.trim());

/**
 * A query value as written, percent-decoded. Not URLSearchParams: it reads `+` as a space, and a
 * `+` inside a wrapped link is the link's own (a passcode's), never an encoded space.
 */
function rawParam(url: URL, name: string): string | null {
  for (const pair of url.search.slice(1).split('&')) {
    const eq = pair.indexOf('=');
    if (eq > 0 && pair.slice(0, eq) === name) return safeDecode(pair.slice(eq + 1));
  }
  return null;
}

const param = (...names: string[]): Unwrapper => (url) => {
  for (const name of names) {
    const v = rawParam(url, name);
    if (isHttp(v)) return v.trim();
  }
  return null;
};

/** Proofpoint URL Defense v1: `u=` holds the link URL-encoded (HTML entities possibly left in it). */
const proofpointV1: Unwrapper = (url) => {
  const link = param('u')(url, '');
  return link ? decodeEntities(link) : null;
};

/** Proofpoint URL Defense v2: `u=` holds the link with `%` written as `-` and `/` as `_`. */
const proofpointV2: Unwrapper = (url) => {
  const written = rawParam(url, 'u');
  return written ? decodeEntities(safeDecode(written.replace(/-/g, '%').replace(/_/g, '/'))) : null;
};

/** Run lengths of v3's `**<c>` markers: A-Z, a-z, 0-9, '-', '_' stand for 2..65 characters. */
const V3_RUNS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/**
 * Proofpoint URL Defense v3: `/v3/__<link>__;<swapped>!!<signature>$`. The link is written out
 * with each character Proofpoint would not leave in place swapped for `*` (or a run of them for
 * `**<c>`); the swapped characters follow, in order, as URL-safe base64 after `__;`. All of them
 * must be used: a count that does not match means a damaged link, which is not guessed at.
 */
const proofpointV3: Unwrapper = (_url, raw) => {
  const m = /\/v3\/__(.+?)__;([A-Za-z0-9_-]*)=*!/.exec(raw);
  if (!m) return null;
  const written = safeDecode(m[1]!);
  const swapped = [...Buffer.from(m[2]!, 'base64url').toString('utf8')];
  let next = 0;
  let failed = false;
  const link = written.replace(/\*(\*.)?/g, (_whole, run: string | undefined) => {
    const count = run ? V3_RUNS.indexOf(run[1]!) + 2 : 1;
    if ((run && count < 2) || next + count > swapped.length) failed = true;
    const chars = swapped.slice(next, next + count).join('');
    next += count;
    return chars;
  });
  return failed || next !== swapped.length ? null : link;
};

/** Cisco Secure Email: `https://secure-web.cisco.com/<token>/<percent-encoded link>`, nothing after it. */
const ciscoSecureWeb: Unwrapper = (url) => {
  const m = /^\/[^/]+\/(https?(?::|%3A).*)$/i.exec(url.pathname);
  return m ? safeDecode(m[1]!) : null;
};

/** Sophos time-of-click: `?d=<domain>&u=<standard base64 of the link>`; `d` must be the link's host. */
const sophos: Unwrapper = (url) => {
  const encoded = rawParam(url, 'u');
  if (!encoded || !/^[A-Za-z0-9+/]+=*$/.test(encoded)) return null;
  const link = Buffer.from(encoded, 'base64').toString('utf8');
  if (!isHttp(link)) return null;
  const domain = rawParam(url, 'd');
  try {
    return domain && new URL(link).hostname.toLowerCase() !== domain.toLowerCase() ? null : link;
  } catch {
    return null;
  }
};

const PROOFPOINT_HOSTS = new Set(['urldefense.com', 'urldefense.proofpoint.com', 'urldefense.us']);
const proofpoint = (version: string) => (h: string, u: URL) => PROOFPOINT_HOSTS.has(h) && u.pathname.startsWith(`/${version}/`);

/** Host test → how to read the link out of that wrapper. */
const WRAPPERS: Array<[(host: string, url: URL) => boolean, Unwrapper]> = [
  // Google Calendar / Gmail redirect: google.com/url?q=<link> (or url=)
  [(h, u) => (h === 'www.google.com' || h === 'google.com') && u.pathname === '/url', param('q', 'url')],
  // Microsoft Defender Safe Links: Outlook (commercial and US government clouds) and Teams.
  [(h) => h.endsWith('.safelinks.protection.outlook.com') || h.endsWith('.safelinks.protection.office365.us'), param('url')],
  [(h, u) => h === 'statics.teams.cdn.office.net' && u.pathname.endsWith('/atp-safelinks.html'), param('url')],
  // Proofpoint URL Defense v1 (`u=` URL-encoded), v2 (`u=` in its own encoding), v3 (in the path).
  [proofpoint('v1'), proofpointV1],
  [proofpoint('v2'), proofpointV2],
  [proofpoint('v3'), proofpointV3],
  // Barracuda Link Protection: linkprotect.cudasvc.com/url?a=<link>
  [(h) => h === 'linkprotect.cudasvc.com', param('a')],
  // Trend Micro Email Security time-of-click: <host>.trendmicro.com/wis/clicktime/v1/query?url=<link>
  [(h, u) => h.endsWith('.trendmicro.com') && u.pathname.includes('/clicktime/'), param('url')],
  // FireEye / Trellix: protect2.fireeye.com/v1/url?k=..&u=<link>
  [(h) => h === 'protect2.fireeye.com' || h === 'protect.fireeye.com', param('u')],
  // Symantec / Broadcom click-time: clicktime.symantec.com/<token>?u=<link> (the /a/1/ form is opaque)
  [(h) => h === 'clicktime.symantec.com', param('u')],
  [(h) => h.endsWith('.protection.sophos.com'), sophos],
  [(h) => h === 'secure-web.cisco.com', ciscoSecureWeb],
  // Invites pasted into chat and social messages come back through their outbound redirects:
  // Slack (slack-redir.net/link?url=), LinkedIn (/redir/redirect?url=, /safety/go?url=),
  // Facebook and Messenger (l.facebook.com/l.php?u=).
  [(h, u) => h === 'slack-redir.net' && u.pathname === '/link', param('url')],
  [(h, u) => h === 'www.linkedin.com' && (u.pathname === '/redir/redirect' || u.pathname === '/safety/go'), param('url')],
  [(h, u) => (h === 'l.facebook.com' || h === 'l.messenger.com') && u.pathname === '/l.php', param('u')],
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
