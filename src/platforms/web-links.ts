/**
 * Meeting links as invites write them without being https web links: Google Calendar's plain
 * text drops the scheme ("meet.google.com/abc-defg-hij"), older ones say http, and the desktop
 * apps' own links (`zoommtg://`, `zoomus://`, `msteams:`) name the same meeting. Each becomes
 * the web link it stands for; the platform parsers then check it like any other, host included.
 */
import { MEET_HOSTS } from './meet/url.js';
import { TEAMS_HOSTS } from './teams/url.js';
import { ZOOM_DOMAINS } from './zoom/url.js';
import { buildUrl } from './url-kit.js';

const escape = (host: string): string => host.replaceAll('.', '\\.');
/** Meeting hosts, Zoom's with any company or vanity subdomain, and Google's short form of Meet links. */
const HOSTS = `(?:${[
  'g\\.co(?=/meet/)',
  ...MEET_HOSTS.map(escape),
  ...TEAMS_HOSTS.map(escape),
  ...ZOOM_DOMAINS.map((d) => `(?:[a-z0-9-]+\\.)*${escape(d)}`),
].join('|')})`;

/** A link without a scheme: a meeting host followed by a path. */
const BARE = new RegExp(`^${HOSTS}/`, 'i');
/**
 * Where such links start in free text: at the start, after white space or an opening bracket or
 * quote. Never inside a word, an e-mail address or another link (`evil.com/r?to=zoom.us/j/..`).
 */
export const BARE_LINK_IN_TEXT = new RegExp(`(?<=^|[\\s(<[{"'>])${HOSTS}/[^\\s<>]*`, 'gi');
/** `g.co/meet/<code or nickname>`, Google's short link that opens meet.google.com/<the same>. */
const GOOGLE_SHORT = /^https:\/\/g\.co\/meet\/([^/?#]+)\/?(?:[?#].*)?$/i;
/** The desktop apps' link schemes, as they appear in invites. */
export const APP_LINK_IN_TEXT = /(?:zoommtg|zoomus):\/\/[^\s<>]+|msteams:\/?[^\s<>]+/gi;

/** The https web link for `link`, or `link` itself when it is already one (or nothing we know). */
export function toWebLink(link: string): string {
  if (BARE.test(link)) return toWebLink(`https://${link}`);
  // Plain http to a meeting host (old invites, CRM fields): the platforms serve only https and
  // redirect there themselves. Anything else in http stays as it is, and is refused.
  const insecure = /^http:\/\/(.*)$/is.exec(link)?.[1];
  if (insecure !== undefined && BARE.test(insecure)) return toWebLink(`https://${insecure}`);
  const short = GOOGLE_SHORT.exec(link)?.[1];
  if (short) return `https://meet.google.com/${short}`;
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(link)?.[1]?.toLowerCase();
  if (scheme === 'zoommtg' || scheme === 'zoomus') return fromZoomApp(link) ?? link;
  if (scheme === 'msteams') return fromTeamsApp(link);
  return link;
}

/**
 * `zoommtg://us06web.zoom.us/join?action=join&confno=88240852079&pwd=..` → `https://us06web.zoom.us/j/88240852079?pwd=..`.
 * null (left as it is, so refused) when it is not that shape or carries credentials or a port.
 */
function fromZoomApp(link: string): string | null {
  try {
    const url = new URL(link);
    const id = url.searchParams.get('confno')?.replace(/[\s-]/g, '');
    if (!url.hostname || url.username || url.password || url.port || !id || !/^\d+$/.test(id)) return null;
    const pwd = url.searchParams.get('pwd') ?? undefined;
    const tk = url.searchParams.get('tk') ?? undefined;
    return buildUrl(url.hostname, `/j/${id}`, { pwd, tk });
  } catch {
    return null; // not a URL, or a host that is no https host
  }
}

/** `msteams:/l/meetup-join/..` opens the same path the web client serves on teams.microsoft.com. */
function fromTeamsApp(link: string): string {
  const rest = link.replace(/^msteams:\/*/i, '');
  return BARE.test(rest) ? `https://${rest}` : `https://teams.microsoft.com/${rest}`;
}
