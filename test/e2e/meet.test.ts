import { setTimeout as scenario } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SessionOutcome } from '../../src/contracts/index.js';
import { ffprobeFile } from '../../src/media/ffmpeg/probe.js';
import { toneLevels } from '../helpers/audio.js';
import { startHarness, type Harness } from '../helpers/harness.js';

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

const BOT_NAME = 'Meetcap Notetaker';
const WINDOW_MS = 100;

/** Median tone level (dB) over [fromSec, toSec) of the recording. */
function median(levels: number[], fromSec: number, toSec: number): number {
  const span = levels.slice(Math.ceil((fromSec * 1000) / WINDOW_MS), Math.floor((toSec * 1000) / WINDOW_MS)).sort((a, b) => a - b);
  expect(span.length).toBeGreaterThan(5);
  return span[Math.floor(span.length / 2)]!;
}

async function expectNothingStored(meetingId: string): Promise<void> {
  expect(await h.objectKeys(`acme/${meetingId}/`)).toEqual([]);
  expect(await h.s3.pendingUploads()).toEqual([]);
}

function neverRecorded(states: Array<{ state: string }>): void {
  const seen = states.map((s) => s.state);
  expect(seen).not.toContain('in_call');
  expect(seen).not.toContain('recording');
}

describe('Google Meet through the queue', () => {
  it('records the meeting: audio + video, in-call duration, each participant when they spoke, bot in the roster', async () => {
    const { code, url } = h.sandbox.api.createMeeting({});
    const alice = await h.sandbox.api.addParticipant(code, { name: 'Alice Example', toneHz: 440, speaking: false });
    const bob = await h.sandbox.api.addParticipant(code, { name: 'Bob Example', toneHz: 660, speaking: false });
    const job = h.job(url, { passcode: 'S3CRET-774411' });
    const t = h.track(job.meetingId);
    expect((await h.ops.schedule(job)).status).toBe('scheduled');

    await h.sandbox.api.wait(code, { joiner: 'lobby', timeoutMs: 60_000 });
    h.sandbox.api.admit(code);
    await t.reached('recording');
    await h.sandbox.api.wait(code, { peersConnected: 2, timeoutMs: 30_000 });
    const roster = h.sandbox.api.getMeeting(code).joiners.filter((j) => j.state === 'in_call').map((j) => j.name);
    expect(roster).toEqual([BOT_NAME]);

    const aliceOn = (await h.sandbox.api.speak(code, alice.id, true)).at;
    await scenario(3_000);
    const aliceOff = (await h.sandbox.api.speak(code, alice.id, false)).at;
    const bobOn = (await h.sandbox.api.speak(code, bob.id, true)).at;
    await scenario(3_000);
    const bobOff = (await h.sandbox.api.speak(code, bob.id, false)).at;
    await scenario(1_000);
    h.sandbox.api.end(code);

    const outcome = await t.outcome;
    expect(outcome).toMatchObject({ state: 'done', reason: 'meeting_ended' });
    const prefix = `acme/${job.meetingId}/${outcome.sessionId}/`;
    expect(await h.objectKeys(`acme/${job.meetingId}/`)).toEqual([`${prefix}manifest.json`, `${prefix}recording.mp4`]);

    const manifest = JSON.parse(await (await import('node:fs/promises')).readFile(await h.download(`${prefix}manifest.json`), 'utf8'));
    const file = await h.download(`${prefix}recording.mp4`);
    const probe = await ffprobeFile(file);
    expect(probe.streams.map((s) => `${s.type}:${s.codec}`).sort()).toEqual(['audio:aac', 'video:h264']);
    const inCallSec = (Date.parse(manifest.inCall.end) - Date.parse(manifest.inCall.start)) / 1000;
    expect(Math.abs(probe.durationSec - inCallSec)).toBeLessThan(1);
    expect(manifest.participants.map((p: { name: string }) => p.name).sort()).toEqual(['Alice Example', 'Bob Example']);
    expect(manifest.job.passcode).toBe('[REDACTED]');

    // Recording time 0 is manifest.recording.startedAt; stay 0.5 s inside each spoken span.
    const t0 = Date.parse(manifest.recording.startedAt);
    const at = (ms: number): number => (ms - t0) / 1000;
    const l440 = await toneLevels(file, 440, WINDOW_MS);
    const l660 = await toneLevels(file, 660, WINDOW_MS);
    const alice440 = median(l440, at(aliceOn) + 0.5, at(aliceOff) - 0.5);
    const alice660 = median(l660, at(aliceOn) + 0.5, at(aliceOff) - 0.5);
    const bob440 = median(l440, at(bobOn) + 0.5, at(bobOff) - 0.5);
    const bob660 = median(l660, at(bobOn) + 0.5, at(bobOff) - 0.5);
    expect(alice440).toBeGreaterThan(-40);
    expect(alice440 - alice660).toBeGreaterThan(20);
    expect(bob660).toBeGreaterThan(-40);
    expect(bob660 - bob440).toBeGreaterThan(20);

    // Every session log line is JSON carrying both ids; the passcode never appears.
    const lines = h.logLines.filter((l) => l.includes(job.meetingId));
    expect(lines.length).toBeGreaterThan(5);
    for (const line of lines) expect(JSON.parse(line)).toMatchObject({ sessionId: outcome.sessionId, meetingId: job.meetingId });
    expect(h.logLines.join('\n')).not.toContain('S3CRET-774411');
  });

  it('denied by the host: failed(denied_by_host), nothing stored', async () => {
    const { code, url } = h.sandbox.api.createMeeting({});
    const job = h.job(url);
    const t = h.track(job.meetingId);
    await h.ops.schedule(job);
    await h.sandbox.api.wait(code, { joiner: 'lobby', timeoutMs: 60_000 });
    h.sandbox.api.deny(code);
    expect(await t.outcome).toMatchObject({ state: 'failed', reason: 'denied_by_host' });
    neverRecorded(t.states);
    await expectNothingStored(job.meetingId);
  });

  it('the platform drops the lobby request: failed(waiting_room_timeout), nothing stored', async () => {
    const { url } = h.sandbox.api.createMeeting({ lobbyTimeoutMs: 3_000 });
    const job = h.job(url);
    const t = h.track(job.meetingId);
    await h.ops.schedule(job);
    expect(await t.outcome).toMatchObject({ state: 'failed', reason: 'waiting_room_timeout' });
    neverRecorded(t.states);
    await expectNothingStored(job.meetingId);
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
    neverRecorded(t.states);
    const joiner = h.sandbox.api.getMeeting(code).joiners[0]!;
    expect(joiner.events.map((e) => e.state)).not.toContain('in_call');
    await expectNothingStored(job.meetingId);
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
    await scenario(5_000);
    h.sandbox.api.end(code);
    expect(await t.outcome).toMatchObject({ state: 'discarded', reason: 'below_minimum_duration' });
    await expectNothingStored(job.meetingId);
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

  it.each([
    ['ended by the host', 'meeting_ended', (code: string) => h.sandbox.api.end(code)],
    ['removed by the host', 'removed_by_host', (code: string) => h.sandbox.api.remove(code)],
  ] as const)('%s: recording kept, reason %s', async (_label, reason, act) => {
    const { code, url } = h.sandbox.api.createMeeting({ autoAdmitAfterMs: 0 });
    await h.sandbox.api.addParticipant(code, { name: 'Frank Host', toneHz: 440, speaking: true });
    const job = h.job(url, { limits: { minDurationSec: 2 } });
    const t = h.track(job.meetingId);
    await h.ops.schedule(job);
    await t.reached('recording');
    await scenario(4_000);
    act(code);
    const outcome = await t.outcome;
    expect(outcome).toMatchObject({ state: 'done', reason });
    expect(outcome.recording!.durationSec).toBeGreaterThan(3);
    expect(t.states.find((s) => s.state === 'leaving')?.reason).toBe(reason);
    expect(await h.objectKeys(`acme/${job.meetingId}/`)).toHaveLength(2);
  });
});
