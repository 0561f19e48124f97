import type { ParsedMeeting } from '../platform.js';
import { safeDecode } from '../url-kit.js';

export const MEET_HOSTS = ['meet.google.com'] as const;
export const isMeetHost = (host: string): boolean => (MEET_HOSTS as readonly string[]).includes(host);

/**
 * `abc-defg-hij`, also written without dashes. Workspace nicknames are other lowercase words;
 * dashes elsewhere (`our-standup`) make a nickname, which must not be re-cut into a code.
 */
const CODE = /^(?:[a-z]{3}-[a-z]{4}-[a-z]{3}|[a-z]{10})$/;
const NICKNAME = /^[a-z0-9][a-z0-9-]{1,58}[a-z0-9]$/;
/** Paths on meet.google.com that are not joinable meetings. */
const RESERVED = new Set(['lookup', 'landing', 'new', 'about', 'linkredirect', '_meet', 'calling', 'whiteboard', 'tv']);
/** Meet's installed app and Calendar's "Join with Google Meet" open `/_meet/<code>`: the same meeting. */
const APP_PREFIX = '_meet';

export function parseMeetUrl(url: URL): ParsedMeeting | null {
  if (!isMeetHost(url.hostname)) return null;
  const segments = url.pathname.split('/').filter(Boolean);
  if (segments.length === 2 && segments[0] === APP_PREFIX) segments.shift();
  if (segments.length !== 1) return null;
  // A malformed escape (`%E0`) stays as written and fails the checks below: parsers never throw.
  const raw = safeDecode(segments[0] ?? '').toLowerCase();
  if (RESERVED.has(raw)) return null;
  let code: string;
  if (CODE.test(raw)) {
    const letters = raw.replaceAll('-', '');
    code = `${letters.slice(0, 3)}-${letters.slice(3, 7)}-${letters.slice(7)}`;
  } else if (NICKNAME.test(raw)) {
    code = raw;
  } else {
    return null;
  }
  // hl=en pins the UI language our text signals are written for; other query keys are dropped.
  const joinUrl = `https://meet.google.com/${code}?hl=en`;
  return { platform: 'meet', meetingCode: code, joinUrl, redactedUrl: joinUrl, host: url.hostname };
}

/**
 * Why a meet.google.com link that names no meeting cannot be joined, for the refusal message.
 * Lookup links (Google Classroom) resolve to a meeting only for signed-in members of the class.
 */
export function meetNotJoinable(url: URL): string | undefined {
  if (!isMeetHost(url.hostname)) return undefined;
  if (/^\/lookup\//.test(url.pathname)) {
    return 'is a Meet lookup link (Google Classroom), which only signed-in members can open; use the meeting\'s meet.google.com/abc-defg-hij link';
  }
  if (/^\/new\/?$/.test(url.pathname)) return 'starts a new Meet meeting instead of joining one';
  return undefined;
}
