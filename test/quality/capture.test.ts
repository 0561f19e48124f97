import { readFile, rm } from 'node:fs/promises';
import { setTimeout as scenario } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SessionOutcome } from '../../src/contracts/index.js';
import { audioOnsets, audioPresence, avOffsets } from '../../src/media/analysis/index.js';
import { ffprobeFile } from '../../src/media/ffmpeg/probe.js';
import { toneLevels } from '../helpers/audio.js';
import { PARTICIPANT_VIDEO_720P } from '../../src/sandbox/index.js';
import { startHarness, type Harness } from '../helpers/harness.js';
import { schedule } from '../e2e/scenarios.js';

/**
 * Capture quality through the whole product (queue, worker, session, Chromium tab capture,
 * ffmpeg, S3) against the Meet sandbox, measured on the stored file with src/media/analysis.
 * `scenario(ms)` is meeting time passing, never a wait for a signal.
 */
const LEVEL_WINDOW_MS = 100;
/**
 * A/V bounds on offsetMs = audio - video (positive: sound after picture). The issue's "+40 / -60"
 * are EBU R37's numbers, whose sign is the other way round (+ = sound before picture, which
 * viewers notice sooner): sound may lead by 40 ms and lag by 60 ms. Each pair may stray another
 * 20 ms either side: the sandbox's source alone spreads pairs over ~25 ms (docs/quality.md) and a
 * 30 fps tab capture shows a flash up to one frame (33 ms) after it was rendered.
 */
const MEDIAN_MS = { lead: -40, lag: 60 };
const PAIR_MS = { lead: -60, lag: 80 };
/**
 * Share of settled pairs that must be inside PAIR_MS. Not all: under CPU contention WebRTC's
 * receive side (jitter buffer growth, lip-sync catch-up) throws single pairs out by 100 ms and
 * more for a second or two (docs/quality.md); that is the network stack, not a constant offset.
 */
const PAIR_SHARE = 0.9;
/**
 * Both bounds apply from this long after the participant's connection: Chromium's lip sync needs
 * that to converge. Pairs of the first ~12 s run +40..+130 ms with tab audio (the picture is shown
 * before lip sync has delayed it; a person in the meeting sees the same), then settle. The
 * transient is printed with the result and documented in docs/quality.md, not hidden.
 */
const SETTLE_SEC = 15;
/**
 * Attempts at the A/V test. On a starved 2-core machine (the bot, the sandbox's participant
 * browser and ffmpeg on two cores, as in CI) the tab capture falls to ~18 fps and both media
 * paths jitter by up to ±100 ms, and a whole run's median moved between -79 and +33 ms
 * (docs/quality.md, "Under load"). A constant offset, which is what a regression brings, fails
 * every attempt; a run that happened to be starved gets another one.
 */
const AV_ATTEMPTS = 3;
/**
 * Attempts at the presence test, for the same reason. On that starved machine the tab's sound,
 * which Chromium's audio service captures on a timer, can drop short stretches: a fresh-clone
 * suite run on 2026-12-07 lost 0.2 % of the call (99.80 % presence) with no gap over 100 ms,
 * on the build whose earlier CI run had passed. A broken capture path loses sound in every
 * attempt; a starved attempt gets another. Each attempt prints what it measured.
 */
const PRESENCE_ATTEMPTS = 3;
let h: Harness;
const files: string[] = [];

beforeAll(async () => {
  h = await startHarness({ participantVideo: PARTICIPANT_VIDEO_720P });
});
afterAll(async () => {
  await h?.close();
  await Promise.all(files.map((f) => rm(f, { force: true })));
});

interface Recorded {
  file: string;
  /** Recording start (epoch ms), the file's time 0. */
  startedAt: number;
  durationSec: number;
}

/**
 * Runs a bot into meeting `code` until its maximum duration: the bot stops the capture while the
 * participants are still talking, so the file's end is in-call time, not the meeting's end.
 * Then the meeting ends: its participants' pages would otherwise go on drawing 720p and sending
 * it (to no one) through the next test, and on two cores that load moves the next test's result.
 */
