import { readFile } from 'node:fs/promises';
import { setTimeout as scenario } from 'node:timers/promises';
import { expect } from 'vitest';
import type { SessionOutcome } from '../../src/contracts/index.js';
import { ffprobeFile } from '../../src/media/ffmpeg/probe.js';
import type { CreateMeetingInput, SandboxApi } from '../../src/sandbox/index.js';
import { toneLevels } from '../helpers/audio.js';
import type { Harness, Tracked } from '../helpers/harness.js';

/**
 * Scenarios every platform's end-to-end suite runs through the real queue, worker, Chromium,
 * ffmpeg and S3 server. `scenario(ms)` is meeting time passing (people talking), never a wait
 * for a signal: signals are awaited through session events and the sandbox's wait API.
 */
export const BOT_NAME = 'Meetcap Notetaker';
const WINDOW_MS = 100;

export async function expectNothingStored(h: Harness, meetingId: string): Promise<void> {
  expect(await h.objectKeys(`acme/${meetingId}/`)).toEqual([]);
  expect(await h.s3.pendingUploads()).toEqual([]);
}

export function expectNeverRecorded(t: Tracked): void {
  const seen = t.states.map((s) => s.state);
  expect(seen).not.toContain('in_call');
  expect(seen).not.toContain('recording');
}

/** Schedules a job for `url` and returns its tracker. */
export async function schedule(h: Harness, url: string, extra: Parameters<Harness['job']>[1] = {}): Promise<{ t: Tracked; meetingId: string }> {
  const job = h.job(url, extra);
  const t = h.track(job.meetingId);
  expect((await h.ops.schedule(job)).status).toBe('scheduled');
  return { t, meetingId: job.meetingId };
}

/** A join that must fail with `reason` before anything is recorded, leaving storage empty. */
export async function expectJoinFailure(h: Harness, url: string, reason: string, extra: Parameters<Harness['job']>[1] = {}): Promise<Tracked> {
  const { t, meetingId } = await schedule(h, url, extra);
  expect(await t.outcome).toMatchObject({ state: 'failed', reason });
  expectNeverRecorded(t);
  await expectNothingStored(h, meetingId);
  return t;
}

/** Median tone level (dB) over [fromSec, toSec) of the recording. */
function median(levels: number[], fromSec: number, toSec: number): number {
  const span = levels.slice(Math.ceil((fromSec * 1000) / WINDOW_MS), Math.floor((toSec * 1000) / WINDOW_MS)).sort((a, b) => a - b);
  expect(span.length).toBeGreaterThan(5);
  return span[Math.floor(span.length / 2)]!;
}

/**
 * The happy path: two participants take turns; the bot is admitted from the lobby, records,
 * and the host ends the meeting (so this is also each platform's "ended by the host" check).
 * Checks the stored MP4 (H.264 + AAC, the recording's length, which spans the call), each tone
 * in its own span, the roster, and the manifest's participants. The job asks for a recording
 * notice in the meeting chat: the meeting receives it once, from the bot, after the recording
 * started, and the manifest says when.
 */
