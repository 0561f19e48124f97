import { readFile } from 'node:fs/promises';
import { setTimeout as scenario } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SessionOutcome } from '../../src/contracts/index.js';
import { startHarness, type Harness } from '../helpers/harness.js';
import { expectJoinFailure, expectNeverRecorded, expectNothingStored, keptAfter, recordsTwoSpeakers, ridesOutReconnect, schedule } from './scenarios.js';

/**
 * Lease → join → capture → upload, through the real queue, against the Meet sandbox, with real
 * Chromium, ffmpeg, Redis and an S3-compatible server. `scenario(ms)` is meeting time passing
 * (people talking), never a wait for a signal: signals are awaited through events.
 */
let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

describe('Google Meet through the queue', () => {
  it('records the meeting: audio + video, in-call duration, each participant when they spoke, bot in the roster; ended by the host: kept, meeting_ended', async () => {
    const outcome = await recordsTwoSpeakers(h, {}, { passcode: 'S3CRET-774411' });
    const manifest = JSON.parse(await readFile(await h.download(`acme/${outcome.meetingId}/${outcome.sessionId}/manifest.json`), 'utf8'));
    expect(manifest.job.passcode).toBe('[REDACTED]');
    // Every session log line is JSON carrying both ids; the passcode never appears.
    const lines = h.logLines.filter((l) => l.includes(outcome.meetingId));
    expect(lines.length).toBeGreaterThan(5);
    for (const line of lines) expect(JSON.parse(line)).toMatchObject({ sessionId: outcome.sessionId, meetingId: outcome.meetingId });
    expect(h.logLines.join('\n')).not.toContain('S3CRET-774411');
  });

  it('the platform drops the lobby request before the job\'s limit: the bot asks again and the host lets it in', async () => {
    // Meet gives up on a request after about 10 minutes (3 s here); the job allows 15.
    const { code, url } = h.sandbox.api.createMeeting({ lobbyTimeoutMs: 3_000 });
    await h.sandbox.api.addParticipant(code, { name: 'Carol Host', toneHz: 550, speaking: true });
    const { t, meetingId } = await schedule(h, url, { limits: { minDurationSec: 2, waitingRoomTimeoutSec: 900 } });
    await h.sandbox.api.wait(code, { joiner: 'expired', timeoutMs: 30_000 });
    await h.sandbox.api.wait(code, { joiner: 'lobby', joiners: 2, timeoutMs: 30_000 });
    h.sandbox.api.admit(code);
    await t.reached('recording');
    await scenario(3_000);
    h.sandbox.api.end(code);
    expect(await t.outcome).toMatchObject({ state: 'done', reason: 'meeting_ended' });
    expect(t.states.filter((s) => s.state === 'waiting_room')).toHaveLength(1);
    expect(h.sandbox.api.getMeeting(code).joiners.map((j) => j.state)).toEqual(['expired', 'ended']);
    expect(await h.objectKeys(`acme/${meetingId}/`)).toHaveLength(2);
  });

  // The S3 multipart abort itself (an upload past the 5 MiB part minimum) is covered in
  // test/media/storage-s3.test.ts; here the whole session path must leave nothing behind.
  it('below the minimum: discarded(below_minimum_duration), no object and no pending upload', async () => {
    const { code, url } = h.sandbox.api.createMeeting({ autoAdmitAfterMs: 0 });
    await h.sandbox.api.addParticipant(code, { name: 'Dave Short', toneHz: 440, speaking: true });
    const job = h.job(url, { limits: { minDurationSec: 120 } });
    const t = h.track(job.meetingId);
    await h.ops.schedule(job);
    await t.reached('recording');
    await scenario(2_000);
    h.sandbox.api.end(code);
    expect(await t.outcome).toMatchObject({ state: 'discarded', reason: 'below_minimum_duration' });
    await expectNothingStored(h, job.meetingId);
  });

  it('max duration: leaves at the limit and keeps the recording', async () => {
    const { code, url } = h.sandbox.api.createMeeting({ autoAdmitAfterMs: 0 });
    await h.sandbox.api.addParticipant(code, { name: 'Erin Long', toneHz: 440, speaking: true });
    const job = h.job(url, { limits: { minDurationSec: 3, maxDurationSec: 6 } });
    const t = h.track(job.meetingId);
    await h.ops.schedule(job);
    const outcome = await t.outcome;
    expect(outcome).toMatchObject({ state: 'done', reason: 'max_duration_reached' });
    expect(outcome.recording!.durationSec).toBeGreaterThanOrEqual(5.5);
    expect(outcome.recording!.durationSec).toBeLessThan(9);
    expect(await h.objectKeys(`acme/${job.meetingId}/`)).toHaveLength(2);
    expect(h.sandbox.api.getMeeting(code).joiners[0]!.state).toBe('left');
  });

  it('the network drops for 8 s mid-call: the bot rides it out in one recording, silent while it was out', async () => {
    await ridesOutReconnect(h, {});
  });

  it('removed by the host: recording kept, reason removed_by_host', async () => {
    await keptAfter(h, {}, 'removed_by_host', (code) => h.sandbox.api.remove(code));
  });

  it('everyone left: the bot leaves after its alone limit and keeps the recording', async () => {
    await keptAfter(h, {}, 'everyone_left', (code, id) => h.sandbox.api.removeParticipant(code, id), { limits: { aloneTimeoutSec: 2 } });
  });
});

