import { createHash, randomInt } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type { Meeting } from '../meeting.js';
import type { PlatformContext, SandboxPlatform } from '../platform.js';
import { servePage, servePublic } from '../static.js';
import type { MeetingOptions } from '../types.js';

const PUBLIC = new URL('./public/', import.meta.url);
const INDEX = new URL('index.html', PUBLIC);
/** The numeric "Meeting ID" of short links (teams.microsoft.com/meet/<id>). */
const CODE = /^\d{12}$/;
const THREAD = /^19:meeting_([A-Za-z0-9+/]+={0,2})@thread\.v2$/;
// The sandbox hides the meeting id in the GUID's last group, so a thread id decodes back to it.
const GUID_WITH_CODE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-(\d{12})$/;
/** Paths whose meeting reference lives in the fragment or a nested `url=`: the page finds it. */
const CLIENT_RESOLVED = new Set(['/v2', '/v2/', '/dl/launcher/launcher.html']);

function hexFrom(seed: string): string {
  return createHash('sha256').update(seed).digest('hex');
}

/** A GUID derived from `seed`, so the same meeting always gets the same link. */
function guidFrom(seed: string, last?: string): string {
  const h = hexFrom(seed);
  const variant = '89ab'[parseInt(h[16] ?? '0', 16) % 4] ?? '8';
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${last ?? h.slice(20, 32)}`;
}

/**
 * `19:meeting_<base64 of a GUID>@thread.v2`, like real thread ids. Base64 of a GUID's characters
 * never contains `+`, `/` or padding, so the id is safe in a path segment as is.
 */
export function threadIdFor(code: string): string {
  const guid = guidFrom(`thread:${code}`, code);
  return `19:meeting_${Buffer.from(guid, 'latin1').toString('base64').replace(/=+$/, '')}@thread.v2`;
}

export function codeFromThread(thread: string): string | undefined {
  const m = THREAD.exec(thread);
  if (!m?.[1]) return undefined;
  return GUID_WITH_CODE.exec(Buffer.from(m[1], 'base64').toString('latin1'))?.[1];
}

/**
 * A short link's `p=`: Teams puts the passcode there hashed (invites show "Passcode: Mt9xB2N6"
 * beside `?p=gs3i4BbISAYdWvdTo0`); deterministic, never the passcode itself.
 */
export function hashedPasscode(code: string, passcode: string): string {
  return createHash('sha256').update(`teams:${code}:${passcode}`).digest('base64url').slice(0, 18);
}

function meetingUrl(code: string, options: MeetingOptions): string {
  if (options.passcode !== undefined) {
    const p = options.passcodeInUrl ? `?p=${hashedPasscode(code, options.passcode)}` : '';
    return `https://teams.microsoft.com/meet/${code}${p}`;
  }
  const token = threadIdFor(code).slice('19:meeting_'.length, -'@thread.v2'.length);
  const context = `%7b%22Tid%22%3a%22${guidFrom(`tid:${code}`)}%22%2c%22Oid%22%3a%22${guidFrom(`oid:${code}`)}%22%7d`;
  return `https://teams.microsoft.com/l/meetup-join/19%3ameeting_${token}%40thread.v2/0?context=${context}`;
}

export const teamsPlatform: SandboxPlatform = {
  id: 'teams',
  hosts: ['teams.microsoft.com', 'teams.live.com', 'teams.cloud.microsoft'],
  isValidCode: (code) => CODE.test(code),
  randomCode: () => `${randomInt(1, 10)}${Array.from({ length: 11 }, () => randomInt(10)).join('')}`,
  meetingUrl,
  passcodeAliases: (code, passcode) => [hashedPasscode(code, passcode)],
  handle,
};

/** What the page needs to know about a meeting; the same shape inlined or from /_teams/lookup. */
function pageConfig(meeting: Meeting): object {
  const o = meeting.options;
  const link = new URL(meeting.url);
  return {
    code: meeting.code,
    hasPasscode: o.passcode !== undefined,
    avModal: o.teamsAvModal,
    audioDefault: o.teamsAudioDefault,
    wall: o.wall ?? null,
    recordingNotice: o.recordingNotice,
    permissionPrompt: o.permissionPrompt,
    // "Join on the Teams app" hands the same link to the desktop client's protocol handler.
    appLink: `msteams:${link.pathname}${link.search}`,
  };
}

function teamsMeeting(ctx: PlatformContext, code: string | undefined): Meeting | undefined {
  const meeting = code === undefined ? undefined : ctx.findMeeting(code);
  return meeting?.platform === 'teams' ? meeting : undefined;
}

/** The meeting code a join path names; undefined when the path is not a join link or is malformed. */
function codeForPath(path: string): string | undefined {
  const short = /^\/meet\/(\d{10,15})\/?$/.exec(path);
  if (short) return short[1];
  const meetup = /^\/l\/meetup-join\/([^/]+)(?:\/.*)?$/.exec(path);
  if (!meetup?.[1]) return undefined;
  try {
    return codeFromThread(decodeURIComponent(meetup[1]));
  } catch {
    return undefined; // malformed %-escapes: an incorrect URL, like any other
  }
}

async function handle(_req: unknown, res: ServerResponse, url: URL, ctx: PlatformContext): Promise<void> {
  const path = url.pathname;
  if (path === '/_teams/lookup') return lookup(res, url, ctx);
  if (path.startsWith('/_teams/')) return servePublic(res, PUBLIC, path.slice('/_teams/'.length));
  if (CLIENT_RESOLVED.has(path)) return servePage(res, INDEX, { pending: true });
  const meeting = teamsMeeting(ctx, codeForPath(path));
  // Like real Teams, an unknown meeting is a 200 page that explains, not an HTTP error.
  return servePage(res, INDEX, meeting ? pageConfig(meeting) : { error: 'not_found' });
}

/** `GET /_teams/lookup?thread=19:meeting_..@thread.v2` or `?id=<meeting id>` → page config or 404. */
function lookup(res: ServerResponse, url: URL, ctx: PlatformContext): void {
  const thread = url.searchParams.get('thread');
  const id = url.searchParams.get('id');
  const code = thread !== null ? codeFromThread(thread) : (id ?? undefined);
  const meeting = teamsMeeting(ctx, code);
  res.writeHead(meeting ? 200 : 404, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(JSON.stringify(meeting ? pageConfig(meeting) : { error: 'not_found' }));
}