export async function recordsTwoSpeakers(h: Harness, options: CreateMeetingInput, jobExtra: Parameters<Harness['job']>[1] = {}): Promise<SessionOutcome> {
  const { code, url } = h.sandbox.api.createMeeting(options);
  const alice = await h.sandbox.api.addParticipant(code, { name: 'Alice Example', toneHz: 440 });
  const bob = await h.sandbox.api.addParticipant(code, { name: 'Bob Example', toneHz: 660 });
  const notice = 'This call is recorded for coaching. Ask the host to stop it at any time.';
  const { t, meetingId } = await schedule(h, url, { consent: { chatNotice: true, message: notice }, ...jobExtra });
  await h.sandbox.api.wait(code, { joiner: 'lobby', timeoutMs: 60_000 });
  h.sandbox.api.admit(code);
  await t.reached('recording');
  await h.sandbox.api.wait(code, { peersConnected: 2, timeoutMs: 30_000 });
  const inCall = h.sandbox.api.getMeeting(code).joiners.filter((j) => j.state === 'in_call').map((j) => j.name);
  expect(inCall).toEqual([BOT_NAME]);

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
  expect(t.states.find((st) => st.state === 'leaving')?.reason).toBe('meeting_ended');
  const prefix = `acme/${meetingId}/${outcome.sessionId}/`;
  expect(await h.objectKeys(`acme/${meetingId}/`)).toEqual([`${prefix}manifest.json`, `${prefix}recording.mp4`]);
  const manifest = JSON.parse(await readFile(await h.download(`${prefix}manifest.json`), 'utf8'));
  const file = await h.download(`${prefix}recording.mp4`);
  const probe = await ffprobeFile(file);
  expect(probe.streams.map((s) => `${s.type}:${s.codec}`).sort()).toEqual(['audio:aac', 'video:h264']);
  // The file is the whole recording, and the recording is the call: it starts once the bot is
  // in (the capture's start-up, about 1 s on a busy 2-core machine) and ends with the call.
  const { recording } = manifest;
  const recordedSec = (Date.parse(recording.endedAt) - Date.parse(recording.startedAt)) / 1000;
  expect(Math.abs(probe.durationSec - recordedSec)).toBeLessThan(1);
  expect(Date.parse(recording.startedAt) - Date.parse(manifest.inCall.start)).toBeLessThan(3_000);
  expect(Math.abs(Date.parse(manifest.inCall.end) - Date.parse(recording.endedAt))).toBeLessThan(1_000);
  const names = manifest.participants.map((p: { name: string }) => p.name).sort();
  expect(names).toEqual(['Alice Example', 'Bob Example']);
  const said = h.sandbox.api.getMeeting(code).joiners.flatMap((j) => j.chat.map((c) => ({ name: j.name, ...c })));
  expect(said.map(({ name, text }) => ({ name, text }))).toEqual([{ name: BOT_NAME, text: notice }]);
  expect(said[0]!.at).toBeGreaterThanOrEqual(Date.parse(recording.startedAt));
  expect(manifest.consentNotice).toEqual({ text: notice, postedAt: expect.any(String) });
  expect(Math.abs(Date.parse(manifest.consentNotice.postedAt) - said[0]!.at)).toBeLessThan(2_000);

  const t0 = Date.parse(manifest.recording.startedAt);
  const at = (ms: number): number => (ms - t0) / 1000;
  const l440 = await toneLevels(file, 440, WINDOW_MS);
  const l660 = await toneLevels(file, 660, WINDOW_MS);
  expect(median(l440, at(aliceOn) + 0.5, at(aliceOff) - 0.5)).toBeGreaterThan(-40);
  expect(median(l440, at(aliceOn) + 0.5, at(aliceOff) - 0.5) - median(l660, at(aliceOn) + 0.5, at(aliceOff) - 0.5)).toBeGreaterThan(20);
  expect(median(l660, at(bobOn) + 0.5, at(bobOff) - 0.5)).toBeGreaterThan(-40);
  expect(median(l660, at(bobOn) + 0.5, at(bobOff) - 0.5) - median(l440, at(bobOn) + 0.5, at(bobOff) - 0.5)).toBeGreaterThan(20);
  return outcome;
}

/**
 * The bot in meeting `code` asked for no video and the one participant's video has stopped
 * flowing to it. Video flows first (each page reports it before its offer), then stops at the
 * bot's request.
 */
export async function expectIncomingVideoOff(api: SandboxApi, code: string, timeoutMs: number): Promise<void> {
  await api.wait(code, { peersConnected: 1, timeoutMs });
  const view = await api.wait(code, { videoFrom: 0, timeoutMs });
  expect(view.joiners.filter((j) => j.state === 'in_call').map((j) => j.incomingVideo)).toEqual([false]);
}

/**
 * An audio-only bot turns the participants' video off with the platform's own control: the
 * participant's video stops flowing to it (the sandbox's pages report it), and the M4A still
 * holds the participant's tone.
 */
export async function audioOnlyWithoutVideo(h: Harness, options: CreateMeetingInput): Promise<void> {
  const { code, url } = h.sandbox.api.createMeeting({ ...options, autoAdmitAfterMs: 0 });
  await h.sandbox.api.addParticipant(code, { name: 'Alice Example', toneHz: 440, speaking: true });
  const { t, meetingId } = await schedule(h, url, { recording: 'audio_only' });
  await t.reached('recording');
  await expectIncomingVideoOff(h.sandbox.api, code, 30_000);
  await scenario(3_000);
  h.sandbox.api.end(code);

  const outcome = await t.outcome;
  expect(outcome).toMatchObject({ state: 'done', reason: 'meeting_ended' });
  const key = `acme/${meetingId}/${outcome.sessionId}/recording.m4a`;
  const file = await h.download(key);
  expect((await ffprobeFile(file)).streams.map((s) => `${s.type}:${s.codec}`)).toEqual(['audio:aac']);
  const levels = await toneLevels(file, 440, WINDOW_MS);
  expect(median(levels, 1, levels.length * (WINDOW_MS / 1000) - 1)).toBeGreaterThan(-30);
}

