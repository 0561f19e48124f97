import { createHmac, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as scenario } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FleetEventSchema } from '../../src/contracts/index.js';
import type { StreamedEvent } from '../../src/ops/event-ops.js';
import { startHarness, type Harness } from '../helpers/harness.js';
import { cli, until } from './fake-fleet.js';

/** One real sandbox meeting through a running worker: its events on the stream, the CLI and the tenant's webhook. */
const SECRET_ENV = 'MEETCAP_WEBHOOK_E2E_SECRET';
const SECRET = `whsec_${randomBytes(32).toString('base64')}`;

let h: Harness;
let server: Server;
let tenants: string | undefined;
const hooks: Array<{ headers: IncomingHttpHeaders; body: string }> = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      hooks.push({ headers: req.headers, body });
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  tenants = mkdtempSync(join(tmpdir(), 'meetcap-tenants-'));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  writeFileSync(join(tenants, 'acme.json'), JSON.stringify({ webhooks: [{ url, secretEnv: SECRET_ENV, events: ['session.outcome'] }] }));
  // The worker runs in this process and reads webhook secrets from its environment.
  process.env[SECRET_ENV] = SECRET;
  h = await startHarness({ env: { MEETCAP_TENANTS_DIR: tenants } });
});
afterAll(async () => {
  await h?.close();
  await new Promise((r) => server?.close(r));
  delete process.env[SECRET_ENV];
  if (tenants) rmSync(tenants, { recursive: true, force: true });
});

describe('lifecycle events from a running worker', () => {
  it("publishes a meeting's state changes and one outcome, readable with `meetcap events` and sent to the tenant's webhook", async () => {
    const { code, url } = h.sandbox.api.createMeeting({ autoAdmitAfterMs: 0 });
    await h.sandbox.api.addParticipant(code, { name: 'Frank Host', toneHz: 440, speaking: true });
    const job = h.job(url);
    const t = h.track(job.meetingId);
    await h.ops.schedule(job);
    await t.reached('recording');
    await scenario(2_000);
    h.sandbox.api.end(code);
    const outcome = await t.outcome;
    expect(outcome).toMatchObject({ state: 'done', reason: 'meeting_ended' });

    const mine = async (): Promise<StreamedEvent[]> => {
      const got: StreamedEvent[] = [];
      await h.ops.events({ onEvent: (e) => void (e.event.meetingId === job.meetingId && got.push(e)) });
      return got;
    };
    const events = await until(async () => {
      const got = await mine();
      return got.some((e) => e.event.type === 'session.outcome') && got;
    });
    expect(events.map((e) => e.event.state)).toEqual([...t.states.map((s) => s.state), 'done']);
    for (const { event } of events) {
      FleetEventSchema.parse(event);
      expect(event).toMatchObject({ tenantId: 'acme', sessionId: outcome.sessionId, workerId: h.worker.workerId, source: 'meeting' });
      // The platform is known once the link is resolved (the first `launching` may precede it).
      expect([undefined, 'meet']).toContain(event.platform);
    }
    const last = events.at(-1)!.event;
    expect(last).toMatchObject({ type: 'session.outcome', platform: 'meet', reason: 'meeting_ended', recording: { durationSec: outcome.recording!.durationSec } });

    await until(async () => hooks.length === 1);
    const [hook] = hooks;
    const ts = String(hook!.headers['webhook-timestamp']);
    const mac = createHmac('sha256', Buffer.from(SECRET.slice(6), 'base64')).update(`${last.eventId}.${ts}.${hook!.body}`).digest('base64');
    expect(hook!.headers['webhook-id']).toBe(last.eventId);
    expect(hook!.headers['webhook-signature']).toBe(`v1,${mac}`);
    expect(JSON.parse(hook!.body)).toEqual(last);

    const out = await cli(['events', '--json', '--from', events[0]!.id], { REDIS_URL: h.config.redisUrl, MEETCAP_QUEUE_PREFIX: h.config.queuePrefix });
    const printed = out.stdout.trim().split('\n').map((l) => JSON.parse(l) as StreamedEvent);
    expect(printed.find((p) => p.id === events.at(-1)!.id)?.event).toEqual(last);
    expect(h.workerLogLines.join('\n')).not.toContain(SECRET.slice(6));
  });
});
