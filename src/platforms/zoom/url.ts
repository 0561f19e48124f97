import type { ParsedMeeting } from '../platform.js';
import { buildUrl, onDomain, redactParams } from '../url-kit.js';

/** zoom.us, zoom.com and zoomgov.com with any company/vanity subdomain, except non-meeting sites. */
export const ZOOM_DOMAINS = ['zoom.us', 'zoom.com', 'zoomgov.com'] as const;
/** Subdomains that are Zoom's own sites, not meeting hosts (Zoom Events links are not joinable by the web client). */
const NOT_MEETINGS = new Set([
  'events', 'explore', 'support', 'community', 'developers', 'marketplace', 'status', 'blog', 'investors',
  'api', 'careers', 'news', 'learning', 'devforum', 'docs', 'success', 'zoomevents', 'webinars',
]);
/** Query keys that are credentials: encrypted passcode, registrant token, host start token. */
const SECRETS = ['pwd', 'tk', 'zak'] as const;

export function isZoomHost(host: string): boolean {
  const domain = ZOOM_DOMAINS.find((d) => onDomain(host, d));
  if (!domain) return false;
  const sub = host.slice(0, Math.max(0, host.length - domain.length - 1));
  return !NOT_MEETINGS.has(sub.split('.').pop() ?? '');
}

/** Numbered links; ids may carry dashes when copied from invite text (`882-4085-2079`). */
const NUMBERED: ReadonlyArray<RegExp> = [
  /^\/(?:j|w|s)\/([\d-]{9,16})\/?$/, // join, webinar, start (a start link is joined as an attendee)
  /^\/wc\/join\/([\d-]{9,16})\/?$/, // classic web client
  /^\/wc\/([\d-]{9,16})\/(?:join|start)\/?$/, // React web client
];
const JOIN_FORM = /^\/join\/?$/;
const PERSONAL = /^\/my\/([A-Za-z0-9._-]{1,64})\/?$/;
/** 9 to 11 digits; Zoom never issues other lengths. */
const MEETING_ID = /^\d{9,11}$/;

/**
 * Zoom's encrypted passcode is letters and digits with a `.<digit>` version suffix; prose a mail
 * client glued on after the suffix ("…UT09.1Join by phone") is cut off there.
 */
function encryptedPasscode(raw: string | null): string | undefined {
  if (!raw) return undefined;
  return /^([A-Za-z0-9_-]+\.\d)[A-Za-z]/.exec(raw)?.[1] ?? raw;
}

export function parseZoomUrl(url: URL): ParsedMeeting | null {
  if (!isZoomHost(url.hostname)) return null;
  const host = url.hostname;
  const pwd = encryptedPasscode(url.searchParams.get('pwd'));
  // Webinar registrant token: without it a registration-only webinar sends the bot to the form.
  const tk = url.searchParams.get('tk') || undefined;
  let code: string;
  let joinUrl: string;
  const vanity = PERSONAL.exec(url.pathname)?.[1];
  if (vanity) {
    // Personal links are resolved by Zoom to a number only after loading; keep the link itself.
    code = vanity;
    joinUrl = buildUrl(host, `/my/${vanity}`, { pwd });
  } else {
    let raw: string | undefined;
    for (const pattern of NUMBERED) raw ??= pattern.exec(url.pathname)?.[1];
    // zoom.us/join?confno=<id>: the join form's own link, and what the desktop app's links carry.
    if (JOIN_FORM.test(url.pathname)) raw ??= url.searchParams.get('confno')?.replace(/\s/g, '');
    const id = raw?.replaceAll('-', '');
    if (!id || !MEETING_ID.test(id)) return null;
    code = id;
    joinUrl = buildUrl(host, webClientPath(host, id), { pwd, tk });
  }
  return {
    platform: 'zoom',
    meetingCode: code,
    joinUrl,
    redactedUrl: redactParams(joinUrl, SECRETS),
    host,
    ...(pwd ? { passcodeInUrl: pwd } : {}),
  };
}

/**
 * Why the web client path on the original host: `/j/` lands on "Launch Meeting" (desktop app
 * first), the web client joins in the page directly; the original host is kept because company
 * subdomains carry SSO/join policies and zoomgov must stay on zoomgov. `app.zoom.us` only serves
 * the React client, whose path is `/wc/<id>/join`. `pwd` (encrypted passcode) and `tk` are kept
 * so the bot is not asked to type a passcode or register; `zak` (a host's start token) is dropped:
 * the bot never starts meetings as the host.
 */
function webClientPath(host: string, id: string): string {
  return host === 'app.zoom.us' ? `/wc/${id}/join` : `/wc/join/${id}`;
}

/** Why a Zoom link that names no joinable meeting cannot be joined, for the refusal message. */
export function zoomNotJoinable(url: URL): string | undefined {
  if (!ZOOM_DOMAINS.some((d) => onDomain(url.hostname, d))) return undefined;
  if (/^\/(?:meeting|webinar)\/register\//.test(url.pathname)) {
    return 'is a Zoom registration page; the bot needs the personal join link Zoom sends after registering';
  }
  if (!isZoomHost(url.hostname)) return `is on ${url.hostname}, a Zoom site that hosts no meetings the web client can join`;
  return undefined;
}
