/**
 * Finds the meeting in free invite text (calendar descriptions, e-mails) and the typed passcode
 * that goes with it.
 *
 * Passcode rule (so a passcode of another meeting or a dial-in PIN is never taken):
 * - only values labelled Passcode/Password count (also as Zoom and Teams write them in German,
 *   Spanish, French, Portuguese, Italian, Dutch, Japanese, Chinese and Korean invites); `PIN`,
 *   "Numeric passcode" ("numérico", "numérique"…) and "Phone/Conference passcode" are dial-in
 *   codes, and a value ending in `#` is a keypad entry, so none of them is ever used;
 * - the label must be nearer to a link of this meeting than to a link of any other meeting
 *   (character distance), at most 400 characters after it or 150 before it;
 * - no "Meeting ID: <digits>" naming a different numeric meeting may sit between the link and the
 *   label (invites that list several meetings repeat that header per meeting).
 */
import { MeetcapError, type PlatformId } from '../contracts/index.js';
import { ID_CJK, ID_LATIN, PASSCODE_CJK, PASSCODE_LATIN } from './invite-labels.js';
import { findLinks, normaliseLink } from './invite-links.js';
import { plainInviteText } from './invite-text.js';
import type { ParsedMeeting } from './platform.js';
import { parseMeetingUrl } from './resolve.js';

export interface InviteMeeting {
  meeting: ParsedMeeting;
  /** The passcode a person would type (not Zoom's encrypted `pwd`). Never log it. */
  passcode?: string;
  passcodeSource?: 'url' | 'invite_text';
}

/** Where a meeting is mentioned in the text: a link, or a "Meeting ID:" line. */
interface Anchor {
  start: number;
  end: number;
  /** platform + code, to tell mentions of the same meeting from others. */
  key: string;
  /** The key of the meeting this link names in another form too (`mergeAliases`); unset otherwise. */
  group?: string;
}

const MAX_AFTER = 400;
const MAX_BEFORE = 150;
const PASSCODE = new RegExp(
  `(?<!(?:numeric|numerischer|numerisches|phone|conference|dial-in|audio|数字|数値|숫자)\\s*)`
    + `(?:(?<!\\p{L})(?:${PASSCODE_LATIN.join('|')})(?![\\p{L}\\p{N}])|${PASSCODE_CJK.join('|')})`
    // "Código de acceso numérico", "Code secret numérique": the dial-in code, named after the label.
    + `(?!\\s+num[ée]ri)\\s*(:|：)?\\s*([^\\s()<>,;"'：]{1,40})`,
  'giu',
);
const MEETING_ID = new RegExp(
  `(?:(?<!\\p{L})(?:${ID_LATIN.join('|')})(?![\\p{L}\\p{N}])|${ID_CJK.join('|')})\\s*[:：#]?\\s*(\\d[\\d \\u00a0-]{7,22}\\d)`,
  'giu',
);

/**
 * `expected`: the platform the caller knows the meeting is on (`meetcap link --platform`); it
 * picks the meeting when the text names meetings on several platforms (a Meet link Google
 * Calendar added beside the Zoom link the organiser pasted).
 */
