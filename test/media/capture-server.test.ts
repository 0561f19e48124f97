import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { MeetcapError } from '../../src/contracts/errors.js';
import { redactPath, startCaptureServer, type CaptureServer, type ChunkSink } from '../../src/media/capture/server.js';

/** A pino logger writing into an array, to check what gets logged. */
function capturingLogger() {
  const lines: string[] = [];
  const stream = new Writable({ write: (c: Buffer, _e, cb) => (lines.push(c.toString()), cb()) });
  return { logger: pino({ level: 'debug' }, stream), lines };
}

/** A sink that can be blocked, to check that backpressure reaches the sender. */
class GatedSink implements ChunkSink {
  received: Buffer[] = [];
  private gate: Promise<void> = Promise.resolve();
  private open: () => void = () => undefined;
  block(): void {
    this.gate = new Promise((r) => (this.open = r));
  }
  unblock(): void {
    this.open();
  }
  async write(chunk: Buffer): Promise<void> {
    this.received.push(chunk);
    await this.gate;
  }
}

function connect(url: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) => reject(new Error(`refused ${res.statusCode}`)));
  });
}

describe('capture server', () => {
  let server: CaptureServer | undefined;
  afterEach(async () => {
    await server?.close();
    await server?.close();
  });

  it('listens on loopback and refuses wrong tokens and paths, logging them redacted', async () => {
    const { logger, lines } = capturingLogger();
    server = await startCaptureServer({ logger, sink: new GatedSink() });
    const url = new URL(server.url);
    expect(url.hostname).toBe('127.0.0.1');
    const token = url.pathname.split('/').pop() ?? '';
    expect(token.length).toBeGreaterThanOrEqual(32);
    const wrong = (token.startsWith('A') ? 'B' : 'A') + token.slice(1);
    await expect(connect(`ws://127.0.0.1:${url.port}/capture/${wrong}`)).rejects.toThrow('refused 401');
    await expect(connect(`ws://127.0.0.1:${url.port}/other?token=${token}`)).rejects.toThrow('refused 401');
    const log = lines.join('');
    expect(log).toContain('refused capture connection');
    expect(log).toContain('/capture/[redacted]');
    expect(log).not.toContain(token.slice(0, 10));
    expect(redactPath(`/capture/${token}?a=b`)).toBe('/capture/[redacted]?[redacted]');
  });

  it('accepts exactly one connection', async () => {
    server = await startCaptureServer({ logger: pino({ level: 'silent' }), sink: new GatedSink() });
    const first = await connect(server.url);
    await expect(connect(server.url)).rejects.toThrow('refused 409');
    first.close();
  });

  it('passes chunks in order, reports started, and finishes after end', async () => {
    const sink = new GatedSink();
    server = await startCaptureServer({ logger: pino({ level: 'silent' }), sink });
    const ws = await connect(server.url);
    ws.send(JSON.stringify({ type: 'started', mimeType: 'video/mp4;codecs=avc1,opus' }));
    for (let i = 0; i < 20; i++) ws.send(Buffer.from([i]));
    ws.send(JSON.stringify({ type: 'end' }));
    const closed = new Promise<number>((r) => ws.once('close', (code) => r(code)));
    expect((await server.started).mimeType).toBe('video/mp4;codecs=avc1,opus');
    await server.finished;
    expect(await closed).toBe(1000);
    expect(sink.received.map((b) => b[0])).toEqual([...Array(20).keys()]);
    expect(server.bytes).toBe(20);
  });

  it('a blocked sink pushes back on the page through the socket', async () => {
    const sink = new GatedSink();
    sink.block();
    server = await startCaptureServer({ logger: pino({ level: 'silent' }), sink });
    const ws = await connect(server.url);
    const chunk = Buffer.alloc(1024 * 1024, 1);
    for (let i = 0; i < 128; i++) ws.send(chunk);
    // With the sink blocked the server stops reading, so the sender's queue backs up.
    await expect.poll(() => ws.bufferedAmount, { timeout: 10_000 }).toBeGreaterThan(16 * 1024 * 1024);
    const receivedWhileBlocked = sink.received.length;
    expect(receivedWhileBlocked).toBeLessThan(64);
    sink.unblock();
    ws.send(JSON.stringify({ type: 'end' }));
    await server.finished;
    expect(sink.received.length).toBe(128);
    expect(server.bytes).toBe(128 * chunk.length);
  });

  it('a page error or an early close rejects finished with capture_failed', async () => {
    server = await startCaptureServer({ logger: pino({ level: 'silent' }), sink: new GatedSink() });
    const ws = await connect(server.url);
    ws.send(JSON.stringify({ type: 'error', message: 'MediaRecorder: boom' }));
    await expect(server.finished).rejects.toMatchObject({ code: 'capture_failed', message: 'page: MediaRecorder: boom' });

    const other = await startCaptureServer({ logger: pino({ level: 'silent' }), sink: new GatedSink() });
    const ws2 = await connect(other.url);
    ws2.terminate();
    await expect(other.finished).rejects.toBeInstanceOf(MeetcapError);
    await other.close();
  });

  it('a failing sink becomes transcode_failed', async () => {
    const sink: ChunkSink = { write: () => Promise.reject(new MeetcapError('transcode_failed', 'ffmpeg gone')) };
    server = await startCaptureServer({ logger: pino({ level: 'silent' }), sink });
    const ws = await connect(server.url);
    ws.send(Buffer.from('data'));
    await expect(server.finished).rejects.toMatchObject({ code: 'transcode_failed' });
  });
});
