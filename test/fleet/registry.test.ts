import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attachRegistry, listSessions, listWorkers, resolveSession, type RegistryAttached, type SessionView, type WorkerView } from '../../src/fleet/registry.js';
import { createOps } from '../../src/ops/api.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { cli, fakeWorker, fleetTestEnv, type FakeWorker, type FleetTestEnv } from './fake-fleet.js';

/**
 * The registry against a real Redis with fake workers (an event emitter and a fake clock each):
 * what `meetcap sessions` / `workers` show while sessions run, end, and when a worker dies.
 * Defaults: heartbeat 5 s, lost after 30 s, removed when lost for 60 s more (90 s after the last heartbeat).
 */
let t: FleetTestEnv;
const attached: RegistryAttached[] = [];

beforeAll(() => {
  t = fleetTestEnv();
});
afterAll(async () => {
  for (const a of attached) await a.close();
  await t.close();
});

async function worker(clock?: FakeClock): Promise<FakeWorker & { registry: RegistryAttached }> {
  const w = fakeWorker(t, { clock });
  const registry = await attachRegistry(w.ctx);
  attached.push(registry);
  return { ...w, registry };
}

const at = (w: FakeWorker) => ({ lostAfterSec: t.config.fleet.lostAfterSec, now: w.clock.now() });

