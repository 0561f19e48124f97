/**
 * Finding links in invite text (calendar descriptions, e-mails) and undoing what mail clients do
 * to them: HTML entities, redirect wrappers, encoded queries, text glued to the end.
 */
import { GLUED_LABEL } from './invite-labels.js';
import { unwrapLink } from './link-wrappers.js';
import { safeDecode } from './url-kit.js';
import { APP_LINK_IN_TEXT, BARE_LINK_IN_TEXT, toWebLink } from './web-links.js';

export interface LinkSpan {
  start: number;
  end: number;
  /** The link as written, cleaned of surrounding text. */
  raw: string;
}

/** Punctuation that ends a sentence or wraps a link, never the last character of a meeting link. */
const TRAILING = /[().,;:!?\]'"*>]+$/;
/**
 * Characters no meeting link holds, which end one wherever they stand: typographic quotes
 * (“…”), Slack's `<link|label>`, zero-width spaces (Outlook and Teams text has them) and the
 * full-width punctuation of Japanese and Chinese prose (（…）。、).
 */
const NEVER_IN_LINK = /[\u200b-\u200d\u2060\ufeff\u201c\u201d\u2018\u2019\u00ab\u00bb|\u3000-\u303f\uff01-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65]/u;

/** Web links, desktop-app links and scheme-less links on a meeting host ("meet.google.com/abc-defg-hij"). */
const LINK = new RegExp(`https?://[^\\s<>]+|${APP_LINK_IN_TEXT.source}|${BARE_LINK_IN_TEXT.source}`, 'gi');

export function findLinks(text: string): LinkSpan[] {
  const spans: LinkSpan[] = [];
  for (const match of text.matchAll(LINK)) {
    // A glued label may run past the link's end ("...pwd=abc.1Meeting ID: 882"), so look a little further.
    const raw = trimLink(match[0], text.slice(match.index, match.index + match[0].length + 24));
    // Kept when a host is followed by a path: a scheme alone, or a host alone, is no meeting link.
    if (/[^:/]\/./.test(raw)) spans.push({ start: match.index, end: match.index + raw.length, raw });
  }
  return spans;
}

function trimLink(candidate: string, withFollowing: string): string {
  let link = candidate.split(NEVER_IN_LINK)[0]!;
  const glued = GLUED_LABEL.exec(withFollowing);
  if (glued && glued.index < link.length) link = link.slice(0, glued.index);
  // Meeting links never contain parentheses or end in punctuation, so all of it is prose.
  return cutAtQuote(link).replace(TRAILING, '');
}

/** Quotes end a link (attributes, prose) except inside a Teams `context={"Tid":..}` written unencoded. */
function cutAtQuote(link: string): string {
  let depth = 0;
  for (let i = 0; i < link.length; i++) {
    const c = link[i];
    if (c === '{') depth++;
    else if (c === '}') depth = Math.max(0, depth - 1);
    else if ((c === '"' || c === "'") && depth === 0) return link.slice(0, i);
  }
  return link;
}

/** Undoes redirect and link-protection wrappers (link-wrappers.ts), app and scheme-less forms, an encoded query. */
export function normaliseLink(raw: string): string {
  return fixEncodedQuery(toWebLink(unwrapLink(raw)));
}

/** `/j/123%3Fpwd%3Dabc` or `/j/123?pwd%3Dabc`: the query was encoded as one value; decode it once. */
function fixEncodedQuery(link: string): string {
  const at = link.search(/\?|%3F/i);
  if (at < 0) return link;
  const query = link.slice(at).replace(/^(\?|%3F)/i, '');
  if (query.includes('=') || !/%3D/i.test(query)) return link;
  return `${link.slice(0, at)}?${safeDecode(query)}`;
}