/** Admitted and recording; then `act` ends it. The recording is kept with `reason`. */
export async function keptAfter(h: Harness, options: CreateMeetingInput, reason: string, act: (code: string, participantId: string) => unknown | Promise<unknown>, jobExtra: Parameters<Harness['job']>[1] = {}): Promise<SessionOutcome> {
  const { code, url } = h.sandbox.api.createMeeting({ autoAdmitAfterMs: 0, ...options });
  const p = await h.sandbox.api.addParticipant(code, { name: 'Frank Host', toneHz: 440, speaking: true });
  const { t, meetingId } = await schedule(h, url, { ...jobExtra, limits: { minDurationSec: 2, ...jobExtra.limits } });
  await t.reached('recording');
  await scenario(4_000);
  await act(code, p.id);
  const outcome = await t.outcome;
  expect(outcome).toMatchObject({ state: 'done', reason });
  expect(outcome.recording!.durationSec).toBeGreaterThan(3);
  expect(t.states.find((s) => s.state === 'leaving')?.reason).toBe(reason);
  expect(await h.objectKeys(`acme/${meetingId}/`)).toHaveLength(2);
  // A bot that leaves by itself uses the platform's Leave: one that just vanishes stays listed.
  if (reason === 'everyone_left') expect(h.sandbox.api.getMeeting(code).joiners.map((j) => j.leftBy)).toEqual(['leave']);
  return outcome;
}

/**
 * The host puts the bot back in the waiting room mid-call (Zoom's "Put in waiting room"), lets
 * it in again, then puts it back for good. The bot waits each time instead of calling the
 * meeting over; the recording runs on with silence while it is out, the tone comes back with it,
 * and the manifest lists both spans. Not let in the second time, it gives up after its
 * waiting-room limit (12 s here) and keeps the recording. The first wait (7 s) is longer than
 * the 5 s an unrecognised page used to be given; let in again, the bot answers "Join Audio" again.
 */
export async function heldInWaitingRoom(h: Harness, options: CreateMeetingInput): Promise<void> {
  const { code, url } = h.sandbox.api.createMeeting({ ...options, autoAdmitAfterMs: 0 });
  await h.sandbox.api.addParticipant(code, { name: 'Frank Host', toneHz: 440, speaking: true });
  const { t, meetingId } = await schedule(h, url, { limits: { minDurationSec: 2, waitingRoomTimeoutSec: 12 } });
  await t.reached('recording');
  await h.sandbox.api.wait(code, { peersConnected: 1, timeoutMs: 30_000 });
  await scenario(3_000);
  const heldAt = Date.now();
  expect(h.sandbox.api.hold(code).held).toHaveLength(1);
  await scenario(7_000);
  const backAt = Date.now();
  expect(h.sandbox.api.admit(code).admitted).toHaveLength(1);
  await h.sandbox.api.wait(code, { peersConnected: 1, timeoutMs: 30_000 });
  const heardAgainAt = Date.now();
  await scenario(4_000);
  const heldAgainAt = Date.now();
  expect(h.sandbox.api.hold(code).held).toHaveLength(1);

  const outcome = await t.outcome;
  expect(outcome).toMatchObject({ state: 'done', reason: 'waiting_room_timeout' });
  const prefix = `acme/${meetingId}/${outcome.sessionId}/`;
  const manifest = JSON.parse(await readFile(await h.download(`${prefix}manifest.json`), 'utf8'));
  const spans: Array<{ kind: string; startedAt: string; endedAt: string | null }> = manifest.inCall.interruptions;
  expect(spans.map((s) => s.kind)).toEqual(['waiting_room', 'waiting_room']);
  // Seen within a poll or two of the host's click, never before it; the second span never ended.
  const after = (iso: string, ms: number): number => Date.parse(iso) - ms;
  expect(after(spans[0]!.startedAt, heldAt)).toBeGreaterThanOrEqual(0);
  expect(after(spans[0]!.startedAt, heldAt)).toBeLessThan(1_500);
  expect(after(spans[0]!.endedAt!, backAt)).toBeGreaterThanOrEqual(0);
  expect(after(spans[0]!.endedAt!, backAt)).toBeLessThan(3_000);
  expect(after(spans[1]!.startedAt, heldAgainAt)).toBeGreaterThanOrEqual(0);
  expect(after(spans[1]!.startedAt, heldAgainAt)).toBeLessThan(1_500);
  expect(spans[1]!.endedAt).toBeNull();
  // The bot waited the limit out before leaving, and the recording covers the wait.
  const { recording } = manifest;
  expect(Date.parse(recording.endedAt) - heldAgainAt).toBeGreaterThan(11_500);

  const file = await h.download(`${prefix}recording.mp4`);
  const t0 = Date.parse(recording.startedAt);
  const at = (ms: number): number => (ms - t0) / 1000;
  const levels = await toneLevels(file, 440, WINDOW_MS);
  expect(median(levels, at(heldAt) - 2.5, at(heldAt) - 0.5)).toBeGreaterThan(-40);
  expect(median(levels, at(heldAt) + 0.5, at(backAt) - 0.5)).toBeLessThan(-70);
  // Heard again once the bot has answered "Join Audio" (its next probe and tidy, well under 2 s).
  expect(median(levels, at(heardAgainAt) + 2, at(heldAgainAt) - 0.5)).toBeGreaterThan(-40);
  expect(median(levels, at(heldAgainAt) + 0.5, at(heldAgainAt) + 11)).toBeLessThan(-70);
}

