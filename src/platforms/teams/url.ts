import type { ParsedMeeting } from '../platform.js';
import { buildUrl, decodeFully, redactParams, safeDecode } from '../url-kit.js';

export const TEAMS_HOSTS = [
  'teams.microsoft.com',
  'teams.live.com',
  'teams.cloud.microsoft',
  'gov.teams.microsoft.us',
  'dod.teams.microsoft.us',
] as const;

/** What a Teams link points at: a meeting chat thread, or a numeric meeting id (+ passcode). */
type TeamsTarget =
  | { kind: 'thread'; thread: string; message: string; context?: Context; params?: Record<string, string> }
  | { kind: 'id'; id: string; passcode?: string };

/** The link's `context` JSON: tenant and organiser ids, and for a town hall or live event its flags (`IsBroadcastMeeting`, `role`). */
type Context = Record<string, string | number | boolean>;

const MEETUP = '/l/meetup-join/';
/** Query values besides `context` that make a town hall or live event link what it is (attendee role, broadcast type). */
const KEPT_PARAMS = ['btype', 'role'] as const;
const SHORT = /^\/meet\/(\d{10,15})\/?$/;
const THREAD = /^19:[\w.=-]+@thread\.(?:v2|skype|tacv2)$/i;
const DIGITS = /^\d{10,15}$/;

export function parseTeamsUrl(url: URL): ParsedMeeting | null {
  if (!(TEAMS_HOSTS as readonly string[]).includes(url.hostname)) return null;
  const target = shortLink(url) ?? meetupJoin(url) ?? lightMeeting(url);
  if (!target) return null;
  const host = url.hostname;
  if (target.kind === 'id') {
    const joinUrl = buildUrl(host, `/meet/${target.id}`, { p: target.passcode });
    return {
      platform: 'teams',
      meetingCode: target.id,
      joinUrl,
      redactedUrl: redactParams(joinUrl, ['p']),
      host,
      ...(target.passcode ? { passcodeInUrl: target.passcode } : {}),
    };
  }
  // Normalised to the plain meetup-join form, which every launcher/v2/light-meetings link wraps.
  // The context (tenant and organiser ids) is kept: it routes the join and is not a credential.
  const context = target.context && Object.keys(target.context).length ? JSON.stringify(target.context) : undefined;
  const joinUrl = buildUrl(host, `${MEETUP}${encodeURIComponent(target.thread)}/${target.message}`, { context, ...target.params });
  return { platform: 'teams', meetingCode: target.thread, joinUrl, redactedUrl: joinUrl, host };
}

function shortLink(url: URL): TeamsTarget | null {
  const id = SHORT.exec(url.pathname)?.[1];
  return id ? { kind: 'id', id, passcode: url.searchParams.get('p') || undefined } : null;
}

/** Plain, launcher (`?url=/_#/l/meetup-join/..`) and v2 (`#/l/meetup-join/..`) links, encoded or not. */
function meetupJoin(url: URL): TeamsTarget | null {
  const places = [url.pathname + url.search, url.hash.slice(1), url.searchParams.get('url') ?? ''];
  for (const place of places) {
    let text = place;
    // Launchers nest the link encoded once or twice; decode until the marker shows.
    for (let round = 0; round < 3 && !text.includes(MEETUP); round++) text = safeDecode(text);
    const at = text.indexOf(MEETUP);
    if (at < 0) continue;
    const rest = text.slice(at + MEETUP.length);
    const queryAt = rest.indexOf('?');
    const [threadRaw = '', message = '0'] = (queryAt < 0 ? rest : rest.slice(0, queryAt)).split('/');
    const thread = decodeFully(threadRaw);
    if (!THREAD.test(thread)) continue;
    const query = new URLSearchParams(queryAt < 0 ? '' : rest.slice(queryAt + 1));
    const value = (key: string): string | null => query.get(key) ?? url.searchParams.get(key);
    const context = parseContext(value('context'));
    const params = Object.fromEntries(KEPT_PARAMS.flatMap((k) => (value(k) ? [[k, value(k)!]] : [])));
    return { kind: 'thread', thread, message: /^\d+$/.test(message) ? message : '0', ...(context ? { context } : {}), params };
  }
  return null;
}

/** `/light-meetings/launch?...&coords=<base64 JSON>`: the meeting is only in the decoded coords. */
function lightMeeting(url: URL): TeamsTarget | null {
  if (!url.pathname.startsWith('/light-meetings/')) return null;
  const coords = decodeCoords(url.searchParams.get('coords'));
  if (!coords) return null;
  const field = (...keys: string[]): string | undefined => {
    for (const key of keys) {
      const value = coords[key];
      if (typeof value === 'string' && value) return value;
      if (typeof value === 'number') return String(value);
    }
    return undefined;
  };
  const thread = field('conversationId', 'threadId', 'meetingThreadId');
  if (thread && THREAD.test(decodeFully(thread))) {
    const Tid = field('tenantId', 'Tid');
    const Oid = field('organizerId', 'Oid');
    const context = Tid || Oid ? { ...(Tid ? { Tid } : {}), ...(Oid ? { Oid } : {}) } : undefined;
    return { kind: 'thread', thread: decodeFully(thread), message: field('messageId') ?? '0', ...(context ? { context } : {}) };
  }
  const id = field('meetingCode', 'meetingId')?.replace(/\s/g, '');
  if (id && DIGITS.test(id)) return { kind: 'id', id, passcode: field('passcode', 'passCode', 'p') };
  return null;
}

function decodeCoords(raw: string | null): Record<string, unknown> | null {
  if (!raw) return null;
  try {
    const json = Buffer.from(raw.replace(/-/g, '+').replace(/_/g, '/'), 'base64').toString('utf8');
    const value: unknown = JSON.parse(json);
    return value && typeof value === 'object' ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/**
 * Context keys kept: tenant and organiser route the join; a town hall's broadcast flag and role
 * make the link an attendee's. Nothing else, since the join URL is logged as it is.
 */
const CONTEXT_KEYS = new Set(['Tid', 'Oid', 'IsBroadcastMeeting', 'role']);

/** `context={"Tid":"..","Oid":".."}`, possibly encoded once more than the query itself. */
function parseContext(raw: string | null): Context | undefined {
  if (!raw) return undefined;
  for (const text of [raw, safeDecode(raw)]) {
    try {
      const value = JSON.parse(text) as Record<string, unknown>;
      const plain = Object.entries(value).filter(([k, v]) => CONTEXT_KEYS.has(k) && ['string', 'number', 'boolean'].includes(typeof v));
      return Object.fromEntries(plain) as Context;
    } catch {
      // not JSON at this level of encoding; try the next
    }
  }
  return undefined;
}
