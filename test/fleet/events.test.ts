import { readFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FleetEventSchema, fleetEventJsonSchema, type SessionOutcome } from '../../src/contracts/index.js';
import { attachEventStream } from '../../src/fleet/event-stream.js';
import { createOps, type OpsApi } from '../../src/ops/api.js';
import type { StreamedEvent } from '../../src/ops/event-ops.js';
import { cli, fakeWorker, fleetTestEnv, until, type FakeWorker, type FleetTestEnv } from './fake-fleet.js';

const STATES = [
  ['launching'],
  ['joining'],
  ['in_call'],
  ['recording'],
  ['leaving', 'meeting_ended'],
  ['finalizing'],
  ['done', 'meeting_ended'],
] as const;

function runSession(w: FakeWorker, meetingId: string): string {
  const sessionId = w.start(meetingId);
  for (const [state, reason] of STATES) {
    w.emit('state', { meetingId, sessionId, platform: 'meet', state, at: new Date(w.clock.now()).toISOString(), ...(reason ? { reason } : {}) });
  }
  const outcome: SessionOutcome = {
    meetingId,
    sessionId,
    state: 'done',
    reason: 'meeting_ended',
    recording: {
      mode: 'audio_video',
      startedAt: '2026-11-21T10:00:00.000Z',
      endedAt: '2026-11-21T10:30:00.000Z',
      durationSec: 1800,
      objects: [{ key: 'acme/m/rec.mp4', uri: 's3://b/acme/m/rec.mp4', size: 1000, contentType: 'video/mp4' }],
      manifest: { key: 'acme/m/manifest.json', uri: 's3://b/acme/m/manifest.json', size: 10, contentType: 'application/json' },
    },
    manifestUri: 's3://b/acme/m/manifest.json',
  };
  w.emit('outcome', outcome);
  w.end(meetingId, sessionId);
  return sessionId;
}

async function readAll(ops: OpsApi, from?: string): Promise<StreamedEvent[]> {
  const got: StreamedEvent[] = [];
  await ops.events({ ...(from ? { from } : {}), onEvent: (e) => void got.push(e) });
  return got;
}

describe('lifecycle events stream', () => {
  let t: FleetTestEnv;
  let ops: OpsApi;
  beforeAll(() => {
    t = fleetTestEnv();
    ops = createOps(t.config);
  });
  afterAll(async () => {
    await ops.close();
    await t.close();
  });

  it('publishes docs/events.schema.json generated from the contract', () => {
    const committed = JSON.parse(readFileSync(new URL('../../docs/events.schema.json', import.meta.url), 'utf8'));
    expect(committed).toEqual(fleetEventJsonSchema());
  });

  it('puts every state change with its reason, then one outcome, on the stream in order', async () => {
    const w = fakeWorker(t);
    const attached = await attachEventStream(w.ctx);
    const sessionId = runSession(w, 'm-ordered');
    // A second outcome for the same session (never expected) must not become a second event.
    w.emit('outcome', { meetingId: 'm-ordered', sessionId, state: 'failed', reason: 'session_crashed' });
    await attached.close();

    const got = (await readAll(ops)).filter((e) => e.event.sessionId === sessionId);
    expect(got.map((e) => `${e.event.type}:${e.event.state}`)).toEqual([...STATES.map(([s]) => `session.state:${s}`), 'session.outcome:done']);
    for (const { event } of got) {
      expect(FleetEventSchema.parse(event)).toEqual(event);
      expect(event).toMatchObject({ v: 1, tenantId: 'acme', meetingId: 'm-ordered', workerId: w.ctx.workerId, source: 'meeting', platform: 'meet' });
    }
    expect(got.find((e) => e.event.state === 'leaving')?.event.reason).toBe('meeting_ended');
    expect(new Set(got.map((e) => e.event.eventId)).size).toBe(got.length);
    expect(got.at(-1)?.event).toMatchObject({ recording: { durationSec: 1800 }, manifestUri: 's3://b/acme/m/manifest.json' });
  });

  it("turns a crashed session's recovered outcome into exactly one outcome event with its error", async () => {
    const w = fakeWorker(t);
    const attached = await attachEventStream(w.ctx);
    const sessionId = w.start('m-crash');
    w.emit('state', { meetingId: 'm-crash', sessionId, state: 'launching', at: new Date().toISOString() });
    const message = 'session process exited (code null, signal SIGKILL) without an outcome; last page https://zoom.us/wc/join/123?pwd=s3cretPwd';
    const error = { code: 'session_crashed' as const, message, fault: 'us' as const, retryable: true, details: { internal: 'x' } };
    w.emit('outcome', { meetingId: 'm-crash', sessionId, state: 'failed', reason: 'session_crashed', error });
    w.end('m-crash', sessionId, 'failed');
    await attached.close();

    const outcomes = (await readAll(ops)).filter((e) => e.event.sessionId === sessionId && e.event.type === 'session.outcome');
    expect(outcomes).toHaveLength(1);
    expect(outcomes[0]!.event).toMatchObject({ state: 'failed', reason: 'session_crashed', error: { code: 'session_crashed', fault: 'us', retryable: true } });
    expect(outcomes[0]!.event).not.toHaveProperty('error.details');
    // Error text leaves the fleet: credentials in it are scrubbed as in the logs.
    expect(JSON.stringify(outcomes[0]!.event)).not.toContain('s3cretPwd');
  });

  it('lets a consumer resume after an id and follow new events until it stops', async () => {
    const all = await readAll(ops);
    expect(all.length).toBeGreaterThan(3);
    const resumed = await readAll(ops, all[2]!.id);
    expect(resumed.map((e) => e.id)).toEqual(all.slice(3).map((e) => e.id));

    const w = fakeWorker(t);
    const attached = await attachEventStream(w.ctx);
    const abort = new AbortController();
    const live: StreamedEvent[] = [];
    const following = ops.events({ from: all.at(-1)!.id, follow: true, signal: abort.signal, onEvent: (e) => void live.push(e) });
    runSession(w, 'm-live');
    await until(async () => live.some((e) => e.event.type === 'session.outcome'));
    abort.abort();
    const { lastId } = await following;
    expect(live.every((e) => e.event.meetingId === 'm-live')).toBe(true);
    expect(live).toHaveLength(STATES.length + 1);
    expect(lastId).toBe(live.at(-1)!.id);
    await attached.close();
  });

  it('never throws into the worker when Redis is unreachable', async () => {
    const dead = new Redis('redis://127.0.0.1:1', { maxRetriesPerRequest: 0, retryStrategy: () => null, lazyConnect: true });
    dead.on('error', () => undefined);
    const w = fakeWorker(t, { redis: dead });
    const attached = await attachEventStream(w.ctx);
    expect(() => runSession(w, 'm-no-redis')).not.toThrow();
    await attached.close();
    await until(async () => w.logLines.some((l) => l.includes('event not published')));
    dead.disconnect();
  });

  it('serves the CLI: --json lines resume from an id, --schema, and a bad id is a typed error', async () => {
    const all = await readAll(ops);
    const out = await cli(['events', '--json', '--from', all[0]!.id], t.env);
    expect(out.code).toBe(0);
    const lines = out.stdout.trim().split('\n').map((l) => JSON.parse(l) as StreamedEvent);
    expect(lines.map((l) => l.id)).toEqual(all.slice(1).map((e) => e.id));
    expect(lines[0]!.event).toEqual(all[1]!.event);

    const bad = await cli(['events', '--from', 'yesterday'], t.env);
    expect(bad.code).toBe(2);
    expect(JSON.parse(bad.stderr).error.code).toBe('invalid_job');
  });
});
