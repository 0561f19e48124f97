import { spawn } from 'node:child_process';
import { Queue, QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MeetcapError } from '../../src/contracts/index.js';
import { QUEUE_NAME } from '../../src/scheduler/queue.js';
import { startHarness, type Harness } from '../helpers/harness.js';

let h: Harness;
let queue: Queue;
let redis: Redis;
let queueEvents: QueueEvents;
beforeAll(async () => {
  h = await startHarness();
  redis = new Redis(h.config.redisUrl, { maxRetriesPerRequest: null });
  queue = new Queue(QUEUE_NAME, { connection: redis, prefix: h.config.queuePrefix });
  queueEvents = new QueueEvents(QUEUE_NAME, { connection: redis.duplicate(), prefix: h.config.queuePrefix });
  await queueEvents.waitUntilReady();
});
afterAll(async () => {
  await queueEvents?.close();
  await queue?.close();
  await redis?.quit();
  await h?.close();
});

const inAnHour = (): string => new Date(Date.now() + 3_600_000).toISOString();

async function queued(): Promise<number> {
  const counts = await queue.getJobCounts('waiting', 'delayed', 'active', 'prioritized');
  return Object.values(counts).reduce((a, b) => a + b, 0);
}

async function refusal(job: unknown): Promise<MeetcapError> {
  const err = await h.ops.schedule(job).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(MeetcapError);
  return err as MeetcapError;
}