async function recordUntilMax(code: string, url: string, maxDurationSec: number, during?: (startedAt: number) => Promise<void>): Promise<Recorded> {
  const { t, meetingId } = await schedule(h, url, { limits: { minDurationSec: 5, maxDurationSec } });
  let outcome: SessionOutcome;
  try {
    const recording = await t.reached('recording');
    await during?.(Date.parse(recording.at));
    outcome = await t.outcome;
  } finally {
    h.sandbox.api.end(code);
  }
  expect(outcome).toMatchObject({ state: 'done', reason: 'max_duration_reached' });
  const prefix = `acme/${meetingId}/${outcome.sessionId}/`;
  const manifestFile = await h.download(`${prefix}manifest.json`);
  const file = await h.download(`${prefix}recording.mp4`);
  files.push(manifestFile, file);
  const manifest = JSON.parse(await readFile(manifestFile, 'utf8'));
  return { file, startedAt: Date.parse(manifest.recording.startedAt), durationSec: (await ffprobeFile(file)).durationSec };
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

describe('capture quality (Meet sandbox, through the queue)', () => {
  it('a continuous tone is present >= 99.9 % of the recorded call, with no gap over 100 ms', { retry: PRESENCE_ATTEMPTS - 1, timeout: 180_000 }, async () => {
    const { code, url } = h.sandbox.api.createMeeting({ autoAdmitAfterMs: 0 });
    await h.sandbox.api.addParticipant(code, { name: 'Tess Tone', toneHz: 440, speaking: true });
    const rec = await recordUntilMax(code, url, 45);
    // From the participant's first sound (-6 dBFS here). Before it: Chromium's MediaRecorder
    // starts its audio with ~70 ms of silence, and the AAC priming frame decodes as ~-40 dBFS
    // noise at 0, which the -30 dB onset threshold steps over (docs/quality.md).
    const [first] = await audioOnsets(rec.file, { thresholdDb: -30 });
    expect(first).toBeDefined();
    expect(first!).toBeLessThan(10);
    const presence = await audioPresence(rec.file, { fromSec: first! });
    expect(presence.durationSec).toBeGreaterThan(rec.durationSec - first! - 1);
    console.info(`tone presence ${(presence.presentRatio * 100).toFixed(3)} %, longest gap ${presence.longestGapMs} ms, gaps ${JSON.stringify(presence.gaps)}`);
    expect(presence.longestGapMs, JSON.stringify(presence.gaps)).toBeLessThanOrEqual(100);
    expect(presence.presentRatio, JSON.stringify(presence.gaps)).toBeGreaterThanOrEqual(0.999);
  });

  it('flashes and beeps stay in sync once lip sync settles: median A/V offset within 40 ms lead / 60 ms lag, 90 % of pairs within 60 / 80', { retry: AV_ATTEMPTS - 1, timeout: 180_000 }, async () => {
    const { code, url } = h.sandbox.api.createMeeting({ autoAdmitAfterMs: 0 });
    await h.sandbox.api.addParticipant(code, { name: 'Fiona Flash', toneHz: 1000, flashPeriodMs: 1000 });
    let connectedAt = 0;
    const rec = await recordUntilMax(code, url, 45, async () => {
      await h.sandbox.api.wait(code, { peersConnected: 1, timeoutMs: 30_000 });
      connectedAt = Date.now();
    });
    const { pairs } = await avOffsets(rec.file);
    const offsets = pairs.map((p) => Math.round(p.offsetMs));
    const settledFrom = (connectedAt - rec.startedAt) / 1000 + SETTLE_SEC;
    const settled = pairs.filter((p) => p.videoSec >= settledFrom).map((p) => Math.round(p.offsetMs));
    const report = `all: ${offsets.join(' ')}; settled after ${settledFrom.toFixed(1)} s: ${settled.join(' ')}`;
    expect(settled.length, report).toBeGreaterThanOrEqual(20);
    const mid = median(settled);
    console.info(`A/V offset (audio - video) settled median ${mid} ms, all-pairs median ${median(offsets)} ms; ${report}`);
    expect(mid, report).toBeGreaterThanOrEqual(MEDIAN_MS.lead);
    expect(mid, report).toBeLessThanOrEqual(MEDIAN_MS.lag);
    const inBand = settled.filter((o) => o >= PAIR_MS.lead && o <= PAIR_MS.lag).length;
    expect(inBand / settled.length, report).toBeGreaterThanOrEqual(PAIR_SHARE);
  });

  it('a participant who joins 10 s into the recording is heard from then on', async () => {
    const { code, url } = h.sandbox.api.createMeeting({ autoAdmitAfterMs: 0 });
    await h.sandbox.api.addParticipant(code, { name: 'Early Ed', toneHz: 440, speaking: true });
    let connectedAt = 0;
    const rec = await recordUntilMax(code, url, 25, async (startedAt) => {
      await scenario(Math.max(0, startedAt + 10_000 - Date.now()));
      await h.sandbox.api.addParticipant(code, { name: 'Late Lena', toneHz: 660, speaking: true });
      await h.sandbox.api.wait(code, { peersConnected: 2, timeoutMs: 30_000 });
      connectedAt = Date.now();
    });
    const at = (ms: number): number => (ms - rec.startedAt) / 1000;
    expect(at(connectedAt)).toBeGreaterThan(9);
    const levels = await toneLevels(rec.file, 660, LEVEL_WINDOW_MS);
    const span = (from: number, to: number): number[] => levels.slice(Math.ceil((from * 1000) / LEVEL_WINDOW_MS), Math.floor((to * 1000) / LEVEL_WINDOW_MS));
    const before = span(1, at(connectedAt) - 2);
    const after = span(at(connectedAt) + 1, rec.durationSec - 0.5);
    expect(before.length).toBeGreaterThan(50);
    expect(after.length).toBeGreaterThan(50);
    expect(median(after)).toBeGreaterThan(-40);
    expect(median(after) - median(before)).toBeGreaterThanOrEqual(20);
    // Heard all the way, not just at first: even its weakest 100 ms window is well above silence.
    expect(Math.min(...after)).toBeGreaterThan(median(before) + 20);
  }, 180_000);
});
