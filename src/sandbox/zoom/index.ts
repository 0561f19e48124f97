import { createHash, randomInt } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type { Meeting } from '../meeting.js';
import type { PlatformContext, SandboxPlatform } from '../platform.js';
import { servePage, servePublic } from '../static.js';
import type { MeetingOptions } from '../types.js';

const PUBLIC = new URL('./public/', import.meta.url);
const CODE = /^\d{9,11}$/;
const LANDING = /^\/j\/(\d+)\/?$/;
/** `/wc/join/<id>` is the classic client's path, `/wc/<id>/join` the React client's (app.zoom.us). */
const CLIENT_ENTRY = [/^\/wc\/join\/(\d+)\/?$/, /^\/wc\/(\d+)\/join\/?$/];
/** The document `iframe#webclient` loads; the client itself runs there. */
const CLIENT_DOC = /^\/wc\/(\d+)\/client\/?$/;
const INVALID_ID = 'Invalid meeting ID. Please check and try again.';
const ERROR_3001 = 'This meeting link is invalid (3,001)';
const TOPIC = "Sandbox Host's Zoom Meeting";

/** Zoom-looking encrypted passcode for links (`pwd=`): deterministic, never the passcode itself. */
export function encryptedPasscode(code: string, passcode: string): string {
  return `${createHash('sha256').update(`${code}:${passcode}`).digest('base64url').slice(0, 32)}.1`;
}

function meetingUrl(code: string, options: MeetingOptions): string {
  const base = `https://us05web.zoom.us/j/${code}`;
  if (options.passcode === undefined || !options.passcodeInUrl) return base;
  return `${base}?pwd=${encryptedPasscode(code, options.passcode)}`;
}

export const zoomPlatform: SandboxPlatform = {
  id: 'zoom',
  hosts: ['zoom.us', '*.zoom.us', 'zoom.com', '*.zoom.com'],
  isValidCode: (code) => CODE.test(code),
  // 11 digits, never a leading zero, like the ids Zoom hands out today.
  randomCode: () => `${randomInt(1, 10)}${Array.from({ length: 10 }, () => randomInt(10)).join('')}`,
  meetingUrl,
  passcodeAliases: (code, passcode) => [encryptedPasscode(code, passcode)],
  handle,
};

async function handle(_req: unknown, res: ServerResponse, url: URL, ctx: PlatformContext): Promise<void> {
  const path = url.pathname;
  if (path.startsWith('/_zoom/')) return servePublic(res, PUBLIC, path.slice('/_zoom/'.length));
  if (path === '/' || path === '/signin' || path === '/download') return simplePage(res, path);
  const landing = LANDING.exec(path);
  if (landing) return withMeeting(res, ctx, landing[1]!, (m) => serveLanding(res, m, url));
  const entry = CLIENT_ENTRY.map((re) => re.exec(path)).find((m) => m !== null);
  if (entry) return withMeeting(res, ctx, entry[1]!, (m) => serveClientEntry(res, m, url));
  const doc = CLIENT_DOC.exec(path);
  if (doc) return withMeeting(res, ctx, doc[1]!, (m) => serveClientDocument(res, m, url));
  return servePage(res, new URL('page.html', PUBLIC), {
    title: 'Page Not Found - Zoom', heading: 'Page not found', message: 'The page you are looking for does not exist.',
  });
}

/** Unknown ids get Zoom's 200 error page, on every route that names a meeting. */
function withMeeting(res: ServerResponse, ctx: PlatformContext, id: string, serve: (m: Meeting) => Promise<void>): Promise<void> {
  const meeting = ctx.findMeeting(id);
  if (!meeting || meeting.platform !== 'zoom') {
    return servePage(res, new URL('page.html', PUBLIC), { title: 'Error - Zoom', heading: 'Unable to join this meeting', message: INVALID_ID });
  }
  return serve(meeting);
}

function serveLanding(res: ServerResponse, meeting: Meeting, url: URL): Promise<void> {
  return servePage(res, new URL('landing.html', PUBLIC), {
    code: meeting.code,
    clientHref: `/wc/join/${meeting.code}${url.search}`,
  });
}

/** The host has not started and this meeting answers that with error 3,001 rather than a waiting page. */
function shows3001(meeting: Meeting): boolean {
  return meeting.state === 'scheduled' && meeting.options.zoomNotStarted === 'error_3001';
}

function serveClientEntry(res: ServerResponse, meeting: Meeting, url: URL): Promise<void> {
  if (meeting.options.zoomClient === 'top') return serveClientDocument(res, meeting, url);
  return servePage(res, new URL('frame.html', PUBLIC), {
    title: shows3001(meeting) ? 'Error - Zoom' : 'Zoom',
    src: `/wc/${meeting.code}/client${url.search}`,
  });
}

function serveClientDocument(res: ServerResponse, meeting: Meeting, url: URL): Promise<void> {
  if (shows3001(meeting)) {
    return servePage(res, new URL('page.html', PUBLIC), { title: 'Error - Zoom', heading: 'Unable to join this meeting', message: ERROR_3001 });
  }
  const { options } = meeting;
  const pwd = url.searchParams.get('pwd') ?? '';
  // Real Zoom checks the link's pwd when the client loads: a missing or stale one means typing it.
  const pwdOk = pwd !== '' && meeting.passcodeAliases.includes(pwd);
  return servePage(res, new URL('client.html', PUBLIC), {
    code: meeting.code,
    topic: TOPIC,
    meetingState: meeting.state,
    nameField: options.zoomNameField,
    permissionPrompt: options.permissionPrompt,
    wall: options.wall ?? null,
    needPasscode: options.passcode !== undefined && !pwdOk,
    pwd: pwdOk ? pwd : null,
    recordingNotice: options.recordingNotice,
  });
}

const SIMPLE_PAGES: Record<string, { title: string; heading: string; message: string }> = {
  '/': { title: 'One platform to connect | Zoom', heading: 'Zoom Workplace', message: 'Meetings, chat, phone and more in one place.' },
  '/signin': { title: 'Sign In | Zoom', heading: 'Sign in', message: 'Email or phone number' },
  '/download': { title: 'Download Center - Zoom', heading: 'Download Center', message: 'Zoom Workplace desktop app' },
};

function simplePage(res: ServerResponse, path: string): Promise<void> {
  return servePage(res, new URL('page.html', PUBLIC), SIMPLE_PAGES[path]);
}