/**
 * The bot's network drops for 8 s mid-call (longer than the 5 s an unrecognised page used to be
 * given): the page shows only "Trying to reconnect", the media stops, and the call comes back by
 * itself. The bot rides it out: one recording, silence while it was out, the tone again after,
 * and a `reconnecting` span in the manifest.
 */
export async function ridesOutReconnect(h: Harness, options: CreateMeetingInput): Promise<void> {
  const DROP_MS = 8_000;
  const { code, url } = h.sandbox.api.createMeeting({ ...options, autoAdmitAfterMs: 0 });
  await h.sandbox.api.addParticipant(code, { name: 'Frank Host', toneHz: 440, speaking: true });
  const { t, meetingId } = await schedule(h, url, { limits: { minDurationSec: 2 } });
  await t.reached('recording');
  await h.sandbox.api.wait(code, { peersConnected: 1, timeoutMs: 30_000 });
  await scenario(3_000);
  const dropAt = Date.now();
  expect(h.sandbox.api.drop(code, undefined, DROP_MS).dropped).toHaveLength(1);
  await h.sandbox.api.wait(code, { peersConnected: 1, timeoutMs: DROP_MS + 30_000 });
  const heardAgainAt = Date.now();
  await scenario(3_000);
  h.sandbox.api.end(code);

  const outcome = await t.outcome;
  expect(outcome).toMatchObject({ state: 'done', reason: 'meeting_ended' });
  const prefix = `acme/${meetingId}/${outcome.sessionId}/`;
  expect(await h.objectKeys(`acme/${meetingId}/`)).toEqual([`${prefix}manifest.json`, `${prefix}recording.mp4`]);
  const manifest = JSON.parse(await readFile(await h.download(`${prefix}manifest.json`), 'utf8'));
  const spans: Array<{ kind: string; startedAt: string; endedAt: string }> = manifest.inCall.interruptions;
  expect(spans.map((s) => s.kind)).toEqual(['reconnecting']);
  const after = (iso: string, ms: number): number => Date.parse(iso) - ms;
  expect(after(spans[0]!.startedAt, dropAt)).toBeGreaterThanOrEqual(0);
  expect(after(spans[0]!.startedAt, dropAt)).toBeLessThan(1_500);
  expect(after(spans[0]!.endedAt, dropAt + DROP_MS)).toBeGreaterThanOrEqual(0);
  expect(after(spans[0]!.endedAt, dropAt + DROP_MS)).toBeLessThan(3_000);

  const file = await h.download(`${prefix}recording.mp4`);
  const t0 = Date.parse(manifest.recording.startedAt);
  const at = (ms: number): number => (ms - t0) / 1000;
  const levels = await toneLevels(file, 440, WINDOW_MS);
  expect(median(levels, at(dropAt) - 2.5, at(dropAt) - 0.5)).toBeGreaterThan(-40);
  expect(median(levels, at(dropAt) + 0.5, at(dropAt + DROP_MS) - 0.5)).toBeLessThan(-70);
  expect(median(levels, at(heardAgainAt) + 0.5, at(heardAgainAt) + 2.5)).toBeGreaterThan(-40);
}
