import { readFile } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
};

/** Marker in HTML pages replaced by the page's JSON config at serve time. */
const CONFIG_MARKER = '__SANDBOX_CONFIG__';

/**
 * Serves `rel` from a public folder (a `file:` URL ending in `/`). Files are read per request so
 * page edits show up without a restart; names are restricted so `..` can never escape the folder.
 */
export async function servePublic(res: ServerResponse, dir: URL, rel: string): Promise<void> {
  if (!/^[a-zA-Z0-9_-]+(\.[a-zA-Z0-9]+)+$/.test(rel)) return sendText(res, 404, 'Not found');
  let body: Buffer;
  try {
    body = await readFile(fileURLToPath(new URL(rel, dir)));
  } catch {
    return sendText(res, 404, 'Not found');
  }
  res.writeHead(200, { 'content-type': TYPES[extname(rel)] ?? 'application/octet-stream', 'cache-control': 'no-store' });
  res.end(body);
}

/** Serves an HTML page with its config inlined, so the first paint already has the right texts. */
export async function servePage(res: ServerResponse, file: URL, config: unknown): Promise<void> {
  const html = await readFile(fileURLToPath(file), 'utf8');
  // `<` escaped so no value can close the <script> element early.
  const json = JSON.stringify(config).replace(/</g, '\\u003c');
  res.writeHead(200, { 'content-type': TYPES['.html'] ?? 'text/html', 'cache-control': 'no-store' });
  res.end(html.replace(CONFIG_MARKER, json));
}

export function sendText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' });
  res.end(text);
}
