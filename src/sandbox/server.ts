import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { SandboxCertificate } from './ca.js';
import type { SignalHub } from './hub.js';
import { hostMatches, type PlatformContext, type SandboxPlatform } from './platform.js';
import { sendText, servePage, servePublic } from './static.js';
import type { VideoSize } from './types.js';

const COMMON = new URL('./common/public/', import.meta.url);
const PARTICIPANT = new URL('./participant/public/', import.meta.url);
/** Hosts the sandbox answers for itself (participant pages), not for a platform. */
const SELF_HOSTS = ['127.0.0.1', 'localhost'];

export interface PagesServerOptions {
  cert: SandboxCertificate;
  port: number;
  platforms: readonly SandboxPlatform[];
  ctx: PlatformContext;
  hub: SignalHub;
  log: Logger;
  /** The size each synthetic participant's camera picture is drawn and sent at. */
  participantVideo: VideoSize;
}

export interface PagesServer {
  port: number;
  close(): Promise<void>;
}

/** One HTTPS server on 127.0.0.1 for every imitated hostname; the Host header picks the platform. */
export async function startPagesServer(opts: PagesServerOptions): Promise<PagesServer> {
  const server = createServer({ key: opts.cert.keyPem, cert: `${opts.cert.certPem}${opts.cert.caCertPem}` }, (req, res) => {
    route(req, res, opts).catch((err: unknown) => {
      opts.log.error({ err, url: req.url }, 'sandbox page request failed');
      if (!res.headersSent) sendText(res, 500, 'Internal error');
      else res.destroy();
    });
  });
  server.on('upgrade', (req: IncomingMessage, socket, head: Buffer) => {
    const url = new URL(req.url ?? '/', 'https://sandbox.invalid');
    if (url.pathname === '/_sandbox/ws') opts.hub.handleUpgrade(req, socket, head);
    else socket.end('HTTP/1.1 404 Not Found\r\n\r\n');
  });
  // Browsers' TLS probes and aborted loads are routine here; they must not surface as crashes.
  server.on('tlsClientError', (err) => opts.log.debug({ err }, 'tls client error'));
  await listen(server, opts.port);
  const port = (server.address() as AddressInfo).port;
  opts.log.debug({ port }, 'sandbox https server listening');
  let closing: Promise<void> | undefined;
  return {
    port,
    close: () => (closing ??= closeServer(server)),
  };
}

async function route(req: IncomingMessage, res: ServerResponse, opts: PagesServerOptions): Promise<void> {
  const host = (req.headers.host ?? '').replace(/:\d+$/, '').toLowerCase();
  const url = new URL(req.url ?? '/', `https://${host || 'sandbox.invalid'}`);
  if (req.method !== 'GET' && req.method !== 'HEAD') return sendText(res, 405, 'Method not allowed');
  if (url.pathname.startsWith('/_sandbox/common/')) {
    return servePublic(res, COMMON, url.pathname.slice('/_sandbox/common/'.length));
  }
  if (SELF_HOSTS.includes(host)) return routeSelf(res, url, opts);
  const platform = opts.platforms.find((p) => hostMatches(p.hosts, host));
  if (!platform) return sendText(res, 421, `The sandbox does not serve ${host}`);
  return platform.handle(req, res, url, opts.ctx);
}

async function routeSelf(res: ServerResponse, url: URL, opts: PagesServerOptions): Promise<void> {
  if (url.pathname === '/_sandbox/participant') {
    const code = url.searchParams.get('code') ?? '';
    const p = opts.ctx.findMeeting(code)?.participants.get(url.searchParams.get('id') ?? '');
    if (!p) return sendText(res, 404, 'Unknown participant');
    const config = {
      code, id: p.id, name: p.name, toneHz: p.toneHz, speaking: p.speaking, color: p.color, flashPeriodMs: p.flashPeriodMs ?? null,
      videoWidth: opts.participantVideo.width, videoHeight: opts.participantVideo.height,
    };
    return servePage(res, new URL('index.html', PARTICIPANT), config);
  }
  if (url.pathname.startsWith('/_sandbox/participant/')) {
    return servePublic(res, PARTICIPANT, url.pathname.slice('/_sandbox/participant/'.length));
  }
  if (url.pathname === '/') return sendText(res, 200, 'meetcap sandbox');
  return sendText(res, 404, 'Not found');
}

function listen(server: Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    // Keep-alive page connections would otherwise hold close() open.
    server.closeAllConnections();
  });
}