export function extractMeetingFromInvite(text: string, expected?: PlatformId): InviteMeeting {
  const clean = plainInviteText(text);
  const refusals: MeetcapError[] = [];
  const anchors: Array<Anchor & { meeting: ParsedMeeting }> = [];
  for (const link of findLinks(clean)) {
    try {
      const meeting = parseMeetingUrl(normaliseLink(link.raw));
      anchors.push({ start: link.start, end: link.end, key: keyOf(meeting), meeting });
    } catch (err) {
      if (err instanceof MeetcapError) refusals.push(err);
      else throw err;
    }
  }
  // An invite for a service no adapter joins (Webex…) says so, rather than "no meeting found", and
  // its "Meeting ID" is that service's, never read as a Zoom or Teams number.
  const unsupported = refusals.find((r) => r.code === 'platform_unsupported');
  const chosen = onlyMeeting(anchors, expected) ?? (unsupported ? undefined : fromMeetingId(clean));
  if (expected && (chosen ? chosen.meeting.platform !== expected : anchors.length > 0)) {
    throw new MeetcapError('url_not_allowed', `the text names no ${expected} meeting (it names ${[...new Set(anchors.map((a) => a.key))].join(', ') || chosen!.key})`, { field: 'meetingUrl' });
  }
  if (!chosen) {
    if (unsupported) throw unsupported;
    const why = refusals.length ? ` (${refusals[0]!.message})` : '';
    throw new MeetcapError('url_not_allowed', `no joinable Zoom, Google Meet or Microsoft Teams meeting link or meeting ID found in the text${why}`, {
      field: 'meetingUrl',
    });
  }
  const { meeting } = chosen;
  if (meeting.platform === 'meet') return { meeting }; // Meet has no passcodes; its PINs are dial-in only.
  // A link's passcode (Zoom's pwd, Teams' p=) is an encoding the page reads by itself, never the
  // one a person types: Teams invites show "Passcode: Mt9xB2N6" beside `?p=gs3i4BbISAYdWvdTo0`.
  // The passcode of a Teams meeting sits by either of its links; a Zoom personal room's is its own.
  const group = chosen.group ?? chosen.key;
  const keys = new Set([chosen.key]);
  if (meeting.platform === 'teams') for (const a of anchors) if ((a.group ?? a.key) === group) keys.add(a.key);
  // A meeting found by its "Meeting ID" line is a mention too, in text order among the links.
  const mentions = anchors.includes(chosen) ? anchors : [...anchors, chosen].sort((a, b) => a.start - b.start);
  const typed = findPasscode(clean, keys, mentions);
  if (typed) return { meeting, passcode: typed, passcodeSource: 'invite_text' };
  return meeting.passcodeInUrl ? { meeting, passcodeSource: 'url' } : { meeting };
}

/**
 * The one meeting the links name (a link may be repeated, as in an HTML invite's text and href).
 * Meetings on several platforms: the `expected` one. Several meetings otherwise (an old and a new
 * link, a "backup" meeting) are not guessed at.
 */
function onlyMeeting<T extends Anchor & { meeting: ParsedMeeting }>(anchors: T[], expected?: PlatformId): T | undefined {
  const candidates = expected ? anchors.filter((a) => a.meeting.platform === expected) : anchors;
  mergeAliases(candidates);
  const keys = [...new Set(candidates.map((a) => a.group ?? a.key))];
  if (keys.length > 1) {
    throw new MeetcapError('url_not_allowed', `the text names ${keys.length} different meetings (${keys.join(', ')}); give the one to join`, {
      field: 'meetingUrl',
      meetings: keys,
    });
  }
  // Of a meeting written two ways, the link in the form joined best.
  return candidates.find((a) => a.group === undefined || a.group === a.key) ?? candidates[0];
}

/** Per platform: the link form that names a meeting best, beside another form that may name the same one. */
const PRIMARY_FORM: Partial<Record<PlatformId, (m: ParsedMeeting) => boolean>> = {
  // A Teams invite links its meeting chat (meetup-join) and its meeting ID (`/meet/<id>`).
  teams: (m) => m.meetingCode.startsWith('19:'),
  // A Zoom invite's numbered link beside a personal-room link (`/my/<name>`, often a signature's).
  zoom: (m) => /^\d+$/.test(m.meetingCode),
};

/**
 * Groups one meeting linked in two forms under the key of its primary form: only where the text
 * has exactly one meeting in each form of its platform, so two meetings in one form stay two.
 * Each link keeps its own key, which says whose passcode a label is.
 */
function mergeAliases(anchors: Array<Anchor & { meeting: ParsedMeeting }>): void {
  for (const [platform, primary] of Object.entries(PRIMARY_FORM)) {
    const mine = anchors.filter((a) => a.meeting.platform === platform);
    const main = [...new Set(mine.filter((a) => primary(a.meeting)).map((a) => a.key))];
    const other = [...new Set(mine.filter((a) => !primary(a.meeting)).map((a) => a.key))];
    if (main.length === 1 && other.length === 1) for (const a of mine) a.group = main[0]!;
  }
}

