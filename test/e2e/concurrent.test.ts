import { readFile } from 'node:fs/promises';
import { setTimeout as meetingTime } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toneLevels } from '../helpers/audio.js';
import { startHarness, type Harness } from '../helpers/harness.js';
import { schedule } from './scenarios.js';

const WINDOW_MS = 250;

/**
 * One worker, two meetings at the same moment (a worker has several slots): both bots join and
 * record, and each recording holds its own meeting's speaker and not the other's.
 */
let h: Harness;
beforeAll(async () => {
  h = await startHarness({ env: { MEETCAP_SLOTS: '2' } });
}, 60_000);
afterAll(async () => {
  await h?.close();
});

describe('two meetings at once on one worker', () => {
  it('both bots join and record, each only its own meeting', async () => {
    const tones = [440, 660];
    const meetings = tones.map(() => h.sandbox.api.createMeeting({ platform: 'meet', autoAdmitAfterMs: 0 }));
    for (const [i, m] of meetings.entries()) await h.sandbox.api.addParticipant(m.code, { name: `Speaker ${i + 1}`, toneHz: tones[i]!, speaking: true });
    // Audio-only: the sound is what tells the meetings apart, and two 720p bots would take both cores.
    const runs = await Promise.all(meetings.map((m) => schedule(h, m.url, { recording: 'audio_only' })));
    await Promise.all(runs.map((r) => r.t.reached('recording')));
    // Each speaker is heard from the moment its connection to the bot is up, not before.
    await Promise.all(meetings.map((m) => h.sandbox.api.wait(m.code, { peersConnected: 1, timeoutMs: 30_000 })));
    const flowing = Date.now();
    await meetingTime(6_000);
    for (const m of meetings) h.sandbox.api.end(m.code);
    const outcomes = await Promise.all(runs.map((r) => r.t.outcome));
    expect(outcomes.map((o) => `${o.state}:${o.reason}`)).toEqual(['done:meeting_ended', 'done:meeting_ended']);
    for (const [i, o] of outcomes.entries()) {
      const prefix = o.recording!.objects[0]!.key.replace(/[^/]+$/, '');
      const manifest = JSON.parse(await readFile(await h.download(`${prefix}manifest.json`), 'utf8'));
      const from = Math.ceil((flowing - Date.parse(manifest.recording.startedAt) + 500) / WINDOW_MS);
      const file = await h.download(o.recording!.objects[0]!.key);
      const own = (await toneLevels(file, tones[i]!, WINDOW_MS)).slice(from, -2);
      const other = (await toneLevels(file, tones[1 - i]!, WINDOW_MS)).slice(from, -2);
      expect(own.length).toBeGreaterThan(15);
      // Two bots on two cores may lose a few milliseconds of tab audio (docs/benchmarks.md,
      // "Concurrent bots"); what this test guards is that each file is its own meeting: the
      // own tone in nearly every window, the other meeting's tone in none: it would read about
      // -6 dB; a click from a lost stretch spreads to about -46 dB across the band.
      expect(own.filter((db) => db > -30).length / own.length, own.join(' ')).toBeGreaterThanOrEqual(0.9);
      expect(Math.max(...other), other.join(' ')).toBeLessThan(-30);
    }
  }, 120_000);
});
