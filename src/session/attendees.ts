import type { MeetingJob } from '../contracts/index.js';

export type Attendee = MeetingJob['attendees'][number];

/**
 * Display names to calendar attendees. Platforms decorate names ("Ann Lee (Guest)",
 * "Lee, Ann (External)", "ann lee (she/her)"), so both sides are normalised before comparing;
 * a name that fits more than one attendee is left unmatched: a recording linked to the wrong
 * person is worse than one linked to nobody.
 */

// Markers platforms and users append to names; they say something about the seat, not the person.
const MARKERS = new Set(['guest', 'external', 'unverified', 'host', 'co-host', 'cohost', 'me', 'you', 'presentation', 'presenting']);
const PRONOUNS = new Set(['he', 'him', 'his', 'she', 'her', 'hers', 'they', 'them', 'theirs', 'xe', 'xem', 'ze', 'zir', 'hir', 'any', 'all']);
const BRACKETED = /\s*[([]([^()[\]]*)[)\]]\s*$/;
const DASH_MARKER = /\s+[-–—]\s*(guest|external)\s*$/;

function isMarker(inner: string): boolean {
  const s = inner.trim().replace(/^pronouns\s*:\s*/, '');
  if (MARKERS.has(s)) return true;
  const parts = s.split(/\s*\/\s*/);
  return parts.length > 1 && parts.every((p) => PRONOUNS.has(p));
}

/** Accents and case folded, whitespace collapsed, curly apostrophes straightened. */
export function foldText(s: string): string {
  return s
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/ß/g, 'ss')
    .replace(/[‘’ʼ`]/g, "'")
    .replace(/\s+/g, ' ')
    .trim();
}

/** A folded name without platform markers: "José Álvarez (Guest)" → "jose alvarez". */
export function normaliseName(displayName: string): string {
  let s = foldText(displayName);
  for (;;) {
    const bracket = BRACKETED.exec(s);
    const next = bracket && isMarker(bracket[1]!) ? s.slice(0, bracket.index) : s.replace(DASH_MARKER, '');
    if (next === s) return s.trim();
    s = next.trim();
  }
}

/** Meet shows a screen share as its own tile ("Ann Lee (Presentation)"): a stream, not a person. */
export function isPresentationTile(displayName: string): boolean {
  return /[([]\s*(presentation|presenting)\s*[)\]]/.test(foldText(displayName));
}

/** The forms a name is compared in: as written, and "Last, First" turned into "first last". */
function nameKeys(name: string): string[] {
  const n = normaliseName(name);
  const comma = /^([^,]+),([^,]+)$/.exec(n);
  return comma ? [n, `${comma[2]!.trim()} ${comma[1]!.trim()}`] : [n];
}

/** "Jane Doe" as it appears in unambiguous email local parts: jane.doe, jane_doe, jane-doe, janedoe. */
function localPartForms(name: string): string[] {
  return nameKeys(name).flatMap((key) => {
    const words = key.split(' ').map((w) => w.replace(/[^a-z0-9]/g, '')).filter(Boolean);
    // A single word ("Jane") fits too many mailboxes to be evidence.
    return words.length < 2 ? [] : ['.', '_', '-', ''].map((sep) => words.join(sep));
  });
}

function localPart(email: string): string {
  return foldText(email.slice(0, email.lastIndexOf('@'))).replace(/\+.*$/, '');
}

/** The same person listed twice (same email) is one candidate, not an ambiguity. */
function distinct(candidates: Attendee[]): Attendee[] {
  const seen = new Set<string>();
  return candidates.filter((a) => {
    const key = a.email ? foldText(a.email) : null;
    if (key === null) return true;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function only(candidates: Attendee[]): Attendee | null | 'ambiguous' {
  const unique = distinct(candidates);
  if (unique.length === 0) return null;
  return unique.length === 1 ? unique[0]! : 'ambiguous';
}

/**
 * The one attendee `displayName` belongs to, or null. By the attendee's name first; only when no
 * name fits, by the email's local part. Two or more candidates at either step: null.
 */
export function matchAttendee(displayName: string, attendees: readonly Attendee[]): Attendee | null {
  const keys = new Set(nameKeys(displayName));
  if (keys.has('')) return null;
  const byName = only(attendees.filter((a) => a.name !== undefined && nameKeys(a.name).some((k) => keys.has(k))));
  if (byName !== null) return byName === 'ambiguous' ? null : byName;
  const forms = new Set(localPartForms(displayName));
  const byEmail = only(attendees.filter((a) => a.email !== undefined && forms.has(localPart(a.email))));
  return byEmail === 'ambiguous' ? null : byEmail;
}

/**
 * true / false from the attendee's own flag, else from the email domain against the customer's
 * domains (subdomains included). null when neither says: no email, or no internal domains given
 * (then every address would look external, the customer's own staff included).
 */
export function isExternal(attendee: Attendee, internalDomains: readonly string[]): boolean | null {
  if (attendee.internal !== undefined) return !attendee.internal;
  if (!attendee.email || internalDomains.length === 0) return null;
  const domain = attendee.email.slice(attendee.email.lastIndexOf('@') + 1).toLowerCase();
  return !internalDomains.some((d) => domain === d || domain.endsWith(`.${d}`));
}

export interface SpeakerMatch {
  name: string;
  attendee: { name?: string; email?: string } | 'unmatched';
  external: boolean | null;
}

export interface PrimaryExternal {
  name?: string;
  email: string;
  talkTimeSec: number;
}

const round1 = (sec: number): number => Math.round(sec * 10) / 10;

/**
 * How each speaker matched, and the external attendee (with an email, so the product can link the
 * recording to their record) who spoke longest. Names matching the same attendee add up (someone
 * who rejoined as "Ann (Guest)"). A tie for longest is no answer: null.
 */
export function primaryExternalSpeaker(
  talkTimeSec: Readonly<Record<string, number>>,
  attendees: readonly Attendee[],
  internalDomains: readonly string[],
): { matches: SpeakerMatch[]; primary: PrimaryExternal | null } {
  const matches: SpeakerMatch[] = [];
  const totals = new Map<string, { attendee: Attendee; email: string; sec: number }>();
  for (const [name, sec] of Object.entries(talkTimeSec)) {
    const attendee = matchAttendee(name, attendees);
    if (!attendee) {
      matches.push({ name, attendee: 'unmatched', external: null });
      continue;
    }
    const external = isExternal(attendee, internalDomains);
    matches.push({ name, attendee: { name: attendee.name, email: attendee.email }, external });
    if (external !== true || !attendee.email || sec <= 0) continue;
    const key = foldText(attendee.email);
    const total = totals.get(key) ?? { attendee, email: attendee.email, sec: 0 };
    total.sec += sec;
    totals.set(key, total);
  }
  const ranked = [...totals.values()].sort((a, b) => b.sec - a.sec);
  const [first, second] = ranked;
  const tied = first !== undefined && second !== undefined && round1(first.sec) === round1(second.sec);
  const primary = first && !tied ? { name: first.attendee.name, email: first.email, talkTimeSec: round1(first.sec) } : null;
  return { matches, primary };
}
