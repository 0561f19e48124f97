/**
 * Invite text as it reaches us, made plain before links and labels are looked for: a mail body
 * still in quoted-printable, a calendar file's escaped and folded DESCRIPTION, HTML with its tags
 * and entities. Each step runs only on text that shows its encoding, so plain text passes as is.
 */
import { decodeEntities } from './url-kit.js';

export function plainInviteText(text: string): string {
  // NFC: an accent written as its own combining mark ("Co\u0301digo") reads as the label it is.
  return decodeEntities(withoutTags(fromCalendarFile(fromQuotedPrintable(text)))).normalize('NFC');
}

/**
 * A mail body (RFC 2045) still encoded: soft line breaks (`=` at a line's end) cut links anywhere,
 * and every `=` of a link is written `=3D`. Taken as such only when every `=` in it is an escape
 * or a soft break, and it has a soft break, or `=3D` and another escape (a plain link's
 * `?pwd=3D…`, a Zoom passcode that happens to start with 3D, has no other).
 */
function fromQuotedPrintable(text: string): string {
  if (/=(?![0-9A-F]{2}|\r?\n)/i.test(text)) return text;
  const softBreaks = /=\r?\n/.test(text);
  if (!softBreaks && !(/=3D/i.test(text) && /=(?!3D)[0-9A-F]{2}/i.test(text))) return text;
  const parts = text.replace(/=\r?\n/g, '').split(/(=[0-9A-F]{2})/i);
  const bytes = Buffer.concat(parts.map((p, i) => (i % 2 === 1 ? Buffer.of(parseInt(p.slice(1), 16)) : Buffer.from(p, 'utf8'))));
  // The mail's charset is not known here: UTF-8 when the bytes are, else Windows-1252 (Latin-1 mail).
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return new TextDecoder('windows-1252').decode(bytes);
  }
}

/**
 * An iCalendar DESCRIPTION (RFC 5545): lines folded with a CRLF and a space (also inside a
 * link), and newlines, commas and semicolons escaped. Recognised by its property name, or by
 * escaped newlines in text that has no real ones.
 */
function fromCalendarFile(text: string): string {
  const ics = /(^|\n)(?:DESCRIPTION|X-ALT-DESC)[;:]|BEGIN:V(?:CALENDAR|EVENT)/.test(text) || (/\\n/.test(text) && !/\n/.test(text));
  if (!ics) return text;
  return text.replace(/\r?\n[ \t]/g, '').replace(/\\([nN,;\\])/g, (_m, c: string) => (c === 'n' || c === 'N' ? '\n' : c));
}

/**
 * An HTML tag: a name (Office's `o:p` and `v:shape` included) then white space, `/` or `>`. A
 * URL scheme in brackets (`<https://…>`, `<mailto:…>`) has a `:` and no space after its name.
 */
const TAG = /<\/?[a-z][a-z0-9]*(?::[a-z0-9]+)?(?:\s[^<>]*)?\/?>/gi;
const HAS_TAG = new RegExp(TAG.source, 'i');
const ANCHOR_HREF = /<a\s[^<>]*?href\s*=\s*(?:(["'])(.*?)\1|([^\s"'<>]+))[^<>]*>/gi;
/** Attributes (`name="…"`, `name=…`): what tells a real tag holding a link from prose between brackets. */
const ATTRIBUTE = /\s[\w:-]+\s*=/;

/**
 * HTML invites (Outlook, Teams) put tags between a label and its value (`<b>Passcode:</b>
 * 123456`); each tag becomes a space, a link's `href` (quoted or not) stays as text. Brackets in
 * prose ("if a<b and then https://… (x>2)") are no tag when they hold a link without attributes.
 */
function withoutTags(text: string): string {
  if (!HAS_TAG.test(text)) return text;
  return text
    .replace(ANCHOR_HREF, (_m, _q: string, quoted: string | undefined, bare: string | undefined) => ` ${quoted ?? bare ?? ''} `)
    .replace(TAG, (tag) => (tag.includes('://') && !ATTRIBUTE.test(tag) ? tag : ' '));
}
