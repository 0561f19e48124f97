import { setTimeout as meetingTime } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toneLevels } from '../helpers/audio.js';
import { startHarness, type Harness } from '../helpers/harness.js';
import { schedule } from './scenarios.js';

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
    const runs = await Promise.all(meetings.map((m) => schedule(h, m.url)));
    await Promise.all(runs.map((r) => r.t.reached('recording')));
    await meetingTime(6_000);
    for (const m of meetings) h.sandbox.api.end(m.code);
    const outcomes = await Promise.all(runs.map((r) => r.t.outcome));
    expect(outcomes.map((o) => `${o.state}:${o.reason}`)).toEqual(['done:meeting_ended', 'done:meeting_ended']);
    for (const [i, o] of outcomes.entries()) {
      const file = await h.download(o.recording!.objects[0]!.key);
      const own = (await toneLevels(file, tones[i]!, 250)).slice(4, -2);
      const other = (await toneLevels(file, tones[1 - i]!, 250)).slice(4, -2);
      expect(Math.min(...own)).toBeGreaterThan(-30);
      expect(Math.max(...other)).toBeLessThan(Math.min(...own) - 30);
    }
  }, 120_000);
});
