import { setTimeout as meetingTime } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { audioOnsets, audioPresence } from '../../src/media/analysis/index.js';
import { ffprobeFile } from '../../src/media/ffmpeg/probe.js';
import { jobIdFor, openQueue, redisConnection } from '../../src/scheduler/queue.js';
import { startHarness, type Harness } from '../helpers/harness.js';
import { startTestRedis, type TestRedis } from '../helpers/redis-server.js';

/**
 * Redis crashing and coming back mid-meeting (SIGKILL by pid, restarted on the same AOF data):
 * the session records on without a gap, the worker's lease is renewed again, and the meeting is
 * run and reported exactly once.
 */
let redis: TestRedis;
let h: Harness;
beforeAll(async () => {
  redis = await startTestRedis();
  h = await startHarness({ env: { REDIS_URL: redis.url } });
}, 60_000);
afterAll(async () => {
  await h?.close();
  await redis?.close();
});

describe('Redis restarting mid-meeting', () => {
  it('does not interrupt the recording, and the meeting is leased, run and reported once', async () => {
    const { code, url } = h.sandbox.api.createMeeting({ platform: 'meet', autoAdmitAfterMs: 0 });
    await h.sandbox.api.addParticipant(code, { name: 'Alice Example', toneHz: 440, speaking: true });
    const job = h.job(url, { limits: { minDurationSec: 1, maxDurationSec: 600 } });
    const started: string[] = [];
    const outcomes: string[] = [];
    h.worker.events.on('session_started', (s) => s.meetingId === job.meetingId && started.push(s.sessionId));
    h.worker.events.on('outcome', (o) => o.meetingId === job.meetingId && outcomes.push(o.sessionId));
    const t = h.track(job.meetingId);
    await h.ops.schedule(job);
    const recording = await t.reached('recording');
    await meetingTime(5_000);

    await redis.crashAndRestart(2_000);
    // The lease is renewed again once the worker has reconnected.
    await new Promise<void>((resolve) => {
      const on = (l: { kind: string; jobIds: string[] }): void => {
        if (l.kind !== 'renewed') return;
        h.worker.events.off('lease', on);
        resolve();
      };
      h.worker.events.on('lease', on);
    });
    await meetingTime(4_000);
    h.sandbox.api.end(code);
    const outcome = await t.outcome;
    expect(outcome).toMatchObject({ state: 'done', reason: 'meeting_ended' });
    expect(started).toHaveLength(1);
    expect(outcomes).toEqual([started[0]]);

    const file = await h.download(`acme/${job.meetingId}/${outcome.sessionId}/recording.mp4`);
    const durationSec = (await ffprobeFile(file)).durationSec;
    const wallSec = (Date.parse(outcome.recording!.endedAt) - Date.parse(recording.at)) / 1000;
    expect(durationSec).toBeGreaterThan(wallSec - 1.5);
    // The capture never touches Redis: an outage would show as seconds of silence. The strict
    // 100 ms quality bound is test/quality's; here a scheduling hiccup on a busy box is not the point.
    // From the participant's first sound (the recording starts before its audio arrives) to
    // 1.5 s before the end (the host ended the meeting: its audio stops before the bot notices).
    const [first] = await audioOnsets(file, { thresholdDb: -30 });
    expect(first).toBeLessThan(10);
    const presence = await audioPresence(file, { fromSec: first!, toSec: durationSec - 1.5 });
    expect(presence.longestGapMs, JSON.stringify(presence.gaps)).toBeLessThanOrEqual(300);
    expect(presence.presentRatio).toBeGreaterThanOrEqual(0.99);

    // BullMQ ran the job once and completed it; nothing is waiting to run it again.
    const connection = redisConnection(h.config);
    const queue = openQueue(h.config, connection);
    try {
      const jobState = await (await queue.getJob(jobIdFor(job.meetingId)))?.getState();
      expect(jobState).toBe('completed');
      expect(await queue.getJobCounts('active', 'wait', 'delayed')).toEqual({ active: 0, wait: 0, delayed: 0 });
    } finally {
      await queue.close();
      await connection.quit();
    }
  }, 180_000);
});