describe('scheduling', () => {
  it('delays the job until scheduledStart − joinOffsetSec', async () => {
    const start = Date.now() + 3_600_000;
    const job = h.job('https://meet.google.com/aaa-bbbb-ccc', { scheduledStart: new Date(start).toISOString(), joinOffsetSec: 90 });
    const result = await h.ops.schedule(job);
    expect(result).toMatchObject({ status: 'scheduled', platform: 'meet', runAt: new Date(start - 90_000).toISOString() });
    const stored = await queue.getJob(result.jobId);
    expect(stored!.opts.delay! + stored!.timestamp).toBeGreaterThanOrEqual(start - 90_000 - 50);
    expect(await h.ops.cancel(job.meetingId)).toEqual({ meetingId: job.meetingId, status: 'cancelled' });
  });

  it('scheduling the same meeting twice updates one job instead of adding a second bot', async () => {
    const job = h.job('https://meet.google.com/aaa-bbbb-ccc', { scheduledStart: inAnHour() });
    const first = await h.ops.schedule(job);
    const second = await h.ops.schedule({ ...job, meetingUrl: 'https://meet.google.com/ddd-eeee-fff', joinOffsetSec: 300 });
    expect(first.status).toBe('scheduled');
    expect(second).toMatchObject({ status: 'updated', jobId: first.jobId });
    expect(await queued()).toBe(1);
    expect((await queue.getJob(first.jobId))!.data.meetingUrl).toBe('https://meet.google.com/ddd-eeee-fff');
    await h.ops.cancel(job.meetingId);
  });

  it('a meeting due now, scheduled twice, runs exactly one bot; a finished one is not run again', async () => {
    const { url } = h.sandbox.api.createMeeting({});
    const job = h.job(url, { limits: { waitingRoomTimeoutSec: 5 } });
    const t = h.track(job.meetingId);
    const first = await h.ops.schedule(job);
    const finished = (await queue.getJob(first.jobId))!.waitUntilFinished(queueEvents).catch(() => undefined);
    const statuses = [first.status, (await h.ops.schedule(job)).status];
    expect(statuses[0]).toBe('scheduled');
    expect(['updated', 'already_running']).toContain(statuses[1]);
    expect(await t.outcome).toMatchObject({ reason: 'waiting_room_timeout' });
    expect(t.states.filter((s) => s.state === 'launching')).toHaveLength(1);
    expect(h.sandbox.api.listMeetings().find((m) => m.url === url)!.joiners).toHaveLength(1);
    await finished;
    expect((await h.ops.schedule(job)).status).toBe('already_finished');
  });

  it('cancel before start: the job is gone, so no bot can run', async () => {
    const job = h.job('https://meet.google.com/aaa-bbbb-ccc', { scheduledStart: inAnHour() });
    await h.ops.schedule(job);
    expect(await h.ops.cancel(job.meetingId)).toMatchObject({ status: 'cancelled' });
    expect(await queued()).toBe(0);
    expect(await h.ops.cancel(job.meetingId)).toMatchObject({ status: 'not_found' });
  });

  it.each([
    'file:///etc/passwd',
    'http://169.254.169.254/latest/meta-data/iam/',
    'https://example.com/abc-defg-hij',
    'https://meet.google.com@evil.example/abc-defg-hij',
  ])('refuses %s as url_not_allowed and queues nothing', async (meetingUrl) => {
    const err = await refusal(h.job(meetingUrl));
    expect(err.code).toBe('url_not_allowed');
    expect(err.details).toMatchObject({ field: 'meetingUrl' });
    expect(await queued()).toBe(0);
  });

  it('refuses an invalid job naming each bad field, and the policy minimum', async () => {
    const err = await refusal({ ...h.job('https://meet.google.com/aaa-bbbb-ccc'), tenantId: '', recording: 'hologram', surprise: 1 });
    expect(err.code).toBe('invalid_job');
    expect((err.details.fields as Array<{ field: string }>).map((f) => f.field).sort()).toEqual(['recording', 'surprise', 'tenantId']);
    const unknownProfile = await refusal(h.job('https://meet.google.com/aaa-bbbb-ccc', { botProfile: 'nope' }));
    expect(unknownProfile.code).toBe('unknown_bot_profile');
    expect(await queued()).toBe(0);
  });

  it('a job put on the queue without schedule is checked at the lease: a bad one fails as invalid_job, once, before any browser; a good one gets its defaults', async () => {
    const bad = { ...h.job('https://meet.google.com/aaa-bbbb-ccc'), recording: 'hologram' };
    const refused = h.track(bad.meetingId);
    const badJob = await queue.add('meeting', bad, { jobId: `raw-${bad.meetingId}`, attempts: 3 });
    await expect(badJob.waitUntilFinished(queueEvents)).rejects.toThrow(/^invalid_job: .*recording/);
    expect((await queue.getJob(badJob.id!))!.attemptsMade).toBe(1);
    // The caller hears it as it would hear a failed session: a failed outcome with the typed reason.
    expect(await refused.outcome).toMatchObject({ meetingId: bad.meetingId, state: 'failed', reason: 'invalid_job' });
    expect(refused.states).toEqual([]);
    expect(h.workerLogLines.some((l) => l.includes(bad.meetingId) && l.includes('refused a queued job'))).toBe(true);
    expect(h.logLines.some((l) => l.includes(bad.meetingId))).toBe(false);
    // The bare minimum a policy service might enqueue: no limits, no offset, no platform. The
    // meeting admits signed-in users only, so the session ends at once, with the job's defaults.
    const { url } = h.sandbox.api.createMeeting({ wall: 'sign_in' });
    const { limits: _limits, joinOffsetSec: _offset, ...bare } = h.job(url);
    const t = h.track(bare.meetingId);
    const goodJob = await queue.add('meeting', bare, { jobId: `raw-${bare.meetingId}` });
    expect(await t.outcome).toMatchObject({ state: 'failed', reason: 'sign_in_required' });
    await goodJob.waitUntilFinished(queueEvents).catch(() => undefined);
  });

  it('the CLI prints the typed error as JSON and exits non-zero', async () => {
    const child = spawn(process.execPath, ['bin/meetcap.js', 'schedule', '-'], {
      env: { ...process.env, REDIS_URL: h.config.redisUrl, MEETCAP_QUEUE_PREFIX: h.config.queuePrefix, MEETCAP_MIN_DURATION_FLOOR_SEC: '1' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    child.stdin.end(JSON.stringify(h.job('https://example.com/x')));
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code).toBe(2);
    expect(JSON.parse(stderr.slice(stderr.indexOf('{')))).toMatchObject({ error: { code: 'url_not_allowed', fault: 'configuration', retryable: false } });
  });
});
