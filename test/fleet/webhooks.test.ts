import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebhookEndpointSchema, type FleetEvent } from '../../src/contracts/index.js';
import type { Attached } from '../../src/fleet/context.js';
import { appendEvent } from '../../src/fleet/event-stream.js';
import { startWebhooks, type WebhookOptions } from '../../src/fleet/webhooks.js';
import { signWebhook } from '../../src/fleet/webhooks/sign.js';
import { DeliveryStore, WEBHOOK_GROUP } from '../../src/fleet/webhooks/store.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { fakeWorker, fleetTestEnv, until, type FakeWorker, type FleetTestEnv } from './fake-fleet.js';

const SECRET = `whsec_${randomBytes(32).toString('base64')}`;
const SECRET_ENV = 'MEETCAP_WEBHOOK_TEST_SECRET';

interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** Standard Webhooks verification written from the spec, sharing no code with the sender. */
function verify(r: Received, secret: string, nowSec: number): FleetEvent {
  const id = String(r.headers['webhook-id']);
  const ts = Number(r.headers['webhook-timestamp']);
  if (Math.abs(nowSec - ts) > 300) throw new Error('timestamp outside tolerance');
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const expected = createHmac('sha256', key).update(`${id}.${ts}.${r.body}`).digest();
  const ok = String(r.headers['webhook-signature'])
    .split(' ')
    .some((sig) => {
      const [version, mac] = sig.split(',');
      const given = Buffer.from(mac ?? '', 'base64');
      return version === 'v1' && given.length === expected.length && timingSafeEqual(given, expected);
    });
  if (!ok) throw new Error('signature does not verify');
  return JSON.parse(r.body) as FleetEvent;
}

function event(tenantId: string, type: FleetEvent['type'] = 'session.outcome'): FleetEvent {
  const sessionId = `ses_${randomBytes(8).toString('hex')}`;
  const base = { v: 1 as const, eventId: `evt_${sessionId}_${type === 'session.outcome' ? 'outcome' : 's1'}`, at: new Date().toISOString(), tenantId, meetingId: `m-${tenantId}`, sessionId, workerId: 'h:1:w', source: 'meeting' as const };
  return type === 'session.outcome' ? { ...base, type, state: 'done', reason: 'meeting_ended' } : { ...base, type, state: 'joining' };
}

