import { MeetcapError, type PlatformId } from '../contracts/index.js';
import { findLinks, normaliseLink } from './invite-links.js';
import { decodeEntities, onDomain } from './url-kit.js';
import { meetAdapter } from './meet/index.js';
import { meetNotJoinable } from './meet/url.js';
import type { ParsedMeeting, PlatformAdapter } from './platform.js';
import { teamsAdapter } from './teams/index.js';
import { zoomAdapter } from './zoom/index.js';
import { zoomNotJoinable } from './zoom/url.js';

type UrlParser = (url: URL) => ParsedMeeting | null;

/** Platforms this build can join (Zoom through its web client; the SDK variant is chosen per bot profile). */
const ADAPTERS: Partial<Record<PlatformId, PlatformAdapter>> = { meet: meetAdapter, zoom: zoomAdapter, teams: teamsAdapter };

/** Every platform's link parser. */
const PARSERS: Record<PlatformId, UrlParser> = {
  meet: meetAdapter.parseUrl,
  zoom: zoomAdapter.parseUrl,
  teams: teamsAdapter.parseUrl,
};

/**
 * Conferencing services sales calls also run on, which no adapter joins: their links are refused
 * as `platform_unsupported` (naming the service), so the caller can tell "not supported" from
 * "not a meeting link".
 */
const OTHER_SERVICES: Record<string, readonly string[]> = {
  webex: ['webex.com', 'webex.com.cn'],
  goto: ['gotomeeting.com', 'gotomeet.me', 'meet.goto.com'],
  ringcentral: ['v.ringcentral.com', 'meetings.ringcentral.com', 'video.ringcentral.com'],
  dialpad: ['meetings.dialpad.com'],
  bluejeans: ['bluejeans.com'],
  chime: ['chime.aws'],
  whereby: ['whereby.com'],
  skype: ['join.skype.com'],
  jitsi: ['meet.jit.si'],
  zoho: ['meeting.zoho.com', 'meeting.zoho.eu', 'meeting.zoho.in'],
};

function otherService(host: string): string | undefined {
  for (const [service, domains] of Object.entries(OTHER_SERVICES)) {
    if (domains.some((d) => onDomain(host, d))) return service;
  }
  return undefined;
}

/**
 * The link in a job's `meetingUrl` as a policy service may have copied it out of an invite:
 * with text glued on ("…pwd=abc.1Passcode: 497810"), in angle brackets, before a full stop, or
 * with its query encoded as one value (`?pwd%3D…`). Left as written when it holds no single link.
 */
function linkOf(raw: string): string {
  // As copied out of an HTML invite: `&amp;` between query values, `<a href="X">X</a>`.
  const written = decodeEntities(raw).trim();
  const found = [...new Set(findLinks(written).map((l) => l.raw))];
  if (found.length > 1) {
    throw new MeetcapError('url_not_allowed', `meetingUrl holds ${found.length} different links; give the one meeting to join`, { field: 'meetingUrl' });
  }
  return normaliseLink(found[0] ?? written);
}

/**
 * Parses a meeting link. Only plain https links on a known meeting host pass (http on one is
 * read as https, web-links.ts): no credentials, no custom port, exact host match (so
 * `meet.google.com@evil.com` and `zoom.us.evil.com` fail).
 * A link inside a mail system's redirect or link-protection wrapper is read out of it first
 * (link-wrappers.ts), and then checked the same way; the wrapper itself is never visited. Desktop
 * app links and links written without a scheme become the web link they stand for (web-links.ts).
 */
export function parseMeetingUrl(raw: string, expected?: PlatformId): ParsedMeeting {
  const link = linkOf(raw);
  let url: URL;
  try {
    url = new URL(link);
  } catch {
    throw new MeetcapError('url_not_allowed', 'meetingUrl is not a valid URL', { field: 'meetingUrl' });
  }
  const refuse = (why: string): never => {
    throw new MeetcapError('url_not_allowed', `meetingUrl ${why}`, { field: 'meetingUrl', host: url.hostname });
  };
  if (url.protocol !== 'https:') refuse(`must use https (got ${url.protocol.replace(':', '')})`);
  if (url.username || url.password) refuse('must not contain credentials');
  if (url.port) refuse('must not name a port');
  for (const [platform, parse] of Object.entries(PARSERS) as Array<[PlatformId, UrlParser]>) {
    const meeting = parse(url);
    if (!meeting) continue;
    if (expected && expected !== platform) refuse(`is a ${platform} link but the job says platform ${expected}`);
    return meeting;
  }
  const service = otherService(url.hostname);
  if (service) {
    throw new MeetcapError('platform_unsupported', `meetingUrl is a ${service} meeting; meetcap joins Zoom, Google Meet and Microsoft Teams`, {
      field: 'meetingUrl', host: url.hostname, service,
    });
  }
  const why = meetNotJoinable(url) ?? zoomNotJoinable(url);
  if (why) refuse(why);
  return refuse(`is not a joinable Zoom, Google Meet or Microsoft Teams meeting link (host ${url.hostname})`);
}

export function adapterFor(platform: PlatformId): PlatformAdapter {
  const adapter = ADAPTERS[platform];
  if (!adapter) throw new MeetcapError('platform_unsupported', `joining ${platform} meetings is not available in this build`, { platform });
  return adapter;
}

/** The parsed meeting plus the adapter that joins it. */
export function resolvePlatform(raw: string, expected?: PlatformId): { meeting: ParsedMeeting; adapter: PlatformAdapter } {
  const meeting = parseMeetingUrl(raw, expected);
  return { meeting, adapter: adapterFor(meeting.platform) };
}