// Joins that end before any media flows. Not run concurrently: on two cores two bots launching
// at once each take two to three times as long, which gains nothing.
describe('Google Meet: joins that end before the call', () => {
  it('denied by the host: failed(denied_by_host), nothing stored', async () => {
    const { code, url } = h.sandbox.api.createMeeting({});
    const job = h.job(url);
    const t = h.track(job.meetingId);
    await h.ops.schedule(job);
    await h.sandbox.api.wait(code, { joiner: 'lobby', timeoutMs: 60_000 });
    h.sandbox.api.deny(code);
    expect(await t.outcome).toMatchObject({ state: 'failed', reason: 'denied_by_host' });
    expectNeverRecorded(t);
    await expectNothingStored(h, job.meetingId);
  });

  it('dropped with too little of the job\'s limit left to knock again: failed(waiting_room_timeout), nothing stored', async () => {
    const { code, url } = h.sandbox.api.createMeeting({ lobbyTimeoutMs: 3_000 });
    const job = h.job(url, { limits: { waitingRoomTimeoutSec: 6 } });
    const t = h.track(job.meetingId);
    await h.ops.schedule(job);
    expect(await t.outcome).toMatchObject({ state: 'failed', reason: 'waiting_room_timeout' });
    // 3 s of the 6 left when Meet dropped the request: not worth a new knock for the host.
    expect(h.sandbox.api.getMeeting(code).joiners.map((j) => j.state)).toEqual(['expired']);
    expectNeverRecorded(t);
    await expectNothingStored(h, job.meetingId);
  });

  it('a bot left in the lobby (Leave button visible) never counts as admitted and gives up at its own limit', async () => {
    const { code, url } = h.sandbox.api.createMeeting({});
    await h.sandbox.api.addParticipant(code, { name: 'Carol Host', toneHz: 550, speaking: true });
    const job = h.job(url, { limits: { waitingRoomTimeoutSec: 6 } });
    const t = h.track(job.meetingId);
    await h.ops.schedule(job);
    const outcome: SessionOutcome = await t.outcome;
    expect(outcome).toMatchObject({ state: 'failed', reason: 'waiting_room_timeout' });
    expect(t.states.map((s) => s.state)).toContain('waiting_room');
    expectNeverRecorded(t);
    const joiner = h.sandbox.api.getMeeting(code).joiners[0]!;
    expect(joiner.events.map((e) => e.state)).not.toContain('in_call');
    await expectNothingStored(h, job.meetingId);
  });

  it('a sign-in-only meeting redirects to accounts.google.com: blocked by the guard, sign_in_required', async () => {
    const { url } = h.sandbox.api.createMeeting({ wall: 'sign_in' });
    await expectJoinFailure(h, url, 'sign_in_required');
  });
});
