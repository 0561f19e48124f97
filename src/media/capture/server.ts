import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { MeetcapError, toMeetcapError } from '../../contracts/errors.js';

/** Where chunks go (the ffmpeg process). write() resolves when the sink can take more. */
export interface ChunkSink {
  write(chunk: Buffer): Promise<void>;
}

export interface CaptureServerOptions {
  logger: Logger;
  sink: ChunkSink;
  /** Largest single chunk accepted from the page. */
  maxChunkBytes?: number;
}

export interface CaptureStarted {
  mimeType: string;
  at: Date;
}

export interface CaptureServer {
  /** ws://127.0.0.1:<port>/capture/<token>. Contains the secret token: never log it. */
  readonly url: string;
  /** Bytes received from the page. */
  readonly bytes: number;
  /** The page's recorder is running (its 'started' message arrived). */
  readonly started: Promise<CaptureStarted>;
  /**
   * Resolves once the page said 'end' and every chunk was handed to the sink. Rejects with
   * capture_failed (page error, socket lost) or transcode_failed (the sink refused a chunk).
   */
  readonly finished: Promise<void>;
  close(): Promise<void>;
}

const PATH_PREFIX = '/capture/';
// Messages parsed while the socket is paused still arrive; this bounds what queues up.
const HIGH_WATER_MESSAGES = 4;

export async function startCaptureServer(options: CaptureServerOptions): Promise<CaptureServer> {
  const server = new LoopbackCaptureServer(options);
  await server.listen();
  return server;
}

class LoopbackCaptureServer implements CaptureServer {
  readonly started: Promise<CaptureStarted>;
  readonly finished: Promise<void>;
  bytes = 0;
  url = '';
  private readonly token = randomBytes(24).toString('base64url');
  private readonly http = createServer((_req, res) => res.writeHead(404).end());
  private readonly wss: WebSocketServer;
  private readonly log: Logger;
  private accepted = false;
  private socket?: WebSocket;
  private tail: Promise<void> = Promise.resolve();
  private pending = 0;
  private done = false;
  private closing?: Promise<void>;
  private resolveStarted!: (s: CaptureStarted) => void;
  private resolveFinished!: () => void;
  private rejectFinished!: (e: MeetcapError) => void;

  constructor(private readonly options: CaptureServerOptions) {
    this.log = options.logger.child({ component: 'capture-server' });
    this.wss = new WebSocketServer({ noServer: true, maxPayload: options.maxChunkBytes ?? 64 * 1024 * 1024 });
    this.started = new Promise((resolve) => (this.resolveStarted = resolve));
    this.finished = new Promise((resolve, reject) => {
      this.resolveFinished = resolve;
      this.rejectFinished = reject;
    });
    this.finished.catch(() => undefined);
    this.http.on('upgrade', (req, socket, head) => this.onUpgrade(req, socket, head));
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.http.once('error', reject);
      this.http.listen(0, '127.0.0.1', () => resolve());
    });
    const { port } = this.http.address() as AddressInfo;
    this.url = `ws://127.0.0.1:${port}${PATH_PREFIX}${this.token}`;
    this.log.debug({ port }, 'capture server listening');
  }

  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    this.fail(new MeetcapError('capture_failed', 'capture server closed before the page finished'), { quiet: true });
    this.socket?.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    await new Promise<void>((resolve) => this.http.close(() => resolve()));
    this.http.closeAllConnections();
  }

  private onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const refusal = this.accepted ? 'a capture connection is already open' : this.tokenProblem(req.url ?? '');
    if (refusal || this.closing) {
      this.log.warn({ path: redactPath(req.url ?? ''), reason: refusal ?? 'closing' }, 'refused capture connection');
      socket.end(`HTTP/1.1 ${this.accepted ? 409 : 401} Refused\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      return;
    }
    this.accepted = true;
    this.wss.handleUpgrade(req, socket, head, (ws) => this.onConnection(ws));
  }

  private tokenProblem(url: string): string | undefined {
    const path = url.split('?')[0] ?? '';
    if (!path.startsWith(PATH_PREFIX)) return 'wrong path';
    // Hashing first gives equal lengths, so the comparison time says nothing about the token.
    const digest = (s: string): Buffer => createHash('sha256').update(s).digest();
    return timingSafeEqual(digest(path.slice(PATH_PREFIX.length)), digest(this.token)) ? undefined : 'bad token';
  }

  private onConnection(ws: WebSocket): void {
    this.socket = ws;
    this.log.debug('page connected');
    ws.on('message', (data, isBinary) => (isBinary ? this.onChunk(ws, data) : this.onText(ws, data)));
    ws.on('close', (code) => {
      if (!this.done) this.fail(new MeetcapError('capture_failed', `page closed the capture socket early (code ${code})`));
    });
    ws.on('error', (err) => this.log.warn({ err: err.message }, 'capture socket error'));
  }

  private onChunk(ws: WebSocket, data: RawData): void {
    const chunk = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
    this.bytes += chunk.length;
    this.pending += 1;
    if (this.pending >= HIGH_WATER_MESSAGES) ws.pause();
    this.tail = this.tail.then(async () => {
      try {
        await this.options.sink.write(chunk);
      } catch (err) {
        this.fail(toMeetcapError(err, 'transcode_failed'));
        ws.close(1011, 'sink failed');
      } finally {
        this.pending -= 1;
        if (this.pending === 0 && ws.isPaused) ws.resume();
      }
    });
  }

  private onText(ws: WebSocket, data: RawData): void {
    let msg: { type?: unknown; message?: unknown; mimeType?: unknown };
    try {
      msg = JSON.parse(data.toString()) as typeof msg;
    } catch {
      this.log.warn('unparseable text message from page');
      return;
    }
    if (msg.type === 'started') {
      this.resolveStarted({ mimeType: String(msg.mimeType), at: new Date() });
    } else if (msg.type === 'end') {
      this.log.debug({ page: msg, bytes: this.bytes }, 'page finished recording');
      void this.tail.then(() => {
        this.done = true;
        this.resolveFinished();
        ws.close(1000, 'done');
      });
    } else if (msg.type === 'error') {
      this.fail(new MeetcapError('capture_failed', `page: ${String(msg.message)}`));
    } else if (msg.type === 'warning') {
      this.log.warn({ message: String(msg.message) }, 'page capture warning');
    }
  }

  private fail(err: MeetcapError, { quiet = false } = {}): void {
    if (this.done) return;
    this.done = true;
    if (!quiet) this.log.warn({ code: err.code, err: err.message }, 'capture failed');
    this.rejectFinished(err);
  }
}

/** The token is the path's last segment (or anything in a query): keep the shape, drop the secret. */
export function redactPath(url: string): string {
  const [path = ''] = url.split('?');
  const redacted = path.startsWith(PATH_PREFIX) ? `${PATH_PREFIX}[redacted]` : path.slice(0, 64);
  return url.includes('?') ? `${redacted}?[redacted]` : redacted;
}
