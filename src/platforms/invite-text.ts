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
 * and every `=` of a link is written `=3D`. Taken as such when it has a soft break, or when it has
 * `=3D` and every `=` in it starts an escape (a plain link's `?pwd=` would not).
 */
function fromQuotedPrintable(text: string): string {
  const softBreaks = /=\r?\n/.test(text);
  const allEscaped = /=3D/i.test(text) && !/=(?![0-9A-F]{2})/i.test(text);
  if (!softBreaks && !allEscaped) return text;
  const bytes = text.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/gi, (_m, hex: string) => `%${hex}`);
  // Percent-escapes only for the decoded bytes: a literal % is escaped first so it stays one.
  try {
    return decodeURIComponent(bytes.replace(/%(?![0-9A-F]{2})/gi, '%25'));
  } catch {
    return bytes;
  }
}

/**
 * An iCalendar DESCRIPTION (RFC 5545): lines folded with a CRLF and a space (also inside a
 * link), and newlines, commas and semicolons escaped. Recognised by its property name, or by
 * escaped newlines in text that has no real ones.
 */
function fromCalendarFile(text: string): string {
  const ics = /(^|\n)(DESCRIPTION|X-ALT-DESC|BEGIN:VEVENT)[;:]?/.test(text) || (/\\n/.test(text) && !/\n/.test(text));
  if (!ics) return text;
  return text.replace(/\r?\n[ \t]/g, '').replace(/\\([nN,;\\])/g, (_m, c: string) => (c === 'n' || c === 'N' ? '\n' : c));
}

/** Tags mail and calendar HTML is written with; anything else in angle brackets is prose. */
const TAG_NAMES = [
  'a', 'abbr', 'b', 'big', 'blockquote', 'body', 'br', 'center', 'code', 'col', 'colgroup', 'div', 'em', 'font', 'h[1-6]', 'head',
  'hr', 'html', 'i', 'img', 'li', 'meta', 'o:p', 'ol', 'p', 'pre', 's', 'small', 'span', 'strike', 'strong', 'style', 'sub', 'sup',
  'table', 'tbody', 'td', 'tfoot', 'th', 'thead', 'title', 'tr', 'u', 'ul', 'v:[a-z]+', 'w:[a-z]+', 'xml',
].join('|');
const TAG = new RegExp(`<\\/?(?:${TAG_NAMES})(?:\\s[^<>]*)?\\/?>`, 'gi');
const HAS_TAG = new RegExp(TAG.source, 'i');
const ANCHOR_HREF = /<a\s[^<>]*?href\s*=\s*(?:(["'])(.*?)\1|([^\s"'<>]+))[^<>]*>/gi;

/**
 * HTML invites (Outlook, Teams) put tags between a label and its value (`<b>Passcode:</b>
 * 123456`); each tag becomes a space, a link's `href` (quoted or not) stays as text. Only HTML's
 * own tag names count: `<https://…>`, `<mailto:…>`, Slack's `<url|label>` and "a<b" in prose are
 * no tags, and a tag holding a link is never dropped.
 */
function withoutTags(text: string): string {
  if (!HAS_TAG.test(text)) return text;
  return text
    .replace(ANCHOR_HREF, (_m, _q: string, quoted: string | undefined, bare: string | undefined) => ` ${quoted ?? bare ?? ''} `)
    .replace(TAG, (tag) => (tag.includes('://') ? tag : ' '));
}