function keyOf(meeting: ParsedMeeting): string {
  return `${meeting.platform}:${meeting.meetingCode}`;
}

/**
 * No link: a "Meeting ID: 882 4085 2079" line. Zoom ids have 9-11 digits, Teams ids 10-15; in the
 * overlap the invite's wording decides, Zoom by default (its invites lead with the ID far more often).
 */
function fromMeetingId(text: string): (Anchor & { meeting: ParsedMeeting }) | undefined {
  const match = [...text.matchAll(MEETING_ID)][0];
  if (!match) return undefined;
  const id = (match[1] ?? '').replace(/\D/g, '');
  if (id.length < 9 || id.length > 15) return undefined;
  const saysTeams = /microsoft teams|teams meeting/i.test(text) && !/\bzoom\b/i.test(text);
  const teams = id.length > 11 || (id.length >= 10 && saysTeams);
  const start = match.index;
  const end = start + match[0].length;
  // The passcode is typed where the page asks (the link's p= would be its hashed form).
  const url = teams ? `https://teams.microsoft.com/meet/${id}` : `https://zoom.us/j/${id}`;
  const meeting = parseMeetingUrl(url);
  return { start, end, key: keyOf(meeting), meeting };
}

/** What invites write where there is no passcode ("Passcode: none", "Senha: não é necessária"). */
const NO_PASSCODE = new Set(['none', 'n/a', 'na', 'no', 'not', 'nil', '-', 'keine', 'kein', 'geen', 'aucun', 'ninguna', 'ninguno', 'não', 'nessuna', 'なし', '无', '없음']);

/** `keys`: the mentions of the chosen meeting, whose passcode it is (two forms of one Teams meeting). */
function findPasscode(text: string, keys: ReadonlySet<string>, anchors: readonly Anchor[]): string | undefined {
  for (const match of text.matchAll(PASSCODE)) {
    const value = (match[2] ?? '').replace(/[.:]+$/, '');
    const hasColon = match[1] !== undefined;
    // Without a colon only something code-like counts ("Passcode 584706", not "passcode required").
    if (!value || value.endsWith('#') || (!hasColon && !/\d/.test(value))) continue;
    if (NO_PASSCODE.has(value.toLowerCase()) || value.includes('://')) continue;
    const nearest = nearestAnchor(anchors, match.index, match.index + match[0].length);
    if (!nearest || !keys.has(nearest.anchor.key)) continue;
    const { anchor, distance, after } = nearest;
    if (distance > (after ? MAX_AFTER : MAX_BEFORE)) continue;
    const between = after ? text.slice(anchor.end, match.index) : text.slice(match.index, anchor.start);
    if (namesOtherMeeting(between, anchor.key)) continue;
    return value;
  }
  return undefined;
}

/**
 * The mention nearest to the label-and-value span, whichever side of it the span is on. Anchors
 * are in text order and do not overlap, so only the last one ending before the span and the
 * first one ending after its start can be nearest: found by bisection, so a long text with many
 * meetings costs a logarithm per label instead of a pass over every mention.
 */
function nearestAnchor(anchors: readonly Anchor[], start: number, end: number): { anchor: Anchor; distance: number; after: boolean } | undefined {
  let lo = 0;
  let hi = anchors.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (anchors[mid]!.end <= start) lo = mid + 1;
    else hi = mid;
  }
  let best: { anchor: Anchor; distance: number; after: boolean } | undefined;
  for (const anchor of anchors.slice(Math.max(0, lo - 1), lo + 1)) {
    const after = start >= anchor.end;
    const distance = after ? start - anchor.end : Math.max(0, anchor.start - end);
    if (!best || distance < best.distance) best = { anchor, distance, after };
  }
  return best;
}

/** A "Meeting ID:" for a different number between the link and the passcode: the passcode is that meeting's. */
function namesOtherMeeting(between: string, key: string): boolean {
  const ownId = key.slice(key.indexOf(':') + 1);
  if (!/^\d+$/.test(ownId)) return false;
  for (const match of between.matchAll(MEETING_ID)) if ((match[1] ?? '').replace(/\D/g, '') !== ownId) return true;
  return false;
}
