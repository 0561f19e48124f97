import { readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { setTimeout as meetingTime } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ffprobeFile } from '../../src/media/ffmpeg/probe.js';
import { expectToneHeard } from '../helpers/audio.js';
import { startHarness, type Harness } from '../helpers/harness.js';
import { schedule } from './scenarios.js';

/**
 * A session process killed mid-meeting (SIGKILL, by pid): the worker completes what it spooled
 * into a playable recording and stores its manifest draft, marked partial, and removes the
 * browser profile the session could not remove itself.
 */
let h: Harness;
beforeAll(async () => {
  h = await startHarness();
}, 60_000);
afterAll(async () => {
  await h?.close();
});

/** The session's Chromium profile directories in the temp dir (src/session/profile-dir.ts). */
function profileDirs(sessionId: string): string[] {
  return readdirSync(tmpdir()).filter((name) => name.startsWith(`meetcap-chromium-${sessionId}-`));
}

function sessionPid(meetingId: string): number {
  const s = [...h.worker.sessions.values()].find((x) => x.meetingId === meetingId);
  expect(s?.pid).toBeTypeOf('number');
  return s!.pid!;
}

describe('a session killed mid-meeting', () => {
  it('leaves a playable recording up to the kill, with a partial manifest saying why', async () => {
    const { code, url } = h.sandbox.api.createMeeting({ platform: 'meet', autoAdmitAfterMs: 0 });
    await h.sandbox.api.addParticipant(code, { name: 'Alice Example', toneHz: 440, speaking: true });
    const { t, meetingId } = await schedule(h, url);
    const recording = await t.reached('recording');
    await h.sandbox.api.wait(code, { peersConnected: 1, timeoutMs: 30_000 });
    const flowingAt = Date.now();
    await meetingTime(12_000);
    const { sessionId } = recording;
    expect(profileDirs(sessionId)).toHaveLength(1);
    const killedAt = Date.now();
    process.kill(sessionPid(meetingId), 'SIGKILL');

    const outcome = await t.outcome;
    expect(outcome).toMatchObject({ state: 'done', reason: 'session_crashed' });
    expect(profileDirs(sessionId)).toEqual([]);
    const prefix = `acme/${meetingId}/${outcome.sessionId}/`;
    expect(await h.objectKeys(`acme/${meetingId}/`)).toEqual([`${prefix}manifest.json`, `${prefix}recording.mp4`]);
    expect(await h.s3.pendingUploads()).toEqual([]);
    const manifest = JSON.parse(await readFile(await h.download(`${prefix}manifest.json`), 'utf8'));
    expect(manifest.recording).toMatchObject({ partial: true, partialReason: 'session_crashed', mode: 'audio_video' });
    expect(manifest.outcome).toEqual({ state: 'done', reason: 'session_crashed' });
    expect(manifest.participants.map((p: { name: string }) => p.name)).toEqual(['Alice Example']);

    const file = await h.download(`${prefix}recording.mp4`);
    const probe = await ffprobeFile(file);
    expect(probe.streams.map((s) => `${s.type}:${s.codec}`).sort()).toEqual(['audio:aac', 'video:h264']);
    // Up to the last whole fragment before the kill: fragments are at most 2 s, chunks 1 s.
    const recordedSec = (killedAt - Date.parse(recording.at)) / 1000;
    expect(probe.durationSec).toBeGreaterThan(recordedSec - 4);
    expect(probe.durationSec).toBeLessThanOrEqual(recordedSec + 0.5);
    expect(Math.abs(manifest.recording.durationSec - probe.durationSec)).toBeLessThan(0.1);
    await expectToneHeard(file, 440, { recordingStartedAt: Date.parse(manifest.recording.startedAt), connectedAt: flowingAt }, 50);
  }, 120_000);
});
