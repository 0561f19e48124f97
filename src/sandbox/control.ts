import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { SandboxApi } from './api.js';
import { SandboxError } from './errors.js';
import { AV_MODALS, JOINER_STATES, SANDBOX_PLATFORM_IDS, WALLS } from './types.js';

const MAX_BODY = 64 * 1024;

const createMeetingBody = z.strictObject({
  platform: z.enum(SANDBOX_PLATFORM_IDS).optional(),
  code: z.string().min(1).max(100).optional(),
  open: z.boolean().optional(),
  lobbyTimeoutMs: z.number().int().positive().max(86_400_000).optional(),
  autoAdmitAfterMs: z.number().int().nonnegative().max(86_400_000).optional(),
  recordingNotice: z.boolean().optional(),
  permissionPrompt: z.boolean().optional(),
  started: z.boolean().optional(),
  passcode: z.string().trim().min(1).max(32).optional(),
  passcodeInUrl: z.boolean().optional(),
  wall: z.enum(WALLS).optional(),
  teamsAvModal: z.enum(AV_MODALS).optional(),
  teamsAudioDefault: z.enum(['computer', 'none']).optional(),
  zoomClient: z.enum(['iframe', 'top']).optional(),
  zoomNameField: z.enum(['react', 'classic']).optional(),
  zoomNotStarted: z.enum(['waiting', 'error_3001']).optional(),
});
const joinerBody = z.strictObject({ joinerId: z.string().min(1).optional() });
const dropBody = z.strictObject({ joinerId: z.string().min(1).optional(), forMs: z.int().min(0).max(600_000) });
const participantBody = z.strictObject({
  name: z.string().trim().min(1).max(100),
  toneHz: z.number().min(20).max(20_000),
  speaking: z.boolean().optional(),
  // At least two flash lengths apart, so every flash starts from black.
  flashPeriodMs: z.number().int().min(250).max(60_000).optional(),
});
const onOffBody = z.strictObject({ on: z.boolean() });
const waitQuery = z.strictObject({
  joiner: z.enum(JOINER_STATES).optional(),
  joinerId: z.string().min(1).optional(),
  joiners: z.coerce.number().int().positive().optional(),
  peersConnected: z.coerce.number().int().nonnegative().optional(),
  videoFrom: z.coerce.number().int().nonnegative().optional(),
  timeoutMs: z.coerce.number().int().positive().max(600_000).optional(),
});

type Handler = (params: string[], body: unknown, query: Record<string, string>) => unknown;

/** Routes: [method, pattern, handler]. Patterns capture URL-decoded path segments. */
function routes(api: SandboxApi): [string, RegExp, Handler][] {
  const M = '/meetings/([^/]+)';
  return [
    ['GET', /^\/meetings$/, () => ({ meetings: api.listMeetings() })],
    ['POST', /^\/meetings$/, (_p, b) => api.createMeeting(parse(createMeetingBody, b ?? {}))],
    ['GET', new RegExp(`^${M}$`), ([c]) => api.getMeeting(c!)],
    ['POST', new RegExp(`^${M}/admit$`), ([c], b) => api.admit(c!, parse(joinerBody, b ?? {}).joinerId)],
    ['POST', new RegExp(`^${M}/deny$`), ([c], b) => api.deny(c!, parse(joinerBody, b ?? {}).joinerId)],
    ['POST', new RegExp(`^${M}/remove$`), ([c], b) => api.remove(c!, parse(joinerBody, b ?? {}).joinerId)],
    ['POST', new RegExp(`^${M}/hold$`), ([c], b) => api.hold(c!, parse(joinerBody, b ?? {}).joinerId)],
    ['POST', new RegExp(`^${M}/drop$`), ([c], b) => {
      const body = parse(dropBody, b ?? {});
      return api.drop(c!, body.joinerId, body.forMs);
    }],
    ['POST', new RegExp(`^${M}/start$`), ([c]) => api.start(c!)],
    ['POST', new RegExp(`^${M}/end$`), ([c]) => api.end(c!)],
    ['GET', new RegExp(`^${M}/wait$`), ([c], _b, q) => api.wait(c!, parse(waitQuery, q))],
    ['POST', new RegExp(`^${M}/participants$`), ([c], b) => api.addParticipant(c!, parse(participantBody, b))],
    ['DELETE', new RegExp(`^${M}/participants/([^/]+)$`), ([c, id]) => api.removeParticipant(c!, id!)],
    ['POST', new RegExp(`^${M}/participants/([^/]+)/speak$`), ([c, id], b) => api.speak(c!, id!, parse(onOffBody, b).on)],
    ['POST', new RegExp(`^${M}/participants/([^/]+)/present$`), ([c, id], b) => api.present(c!, id!, parse(onOffBody, b).on)],
  ];
}

export interface ControlServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Plain-HTTP JSON control API on 127.0.0.1, thin over SandboxApi. */
export async function startControlServer(api: SandboxApi, port: number, log: Logger): Promise<ControlServer> {
  const table = routes(api);
  const server = createServer((req, res) => {
    handle(table, req, res).catch((err: unknown) => reply(res, errorStatus(err, log), errorBody(err)));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => (server.off('error', reject), resolve()));
  });
  const actual = (server.address() as AddressInfo).port;
  let closing: Promise<void> | undefined;
  return { url: `http://127.0.0.1:${actual}`, port: actual, close: () => (closing ??= closeServer(server)) };
}

async function handle(table: [string, RegExp, Handler][], req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const path = url.pathname.replace(/\/+$/, '') || '/';
  const matches = table.filter(([, re]) => re.test(path));
  if (matches.length === 0) throw new SandboxError('not_found', `no route ${req.method ?? ''} ${path}`);
  const route = matches.find(([method]) => method === req.method);
  if (!route) return reply(res, 405, { error: { code: 'method_not_allowed', message: `${req.method ?? ''} not allowed on ${path}` } });
  const params = (route[1].exec(path) ?? []).slice(1).map((s) => decodeURIComponent(s));
  const body = req.method === 'POST' ? await readJson(req) : undefined;
  const result = await route[2](params, body, Object.fromEntries(url.searchParams));
  reply(res, route[0] === 'POST' && path === '/meetings' ? 201 : 200, result ?? {});
}

function parse<T>(schema: z.ZodType<T>, value: unknown): T {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issues = r.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; ');
  throw new SandboxError('invalid_request', issues);
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new SandboxError('invalid_request', 'body too large');
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw new SandboxError('invalid_request', 'body is not valid JSON');
  }
}

function errorStatus(err: unknown, log: Logger): number {
  if (err instanceof SandboxError) return err.status;
  log.error({ err }, 'sandbox control request failed');
  return 500;
}

function errorBody(err: unknown): object {
  if (err instanceof SandboxError) return { error: { code: err.code, message: err.message } };
  return { error: { code: 'internal', message: err instanceof Error ? err.message : String(err) } };
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return void res.end();
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
