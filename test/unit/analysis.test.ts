import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MeetcapError } from '../../src/contracts/errors.js';
import { audioOnsets, audioPresence, avOffsets, pairNearest, silentSpans, videoFlashOnsets } from '../../src/media/analysis/index.js';

/**
 * The analysis functions on files made by ffmpeg's lavfi sources, where the truth is known to
 * the sample / frame: a tone with a 200 ms hole, a stream missing 200 ms of packets, and
 * variable-frame-rate flashes with beeps 30 ms late / 50 ms early.
 */
const run = promisify(execFile);
let dir: string;

async function make(name: string, args: string[]): Promise<string> {
  const file = join(dir, name);
  await run('ffmpeg', ['-hide_banner', '-v', 'error', '-y', ...args, file]);
  return file;
}

/** Black 320x180 video; white from k+0.5 s for 100 ms; every third frame dropped (VFR). A 1 kHz beep starts skewSec after each flash. */
function flashBeep(name: string, skewSec: number): Promise<string> {
  const flash = "drawbox=c=white:t=fill:enable='between(mod(t\\,1)\\,0.5\\,0.599)'";
  // aevalsrc evaluates per sample; a timeline `enable` would switch only every 1024-sample frame.
  const beep = `aevalsrc='0.5*sin(2*PI*1000*t)*between(mod(t-(${skewSec})\\,1)\\,0.5\\,0.6)':s=48000`;
  return make(name, [
    '-f', 'lavfi', '-i', `color=c=black:s=320x180:r=30,${flash},select='not(eq(mod(n\\,3)\\,1))'`,
    '-f', 'lavfi', '-i', beep,
    '-t', '6', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-fps_mode', 'passthrough',
    '-c:a', 'aac', '-b:a', '128k',
  ]);
}

function expectNear(actual: number, expected: number, tolerance: number): void {
  expect(Math.abs(actual - expected), `${actual} vs ${expected}`).toBeLessThanOrEqual(tolerance);
}

let hole: string;
let lost: string;
let late: string;
let early: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'meetcap-analysis-'));
  [hole, lost, late, early] = await Promise.all([
    // 440 Hz, silent over [1.5, 1.7).
    make('hole.m4a', ['-f', 'lavfi', '-i', "aevalsrc='0.5*sin(2*PI*440*t)*not(between(t\\,1.5\\,1.7))':s=48000:d=4", '-c:a', 'aac']),
    // The packets of [1.0, 1.2) never arrive: a hole in the timestamps, not in the samples.
    make('lost.m4a', ['-f', 'lavfi', '-i', "aevalsrc='0.5*sin(2*PI*440*t)':s=48000:d=4,aselect='not(between(t\\,1\\,1.2))'", '-c:a', 'aac']),
    flashBeep('late.mp4', 0.03),
    flashBeep('early.mp4', -0.05),
  ]);
}, 60_000);

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('audio presence', () => {
  it('finds a 200 ms hole in a tone and nothing else', async () => {
    // Up to the stream's end: ffmpeg 5 decodes the AAC encoder's end padding too (~10 ms of zeros).
    const p = await audioPresence(hole, { toSec: 4 });
    expect(p.durationSec).toBeCloseTo(4, 1);
    expect(p.gaps).toHaveLength(1);
    // AAC smears the cut by a window or two (its post-echo is above -50 dBFS).
    expectNear(p.gaps[0]!.startSec, 1.5, 0.025);
    expectNear(p.gaps[0]!.endSec, 1.7, 0.015);
    expectNear(p.longestGapMs, 200, 25);
    expect(p.presentRatio).toBeGreaterThan(0.94);
    expect(p.presentRatio).toBeLessThan(0.96);
  });

  it('counts packets missing from the stream as a gap at their place on the timeline', async () => {
    const p = await audioPresence(lost, { toSec: 4 });
    expect(p.durationSec).toBeCloseTo(4, 1);
    expect(p.gaps).toHaveLength(1);
    // aselect drops whole 1024-sample frames: the missing packets span about [1.003, 1.205).
    expectNear(p.gaps[0]!.startSec, 1.0, 0.025);
    expectNear(p.gaps[0]!.endSec, 1.2, 0.025);
  });

  it('analyses only the requested span', async () => {
    const before = await audioPresence(hole, { fromSec: 0.5, toSec: 1.4 });
    expect(before.durationSec).toBeCloseTo(0.9, 2);
    expect(before.presentRatio).toBe(1);
    expect(before.longestGapMs).toBe(0);
    const around = await audioPresence(hole, { fromSec: 1, toSec: 2 });
    expect(around.presentRatio).toBeCloseTo(0.8, 1);
  });

  it('silentSpans reports silences of at least minMs', async () => {
    const spans = await silentSpans(hole);
    expect(spans).toHaveLength(1);
    expectNear(spans[0]!.startSec, 1.5, 0.025);
    expectNear(spans[0]!.endSec, 1.7, 0.015);
    expect(await silentSpans(hole, { minMs: 300 })).toEqual([]);
  });

  it('an unreadable file or a missing ffmpeg is a transcode_failed error', async () => {
    for (const run of [() => audioPresence(join(dir, 'missing.mp4')), () => videoFlashOnsets(late, { ffmpegPath: join(dir, 'no-ffmpeg') })]) {
      const err = await run().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(MeetcapError);
      expect((err as MeetcapError).code).toBe('transcode_failed');
    }
  });
});

describe('onsets and A/V offset', () => {
  it('places beep onsets to within a few ms', async () => {
    const onsets = await audioOnsets(late);
    expect(onsets).toHaveLength(6);
    onsets.forEach((t, k) => expect(Math.abs(t - (k + 0.53))).toBeLessThan(0.003));
  });

  it('reads flash onsets from each frame pts of variable-frame-rate video', async () => {
    const onsets = await videoFlashOnsets(late);
    expect(onsets).toHaveLength(6);
    onsets.forEach((t, k) => expect(Math.abs(t - (k + 0.5))).toBeLessThan(0.001));
  });

  it('measures audio 30 ms late as +30 and 50 ms early as -50', async () => {
    for (const [file, skewMs] of [[late, 30], [early, -50]] as const) {
      const { pairs } = await avOffsets(file);
      expect(pairs).toHaveLength(6);
      for (const p of pairs) expect(Math.abs(p.offsetMs - skewMs)).toBeLessThan(4);
    }
  });

  it('pairs each flash with the nearest beep and leaves far ones unpaired', () => {
    const pairs = pairNearest([1, 2, 3], [0.9, 1.05, 2.5, 3.02], 100);
    expect(pairs.map((p) => [p.videoSec, p.audioSec])).toEqual([[1, 1.05], [3, 3.02]]);
    expect(pairs[0]!.offsetMs).toBeCloseTo(50, 6);
  });
});
