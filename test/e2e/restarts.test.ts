import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { setTimeout as meetingTime } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SessionOutcome } from '../../src/contracts/index.js';
import { ffprobeFile } from '../../src/media/ffmpeg/probe.js';
import { descendants } from '../../src/scheduler/process-tree.js';
import { jobIdFor, openQueue, redisConnection } from '../../src/scheduler/queue.js';
import { expectToneHeard, toneLevels } from '../helpers/audio.js';
import { startHarness, type Harness } from '../helpers/harness.js';

/**
 * A session whose Chromium crashes (SIGKILL to the browser's main process, by pid), or whose call
 * stays lost longer than the reconnect allowance: the session keeps what it recorded, the worker
 * starts a fresh session that rejoins the meeting, and the last manifest lists both parts.
 */
const RECONNECT_GRACE_SEC = 3;
let h: Harness;
beforeAll(async () => {
  h = await startHarness({ env: { MEETCAP_RECONNECT_GRACE_SEC: String(RECONNECT_GRACE_SEC) } });
}, 60_000);
afterAll(async () => {
  await h?.close();
});

/** Every outcome of one meeting, in order (a restarted meeting has one per session). */
function outcomesOf(meetingId: string): { list: SessionOutcome[]; next(): Promise<SessionOutcome> } {
  const list: SessionOutcome[] = [];
  let wake: (() => void) | undefined;
  h.worker.events.on('outcome', (o) => {
    if (o.meetingId !== meetingId) return;
    list.push(o);
    wake?.();
  });
  let taken = 0;
  return {
    list,
    async next() {
      while (list.length <= taken) await new Promise<void>((r) => (wake = r));
      return list[taken++]!;
    },
  };
}

function recordingOf(meetingId: string, sessionId?: string): Promise<{ sessionId: string; at: number }> {
  return new Promise((resolve) => {
    const on = (s: { meetingId: string; sessionId: string; state: string; at: string }): void => {
      if (s.meetingId !== meetingId || s.state !== 'recording' || s.sessionId === sessionId) return;
      h.worker.events.off('state', on);
      resolve({ sessionId: s.sessionId, at: Date.parse(s.at) });
    };
    h.worker.events.on('state', on);
  });
}

/** The session's Chromium main process: the descendant whose command line has no --type=. */
function browserPid(sessionPid: number): number {
  const pid = descendants(sessionPid).find((p) => {
    try {
      const cmd = readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0');
      return /chrom/.test(cmd[0] ?? '') && !cmd.some((a: string) => a.startsWith('--type='));
    } catch {
      return false;
    }
  });
  expect(pid).toBeTypeOf('number');
  return pid!;
}

/** A Meet meeting with one speaking participant, recorded by a first session whose sound flows. */
async function recordingMeeting(limits: { joinTimeoutSec?: number } = {}) {
  const { code, url } = h.sandbox.api.createMeeting({ platform: 'meet', autoAdmitAfterMs: 0 });
  await h.sandbox.api.addParticipant(code, { name: 'Alice Example', toneHz: 440, speaking: true });
  const job = h.job(url, { limits: { minDurationSec: 1, maxDurationSec: 600, ...limits } });
  const outcomes = outcomesOf(job.meetingId);
  const firstRecording = recordingOf(job.meetingId);
  await h.ops.schedule(job);
  const rec1 = await firstRecording;
  const secondRecording = recordingOf(job.meetingId, rec1.sessionId);
  await h.sandbox.api.wait(code, { peersConnected: 1, timeoutMs: 30_000 });
  /** When each session's sound was flowing. */
  const flowing = new Map([[rec1.sessionId, Date.now()]]);
  return { code, job, outcomes, rec1, secondRecording, flowing };
}

