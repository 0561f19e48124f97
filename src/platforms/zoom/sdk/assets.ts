import { createReadStream, readFileSync } from 'node:fs';
import { readFile, realpath, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface SdkAssetServer {
  /** `http://127.0.0.1:<port>`: loopback http is a secure context, so cross-origin isolation works without TLS. */
  origin: string;
  close(): Promise<void>;
}

const require = createRequire(import.meta.url);
const SDK_DIR = path.dirname(require.resolve('@zoom/meetingsdk/package.json'));
export const ZOOM_SDK_VERSION = (JSON.parse(readFileSync(path.join(SDK_DIR, 'package.json'), 'utf8')) as { version: string }).version;
const PUBLIC_DIR = fileURLToPath(new URL('./public/', import.meta.url));

/**
 * The globals the Client View bundle expects (React, ReactDOM, Redux, ReactRedux, ReduxThunk, _),
 * taken from the installed peer dependencies' own UMD builds rather than the copies in the SDK's
 * `dist/lib/vendor`, so the versions are the ones npm resolved against the SDK's peer ranges.
 * A fixed table: `/vendor/` never maps a request path onto the filesystem.
 */
const VENDOR: Readonly<Record<string, readonly [pkg: string, file: string]>> = {
  'react.min.js': ['react', 'umd/react.production.min.js'],
  'react-dom.min.js': ['react-dom', 'umd/react-dom.production.min.js'],
  'redux.min.js': ['redux', 'dist/redux.min.js'],
  'redux-thunk.min.js': ['redux-thunk', 'dist/redux-thunk.min.js'],
  'react-redux.min.js': ['react-redux', 'dist/react-redux.min.js'],
  'lodash.min.js': ['lodash', 'lodash.min.js'],
};

interface Roots {
  public: string;
  sdk: string;
  /** `/vendor/<name>` → real path of the file. */
  vendor: ReadonlyMap<string, string>;
}

/** Resolved once at start, so a missing peer build fails the server's start, not a page load mid-join. */
async function resolveRoots(): Promise<Roots> {
  const vendor = new Map<string, string>();
  for (const [name, [pkg, file]] of Object.entries(VENDOR)) {
    vendor.set(name, await realpath(path.join(path.dirname(require.resolve(`${pkg}/package.json`)), file)));
  }
  return { public: await realpath(PUBLIC_DIR), sdk: await realpath(path.join(SDK_DIR, 'dist')), vendor };
}

const MIME: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.gif': 'image/gif',
  '.cur': 'image/x-icon',
  '.ico': 'image/x-icon',
  '.mp3': 'audio/mpeg',
  '.wav': 'audio/wav',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.txt': 'text/plain; charset=utf-8',
};

/** COOP+COEP make the page cross-origin isolated (SharedArrayBuffer for the SDK's Wasm threads); CORP lets our own subresources load under COEP. */
const ISOLATION_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'X-Content-Type-Options': 'nosniff',
  'Cache-Control': 'no-store',
} as const;

/** Our page, the SDK's `dist/` under `/zoom/` and the peer UMD bundles under `/vendor/`, on loopback only. */
export async function startSdkAssetServer({ port = 0 }: { port?: number } = {}): Promise<SdkAssetServer> {
  const roots = await resolveRoots();
  const server = createServer((req, res) => {
    void handle(req, res, roots).catch(() => send(res, 500, 'internal error'));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const { port: bound } = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  return {
    origin: `http://127.0.0.1:${bound}`,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Chromium keeps connections alive; without this close() waits for their idle timeout.
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

async function handle(req: IncomingMessage, res: ServerResponse, roots: Roots): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'method not allowed', { Allow: 'GET, HEAD' });
  let pathname: string;
  try {
    pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://127.0.0.1').pathname);
  } catch {
    return send(res, 400, 'bad request');
  }
  if (pathname.includes('\0')) return send(res, 400, 'bad request');
  if (pathname === '/') return sendPage(req, res, path.join(roots.public, 'sdk.html'));
  if (pathname === '/left') return sendFile(req, res, roots.public, 'left.html');
  // Chromium asks for it on every page; an empty answer keeps 404s out of the page's console.
  if (pathname === '/favicon.ico') return void res.writeHead(204, ISOLATION_HEADERS).end();
  if (pathname.startsWith('/zoom/')) return sendFile(req, res, roots.sdk, pathname.slice('/zoom/'.length));
  if (pathname.startsWith('/vendor/')) {
    const file = roots.vendor.get(pathname.slice('/vendor/'.length));
    return file ? sendFile(req, res, path.dirname(file), path.basename(file)) : send(res, 404, 'not found');
  }
  return sendFile(req, res, roots.public, pathname.slice(1));
}

/** The page names the SDK bundle by version; filled in here so an SDK upgrade needs no edit to the HTML. */
async function sendPage(req: IncomingMessage, res: ServerResponse, file: string): Promise<void> {
  const html = (await readFile(file, 'utf8')).replaceAll('__ZOOM_SDK_VERSION__', ZOOM_SDK_VERSION);
  res.writeHead(200, { ...ISOLATION_HEADERS, 'Content-Type': MIME['.html'], 'Content-Length': Buffer.byteLength(html) });
  res.end(req.method === 'HEAD' ? undefined : html);
}

/**
 * Serves `relative` only if it resolves, symlinks followed, to a regular file inside `root`
 * (itself already a real path): `..`, encoded separators and links out of the root all end as 404.
 */
async function sendFile(req: IncomingMessage, res: ServerResponse, root: string, relative: string): Promise<void> {
  const candidate = path.resolve(root, relative);
  let real: string;
  try {
    real = await realpath(candidate);
  } catch {
    return send(res, 404, 'not found');
  }
  if (!real.startsWith(root + path.sep)) return send(res, 404, 'not found');
  const info = await stat(real);
  if (!info.isFile()) return send(res, 404, 'not found');
  const type = MIME[path.extname(real).toLowerCase()] ?? 'application/octet-stream';
  res.writeHead(200, { ...ISOLATION_HEADERS, 'Content-Type': type, 'Content-Length': info.size });
  if (req.method === 'HEAD') return void res.end();
  await new Promise<void>((resolve) => {
    const stream = createReadStream(real);
    stream.on('error', () => res.destroy()).on('close', resolve);
    stream.pipe(res);
  });
}

function send(res: ServerResponse, status: number, text: string, extra: Record<string, string> = {}): void {
  if (res.headersSent) return void res.destroy();
  res.writeHead(status, { ...ISOLATION_HEADERS, 'Content-Type': MIME['.txt'], ...extra });
  res.end(text);
}
