import type { ServerResponse } from 'node:http';
import { randomInt } from 'node:crypto';
import type { PlatformContext, SandboxPlatform } from '../platform.js';
import { servePage, servePublic } from '../static.js';

const PUBLIC = new URL('./public/', import.meta.url);
const CODE = /^[a-z]{3}-[a-z]{4}-[a-z]{3}$/;
// Workspace nicknames (meet.google.com/our-team-standup) are joinable too.
const NICKNAME = /^[a-z][a-z0-9-]{2,58}[a-z0-9]$/;
const RESERVED = new Set(['lookup', 'landing', 'new', '_meet', '_sandbox']);

function letters(n: number): string {
  return Array.from({ length: n }, () => String.fromCharCode(97 + randomInt(26))).join('');
}

export const meetPlatform: SandboxPlatform = {
  id: 'meet',
  hosts: ['meet.google.com'],
  isValidCode: (code) => (CODE.test(code) || NICKNAME.test(code)) && !RESERVED.has(code),
  randomCode: () => `${letters(3)}-${letters(4)}-${letters(3)}`,
  meetingUrl: (code) => `https://meet.google.com/${code}`, // Meet has no passcodes
  handle,
};

async function handle(_req: unknown, res: ServerResponse, url: URL, ctx: PlatformContext): Promise<void> {
  const path = url.pathname;
  if (path === '/' || path === '/landing') return servePage(res, new URL('home.html', PUBLIC), {});
  if (path.startsWith('/_meet/')) return servePublic(res, PUBLIC, path.slice('/_meet/'.length));
  const code = path.slice(1).replace(/\/$/, '').toLowerCase();
  const meeting = ctx.findMeeting(code);
  // Real Meet answers unknown codes with a 200 page, not an HTTP error.
  if (!meeting || meeting.platform !== 'meet') return servePage(res, new URL('not-found.html', PUBLIC), { code });
  if (meeting.options.wall === 'sign_in') {
    // Meet sends anonymous visitors of sign-in-only meetings to Google's account page.
    const next = encodeURIComponent(`https://meet.google.com/${meeting.code}`);
    res.writeHead(302, { location: `https://accounts.google.com/ServiceLogin?continue=${next}`, 'cache-control': 'no-store' });
    res.end();
    return;
  }
  return servePage(res, new URL('index.html', PUBLIC), {
    code: meeting.code,
    open: meeting.options.open,
    recordingNotice: meeting.options.recordingNotice,
    permissionPrompt: meeting.options.permissionPrompt,
  });
}