describe('session registry', () => {
  it('a started session is listed with its meeting, worker, state and platform, and follows state and health', async () => {
    const w = await worker();
    const sessionId = w.start('crm-1001');
    await w.registry.settled();
    let [s] = (await listSessions(t.redis, t.keys, at(w))).filter((x) => x.meetingId === 'crm-1001');
    expect(s).toMatchObject({ sessionId, meetingId: 'crm-1001', tenantId: 'acme', workerId: w.ctx.workerId, host: w.ctx.host, workerPid: 4242, sessionPid: 777, state: 'launching', platform: 'meet', status: 'live' });

    w.clock.advance(3_000);
    w.emit('state', { meetingId: 'crm-1001', sessionId, state: 'waiting_room', at: new Date(w.clock.now()).toISOString() });
    w.clock.advance(2_000);
    w.emit('health', { meetingId: 'crm-1001', sessionId, at: '', state: 'recording', mediaBytes: 123_456, uploadBacklogBytes: 0 });
    await w.registry.settled();
    [s] = (await listSessions(t.redis, t.keys, at(w))).filter((x) => x.meetingId === 'crm-1001');
    expect(s).toMatchObject({ state: 'recording', mediaBytes: 123_456, ageSec: 5, heartbeatAgeSec: 0, status: 'live' });

    // Resolvable by either id; after the end the record is gone but the meeting still names its session.
    expect((await resolveSession(t.redis, t.keys, 'crm-1001', at(w)))?.session?.sessionId).toBe(sessionId);
    expect((await resolveSession(t.redis, t.keys, sessionId, at(w)))?.meetingId).toBe('crm-1001');
    w.end('crm-1001', sessionId);
    await w.registry.settled();
    expect((await listSessions(t.redis, t.keys, at(w))).map((x) => x.sessionId)).not.toContain(sessionId);
    expect(await resolveSession(t.redis, t.keys, 'crm-1001', at(w))).toEqual({ sessionId, meetingId: 'crm-1001' });
    expect(await resolveSession(t.redis, t.keys, 'never-seen', at(w))).toBeUndefined();
  });

  it('a meetingId resolves to its newest session (a takeover after a crash)', async () => {
    const w = await worker();
    const first = w.start('crm-1002');
    w.end('crm-1002', first, 'failed');
    const second = w.start('crm-1002');
    await w.registry.settled();
    expect((await resolveSession(t.redis, t.keys, 'crm-1002', at(w)))?.sessionId).toBe(second);
  });

  it('a dead worker\'s session shows as lost (also in the CLI), then any worker\'s heartbeat removes it', async () => {
    // Clocks 40 s behind the real one: the records are 40 s old to the CLI, which reads Date.now().
    const clock = new FakeClock(Date.now() - 40_000);
    const dead = await worker(clock);
    const alive = await worker(clock);
    const lostId = dead.start('crm-2001');
    const liveId = alive.start('crm-2002');
    await dead.registry.settled();
    await dead.registry.close(); // closes like a crash would leave it: no further heartbeats
    attached.splice(attached.indexOf(dead.registry), 1);

    clock.advance(31_000);
    await alive.registry.heartbeat();
    const status = async (): Promise<Record<string, string>> =>
      Object.fromEntries((await listSessions(t.redis, t.keys, at(alive))).map((s: SessionView) => [s.sessionId, s.status]));
    expect(await status()).toMatchObject({ [lostId]: 'lost', [liveId]: 'live' });

    const shown = await cli(['sessions', '--json'], t.env);
    expect(shown.code).toBe(0);
    const rows = JSON.parse(shown.stdout) as SessionView[];
    expect(rows.find((r) => r.sessionId === lostId)).toMatchObject({ status: 'lost', meetingId: 'crm-2001', workerId: dead.ctx.workerId });
    const table = await cli(['sessions'], t.env);
    expect(table.stdout).toMatch(/^MEETING\s+SESSION\s+STATE\s+PLATFORM\s+AGE\s+WORKER\s+HEARTBEAT\s+STATUS/);
    expect(table.stdout).toMatch(new RegExp(`crm-2001\\s+${lostId}\\s+launching\\s+meet\\s+.*lost`));

    clock.advance(60_000); // lost for 60 s = 2 x lostAfterSec: removed at the next heartbeat anywhere
    await alive.registry.heartbeat();
    const after = await status();
    expect(after[lostId]).toBeUndefined();
    expect(after[liveId]).toBe('live');
  });

  it('lists workers with their slots and sessions; a closed worker is gone, a silent one goes lost then away', async () => {
    const clock = new FakeClock();
    const a = await worker(clock);
    const b = await worker(clock);
    a.start('crm-3001');
    await a.registry.heartbeat();
    const mine = async (): Promise<WorkerView[]> =>
      (await listWorkers(t.redis, t.keys, at(a))).filter((w) => [a.ctx.workerId, b.ctx.workerId].includes(w.workerId));
    expect(await mine()).toEqual(expect.arrayContaining([
      expect.objectContaining({ workerId: a.ctx.workerId, host: a.ctx.host, pid: 4242, slots: 2, sessions: 1, draining: false, status: 'live' }),
      expect.objectContaining({ workerId: b.ctx.workerId, sessions: 0, status: 'live' }),
    ]));

    await b.registry.close();
    clock.advance(35_000);
    expect(await mine()).toEqual([expect.objectContaining({ workerId: a.ctx.workerId, status: 'lost' })]);
    await a.registry.heartbeat();
    expect(await mine()).toEqual([expect.objectContaining({ workerId: a.ctx.workerId, status: 'live', heartbeatAgeSec: 0 })]);
  });

  it('a record lost from Redis comes back at the next heartbeat', async () => {
    const w = await worker();
    const sessionId = w.start('crm-4001');
    await w.registry.settled();
    await t.redis.del(t.keys.session(sessionId));
    await w.registry.heartbeat();
    expect((await resolveSession(t.redis, t.keys, sessionId, at(w)))?.session?.state).toBe('launching');
  });

  it('the ops API lists the same records, and `meetcap workers --json` prints them', async () => {
    const w = await worker();
    await w.registry.heartbeat();
    const ops = createOps(t.config);
    try {
      expect((await ops.workers()).map((x) => x.workerId)).toContain(w.ctx.workerId);
    } finally {
      await ops.close();
    }
    const out = await cli(['workers', '--json'], t.env);
    expect(out.code).toBe(0);
    expect((JSON.parse(out.stdout) as WorkerView[]).map((x) => x.workerId)).toContain(w.ctx.workerId);
  });
});