describe('tenant webhooks', () => {
  let t: FleetTestEnv;
  let server: Server;
  let base: string;
  let tenantsDir: string;
  const received: Received[] = [];
  /** Per path: the status codes to answer, in order (200 once they run out). */
  const answers = new Map<string, number[]>();
  const running: Attached[] = [];

  beforeAll(async () => {
    tenantsDir = mkdtempSync(join(tmpdir(), 'meetcap-tenants-'));
    t = fleetTestEnv({ MEETCAP_TENANTS_DIR: tenantsDir });
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        const path = new URL(req.url ?? '/', 'http://x').pathname;
        received.push({ path, headers: req.headers, body });
        res.statusCode = answers.get(path)?.shift() ?? 200;
        res.end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    await new DeliveryStore(t.redis, t.keys).ensureGroup();
  });
  afterAll(async () => {
    await Promise.all(running.map((r) => r.close()));
    await new Promise((r) => server.close(r));
    await t.close();
    rmSync(tenantsDir, { recursive: true, force: true });
  });

  function tenant(id: string, webhooks: unknown[]): void {
    writeFileSync(join(tenantsDir, `${id}.json`), JSON.stringify({ webhooks }));
  }
  async function start(w: FakeWorker, opts: Partial<WebhookOptions> = {}): Promise<Attached> {
    const a = await startWebhooks(w.ctx, { env: { [SECRET_ENV]: SECRET }, pollMs: 20, blockMs: 200, random: () => 0.5, ...opts });
    running.push(a);
    return a;
  }
  const at = (path: string) => received.filter((r) => r.path === path);
  /** Nothing left to deliver: every entry read and handed over, every delivery finished. */
  const settled = async () => (await allRead()) && (await pendingCount()) === 0 && (await t.redis.zcard(t.keys.webhookDue)) === 0;
  const allRead = async () => {
    const [last] = await t.redis.xrevrange(t.keys.events, '+', '-', 'COUNT', 1);
    const groups = (await t.redis.xinfo('GROUPS', t.keys.events)) as string[][];
    const group = groups.map((g) => g[g.indexOf('last-delivered-id') + 1]);
    return !last || group[0] === last[0];
  };
  const pendingCount = async () => Number(((await t.redis.xpending(t.keys.events, WEBHOOK_GROUP)) as [number])[0]);

  it("signs exactly like the Standard Webhooks specification's published example", () => {
    const key = Buffer.from('MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 'base64');
    expect(signWebhook(key, 'msg_p5jXN8AQM9LWM0D4loKWxJek', 1614265330, '{"test": 2432232314}')).toBe('v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
  });

  it('accepts only https endpoints (or http to this machine) and webhook secret variables in tenant files', () => {
    const ok = (url: string) => WebhookEndpointSchema.safeParse({ url, secretEnv: 'MEETCAP_WEBHOOK_X_SECRET' }).success;
    expect([ok('https://hooks.example.com/x'), ok('http://127.0.0.1:8080/x'), ok('http://localhost/x')]).toEqual([true, true, true]);
    expect([ok('http://hooks.example.com/x'), ok('http://10.0.0.1/x'), ok('https://u:p@hooks.example.com/'), ok('ftp://x/')]).toEqual([false, false, false, false]);
    // The secret can only come from a webhook variable, never from another secret of the worker.
    const secretEnv = (name: string) => WebhookEndpointSchema.safeParse({ url: 'https://h.example.com/', secretEnv: name }).success;
    expect([secretEnv('MEETCAP_WEBHOOK_ACME_SECRET'), secretEnv('MEETCAP_CONTROL_SECRET'), secretEnv('AWS_SECRET_ACCESS_KEY')]).toEqual([true, false, false]);
  });

  it('delivers a signed event that an independent verifier accepts', async () => {
    tenant('t-sign', [{ url: `${base}/sign`, secretEnv: SECRET_ENV }]);
    const w = fakeWorker(t);
    const hooks = await start(w);
    const e = event('t-sign');
    await appendEvent(t.redis, t.keys.events, e);
    await until(async () => at('/sign').length === 1);
    const [r] = at('/sign');
    expect(verify(r!, SECRET, Math.floor(w.clock.now() / 1000))).toEqual(e);
    expect(r!.headers['webhook-id']).toBe(e.eventId);
    expect(r!.headers['content-type']).toBe('application/json');
    await until(settled);
    await hooks.close();
  });

  it('retries a failing receiver with the same webhook-id on the backoff schedule, then stops once it succeeds', async () => {
    tenant('t-retry', [{ url: `${base}/retry`, secretEnv: SECRET_ENV }]);
    answers.set('/retry', [500, 503]);
    const clock = new FakeClock(Date.now());
    const w = fakeWorker(t, { clock });
    const hooks = await start(w, { retryDelaysMs: [5_000, 30_000, 60_000] });
    const e = event('t-retry');
    await appendEvent(t.redis, t.keys.events, e);
    await until(async () => at('/retry').length === 1);
    const deliveryDue = async () => Number((await t.redis.zrange(t.keys.webhookDue, 0, 0, 'WITHSCORES'))[1]);
    // The failure is recorded with the next attempt 5 s out (jitter pinned to its midpoint).
    await until(async () => (await deliveryDue()) === clock.now() + 5_000);
    clock.advance(5_000);
    await until(async () => at('/retry').length === 2);
    await until(async () => (await deliveryDue()) === clock.now() + 30_000);
    clock.advance(30_000);
    await until(async () => at('/retry').length === 3);
    await until(settled);

    const attempts = at('/retry');
    expect(attempts.map((r) => r.headers['webhook-id'])).toEqual([e.eventId, e.eventId, e.eventId]);
    const stamps = attempts.map((r) => Number(r.headers['webhook-timestamp']));
    expect(stamps[1]! - stamps[0]!).toBe(5);
    for (const r of attempts) expect(verify(r, SECRET, Number(r.headers['webhook-timestamp']))).toEqual(e);
    await hooks.close();
  });

  it("sends a tenant only its own events, and only the types it subscribed to", async () => {
    tenant('t-a', [{ url: `${base}/a`, secretEnv: SECRET_ENV }]);
    tenant('t-b', [{ url: `${base}/b`, secretEnv: SECRET_ENV, events: ['session.outcome'] }]);
    const hooks = await start(fakeWorker(t));
    const events = [event('t-a', 'session.state'), event('t-b', 'session.state'), event('t-b'), event('t-none'), event('t-a')];
    for (const e of events) await appendEvent(t.redis, t.keys.events, e);
    await until(async () => at('/a').length === 2 && at('/b').length === 1);
    await until(settled);
    expect(at('/a').map((r) => verify(r, SECRET, Math.floor(Date.now() / 1000)).tenantId)).toEqual(['t-a', 't-a']);
    expect(at('/b').map((r) => r.headers['webhook-id'])).toEqual([events[2]!.eventId]);
    await hooks.close();
  });

  it('delivers each event once across two workers, and takes over what a dead consumer read', async () => {
    tenant('t-fleet', [{ url: `${base}/fleet`, secretEnv: SECRET_ENV }]);
    // A consumer that reads an entry and dies before handing it over.
    const orphan = event('t-fleet');
    await appendEvent(t.redis, t.keys.events, orphan);
    const read = (await t.redis.xreadgroup('GROUP', WEBHOOK_GROUP, 'dead-worker', 'COUNT', 100, 'STREAMS', t.keys.events, '>')) as unknown[];
    expect(read).toHaveLength(1);

    // Every first attempt fails, so both workers' retry loops then race for the same due deliveries.
    answers.set('/fleet', Array.from({ length: 21 }, () => 500));
    const clock = new FakeClock(Date.now());
    const workers = [fakeWorker(t, { clock }), fakeWorker(t, { clock })];
    const opts = { claimIdleMs: 100, claimEveryMs: 50, concurrency: 4 };
    const hooks = [await start(workers[0]!, opts), await start(workers[1]!, opts)];
    const events = Array.from({ length: 20 }, () => event('t-fleet'));
    for (const e of events) await appendEvent(t.redis, t.keys.events, e);
    await until(async () => at('/fleet').length === 21 && (await t.redis.zcount(t.keys.webhookDue, clock.now() + 5_000, clock.now() + 5_000)) === 21);
    clock.advance(5_000);
    await until(settled);

    const ids = at('/fleet').map((r) => String(r.headers['webhook-id']));
    expect(ids).toHaveLength(42);
    const perEvent = new Map<string, number>();
    for (const id of ids) perEvent.set(id, (perEvent.get(id) ?? 0) + 1);
    expect([...perEvent.keys()].sort()).toEqual([orphan, ...events].map((e) => e.eventId).sort());
    expect([...perEvent.values()].every((n) => n === 2)).toBe(true);
    // Both workers took part in the retries (otherwise the race above proves nothing).
    for (const w of workers) expect(w.logLines.some((l) => l.includes('webhook delivered'))).toBe(true);
    await Promise.all(hooks.map((h) => h.close()));
  });

  it('stops at once for 410 Gone, and never sends without its secret', async () => {
    tenant('t-gone', [
      { url: `${base}/gone`, secretEnv: SECRET_ENV },
      { url: `${base}/nosecret`, secretEnv: 'MEETCAP_WEBHOOK_UNSET_SECRET' },
    ]);
    answers.set('/gone', [410]);
    const hooks = await start(fakeWorker(t), { retryDelaysMs: [] });
    const e = event('t-gone');
    await appendEvent(t.redis, t.keys.events, e);
    await until(settled);
    const dead = (await t.redis.xrange(t.keys.webhookDead, '-', '+')) as Array<[string, string[]]>;
    const reasons = dead.filter(([, f]) => f.includes(e.eventId)).map(([, f]) => f[f.indexOf('lastError') + 1]);
    expect(reasons.sort()).toEqual(['HTTP 410', 'secret MEETCAP_WEBHOOK_UNSET_SECRET is unset or not a whsec_ secret of 24-64 bytes']);
    expect(at('/gone')).toHaveLength(1);
    expect(at('/nosecret')).toHaveLength(0);
    await hooks.close();
  });

  it('gives up after the last retry into the dead-letter stream, never logging the secret or URL query', async () => {
    tenant('t-dead', [{ url: `${base}/dead?token=tok-${SECRET.slice(6, 12)}`, secretEnv: SECRET_ENV }]);
    answers.set('/dead', [500, 500, 500]);
    const clock = new FakeClock(Date.now());
    const w = fakeWorker(t, { clock });
    const hooks = await start(w, { retryDelaysMs: [1_000] });
    const e = event('t-dead');
    await appendEvent(t.redis, t.keys.events, e);
    await until(async () => at('/dead').length === 1);
    await until(async () => Number((await t.redis.zrange(t.keys.webhookDue, 0, 0, 'WITHSCORES'))[1]) === clock.now() + 1_000);
    clock.advance(1_000);
    const deadOf = async () => ((await t.redis.xrange(t.keys.webhookDead, '-', '+')) as Array<[string, string[]]>).filter(([, f]) => f.includes(e.eventId));
    await until(async () => (await deadOf()).length === 1);
    await until(settled);

    const fields = (await deadOf())[0]![1];
    const dead = Object.fromEntries(fields.flatMap((v, i, a) => (i % 2 === 0 ? [[v, a[i + 1]]] : []))) as Record<string, string>;
    expect(dead).toMatchObject({ eventId: e.eventId, tenantId: 't-dead', url: `${base}/dead`, attempts: '2', lastError: 'HTTP 500' });
    expect(JSON.parse(dead.event ?? '')).toEqual(e);
    expect(at('/dead')).toHaveLength(2);
    const logs = w.logLines.join('\n');
    expect(logs).toContain('webhook given up');
    expect(logs).not.toContain(SECRET.slice(6));
    expect(logs).not.toContain('tok-');
    await hooks.close();
  });
});
