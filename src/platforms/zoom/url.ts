import type { ParsedMeeting } from '../platform.js';

/** zoom.us, zoom.com and zoomgov.com with any company/vanity subdomain, except Zoom Events. */
const ZOOM_DOMAINS = ['zoom.us', 'zoom.com', 'zoomgov.com'];
const NOT_MEETINGS = new Set(['events', 'explore', 'support', 'community', 'developers', 'marketplace', 'status', 'blog', 'investors']);

export function isZoomHost(host: string): boolean {
  const domain = ZOOM_DOMAINS.find((d) => host === d || host.endsWith(`.${d}`));
  if (!domain) return false;
  const sub = host.slice(0, Math.max(0, host.length - domain.length - 1));
  return !NOT_MEETINGS.has(sub.split('.').pop() ?? '');
}

const PATTERNS: ReadonlyArray<RegExp> = [
  /^\/(?:j|w|s)\/(\d{9,11})\/?$/, // join, webinar, start
  /^\/wc\/join\/(\d{9,11})\/?$/, // classic web client
  /^\/wc\/(\d{9,11})\/(?:join|start)\/?$/, // React web client
];
const PERSONAL = /^\/my\/([A-Za-z0-9._-]{1,64})\/?$/;

export function parseZoomUrl(url: URL): ParsedMeeting | null {
  if (!isZoomHost(url.hostname)) return null;
  let code: string | undefined;
  for (const pattern of PATTERNS) code ??= pattern.exec(url.pathname)?.[1];
  code ??= PERSONAL.exec(url.pathname)?.[1];
  if (!code) return null;
  const pwd = url.searchParams.get('pwd') ?? undefined;
  const redacted = new URL(url.href);
  for (const secret of ['pwd', 'tk', 'zak', 'uname']) if (redacted.searchParams.has(secret)) redacted.searchParams.set(secret, 'REDACTED');
  return {
    platform: 'zoom',
    meetingCode: code,
    joinUrl: url.href,
    redactedUrl: redacted.href,
    host: url.hostname,
    ...(pwd ? { passcodeInUrl: pwd } : {}),
  };
}