describe('a session losing the meeting mid-call', () => {
  it('Chromium crashing is restarted: a new session rejoins and the meeting is kept in two parts', async () => {
    const { code, job, outcomes, rec1, secondRecording, flowing } = await recordingMeeting();
    await meetingTime(6_000);
    const session = h.worker.sessions.get(rec1.sessionId)!;
    process.kill(browserPid(session.pid!), 'SIGKILL');

    const first = await outcomes.next();
    expect(first).toMatchObject({ sessionId: rec1.sessionId, state: 'done', reason: 'browser_crashed' });
    const rec2 = await secondRecording;
    await h.sandbox.api.wait(code, { peersConnected: 1, timeoutMs: 30_000 });
    flowing.set(rec2.sessionId, Date.now());
    await meetingTime(5_000);
    h.sandbox.api.end(code);
    const second = await outcomes.next();
    expect(second).toMatchObject({ sessionId: rec2.sessionId, state: 'done', reason: 'meeting_ended' });

    const base = `acme/${job.meetingId}`;
    const manifest = JSON.parse(await readFile(await h.download(`${base}/${rec2.sessionId}/manifest.json`), 'utf8'));
    expect(manifest.meetingParts.parts.map((p: { sessionId: string }) => p.sessionId)).toEqual([rec1.sessionId, rec2.sessionId]);
    expect(manifest.meetingParts.parts[0]).toMatchObject({ endReason: 'browser_crashed', partial: true });
    expect(manifest.meetingParts.gaps).toHaveLength(1);
    for (const s of [rec1.sessionId, rec2.sessionId]) {
      const file = await h.download(`${base}/${s}/recording.mp4`);
      expect((await ffprobeFile(file)).durationSec).toBeGreaterThan(3);
      const part = JSON.parse(await readFile(await h.download(`${base}/${s}/manifest.json`), 'utf8'));
      await expectToneHeard(file, 440, { recordingStartedAt: Date.parse(part.recording.startedAt), connectedAt: flowing.get(s)! }, 20);
    }
  }, 180_000);

  it('a call lost for longer than the reconnect allowance is rejoined by a new session', async () => {
    const { code, job, outcomes, rec1, secondRecording, flowing } = await recordingMeeting();
    await meetingTime(4_000);
    // The platform keeps the bot's page reconnecting for a minute: far past the allowance.
    const droppedAt = Date.now();
    expect(h.sandbox.api.drop(code, undefined, 60_000).dropped).toHaveLength(1);

    const first = await outcomes.next();
    expect(first).toMatchObject({ sessionId: rec1.sessionId, state: 'done', reason: 'connection_failed' });
    const rec2 = await secondRecording;
    await h.sandbox.api.wait(code, { peersConnected: 1, timeoutMs: 30_000 });
    flowing.set(rec2.sessionId, Date.now());
    await meetingTime(4_000);
    h.sandbox.api.end(code);
    const second = await outcomes.next();
    expect(second).toMatchObject({ sessionId: rec2.sessionId, state: 'done', reason: 'meeting_ended' });
    expect(outcomes.list).toHaveLength(2);

    const base = `acme/${job.meetingId}`;
    const manifest = JSON.parse(await readFile(await h.download(`${base}/${rec2.sessionId}/manifest.json`), 'utf8'));
    expect(manifest.meetingParts.parts.map((p: { sessionId: string }) => p.sessionId)).toEqual([rec1.sessionId, rec2.sessionId]);
    expect(manifest.meetingParts.parts[0]).toMatchObject({ endReason: 'connection_failed' });
    // Part 1: the tone until the drop, then the silence of the lost call until the bot gave up.
    const part1 = JSON.parse(await readFile(await h.download(`${base}/${rec1.sessionId}/manifest.json`), 'utf8'));
    const levels = await toneLevels(await h.download(`${base}/${rec1.sessionId}/recording.mp4`), 440, 100);
    const windowAt = (ms: number): number => Math.round((ms - Date.parse(part1.recording.startedAt)) / 100);
    const before = levels.slice(windowAt(flowing.get(rec1.sessionId)! + 500), windowAt(droppedAt - 500));
    const lost = levels.slice(windowAt(droppedAt + 1_000), windowAt(droppedAt + RECONNECT_GRACE_SEC * 1000));
    expect(before.length).toBeGreaterThan(20);
    expect(before.filter((l) => l > -30).length / before.length, before.map(Math.round).join(' ')).toBeGreaterThanOrEqual(0.95);
    expect(lost.length).toBeGreaterThan(10);
    expect(Math.max(...lost), lost.map(Math.round).join(' ')).toBeLessThan(-60);
    const part2 = JSON.parse(await readFile(await h.download(`${base}/${rec2.sessionId}/manifest.json`), 'utf8'));
    const file2 = await h.download(`${base}/${rec2.sessionId}/recording.mp4`);
    await expectToneHeard(file2, 440, { recordingStartedAt: Date.parse(part2.recording.startedAt), connectedAt: flowing.get(rec2.sessionId)! }, 20);
  }, 180_000);

  it('a rejoin that finds the meeting over does not undo the part that was kept', async () => {
    // The sandbox's Meet keeps a joiner of an ended meeting on its pre-join page: a short join
    // limit ends the rejoin sooner than the minute the bot gives a page it cannot get past.
    const { code, job, outcomes, rec1 } = await recordingMeeting({ joinTimeoutSec: 20 });
    await meetingTime(3_000);
    expect(h.sandbox.api.drop(code, undefined, 60_000).dropped).toHaveLength(1);
    const first = await outcomes.next();
    expect(first).toMatchObject({ sessionId: rec1.sessionId, state: 'done', reason: 'connection_failed' });
    // The meeting ends while the worker rejoins: the new session finds it over.
    h.sandbox.api.end(code);
    const second = await outcomes.next();
    expect(second.state).toBe('failed');

    // The meeting (the BullMQ job) ends as its kept part did, not as the failed rejoin.
    const connection = redisConnection(h.config);
    const queue = openQueue(h.config, connection);
    try {
      const bullJob = (await queue.getJob(jobIdFor(job.meetingId)))!;
      while (!(await bullJob.isCompleted()) && !(await bullJob.isFailed())) await meetingTime(100);
      const finished = (await queue.getJob(jobIdFor(job.meetingId)))!;
      expect(await finished.getState()).toBe('completed');
      expect(finished.returnvalue).toMatchObject({ sessionId: rec1.sessionId, state: 'done', reason: 'connection_failed' });
    } finally {
      await queue.close();
      await connection.quit();
    }
    expect(outcomes.list).toHaveLength(2);
  }, 180_000);
});
