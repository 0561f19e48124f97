import type { ParsedMeeting } from '../platform.js';

export const TEAMS_HOSTS = [
  'teams.microsoft.com',
  'teams.live.com',
  'teams.cloud.microsoft',
  'gov.teams.microsoft.us',
  'dod.teams.microsoft.us',
] as const;

const MEETUP = /\/l\/meetup-join\/([^/?#]+)/;
const SHORT = /^\/meet\/(\d{10,15})\/?$/;

export function parseTeamsUrl(url: URL): ParsedMeeting | null {
  if (!(TEAMS_HOSTS as readonly string[]).includes(url.hostname)) return null;
  // Launcher and v2 links carry the meetup-join path in a query value or the fragment.
  const haystack = [url.pathname, url.hash, url.searchParams.get('url') ?? ''].map(safeDecode).join(' ');
  const thread = MEETUP.exec(haystack)?.[1];
  const short = SHORT.exec(url.pathname)?.[1];
  const code = thread ?? short;
  if (!code) return null;
  const passcode = url.searchParams.get('p') ?? undefined;
  const redacted = new URL(url.href);
  if (redacted.searchParams.has('p')) redacted.searchParams.set('p', 'REDACTED');
  return {
    platform: 'teams',
    meetingCode: code,
    joinUrl: url.href,
    redactedUrl: redacted.href,
    host: url.hostname,
    ...(passcode ? { passcodeInUrl: passcode } : {}),
  };
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
