/** Small URL helpers shared by the platform link parsers (pure, never throw). */

export const REDACTED = 'REDACTED';

/** decodeURIComponent that returns the input unchanged on malformed escapes (links in the wild have them). */
export function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** Decodes until the text stops changing: mail clients and launchers encode links once or twice. */
export function decodeFully(s: string, rounds = 3): string {
  let current = s;
  for (let i = 0; i < rounds; i++) {
    const next = safeDecode(current);
    if (next === current) break;
    current = next;
  }
  return current;
}

/** Whether `host` is `domain` or one of its subdomains (never `domain.evil.com`). */
export function onDomain(host: string, domain: string): boolean {
  return host === domain || host.endsWith(`.${domain}`);
}

/** Builds an https URL from a host, a path and the query values that are set (in order). */
export function buildUrl(host: string, path: string, params: Record<string, string | undefined> = {}): string {
  const url = new URL(`https://${host}${path}`);
  for (const [key, value] of Object.entries(params)) if (value) url.searchParams.set(key, value);
  return url.href;
}

/** The same URL with every listed query value replaced by REDACTED, so it can be logged. */
export function redactParams(href: string, secrets: readonly string[]): string {
  const url = new URL(href);
  for (const key of secrets) if (url.searchParams.has(key)) url.searchParams.set(key, REDACTED);
  return url.href;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

/** HTML entities (`&amp;`, `&#58;`, `&#x3a;`) as mail bodies and calendar descriptions write them. */
export function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, name: string) => {
    if (name[0] === '#') {
      const code = name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
      return Number.isFinite(code) && code > 0 && code < 0x110000 ? String.fromCodePoint(code) : whole;
    }
    return ENTITIES[name.toLowerCase()] ?? whole;
  });
}
