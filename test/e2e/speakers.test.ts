import { readFile } from 'node:fs/promises';
import { setTimeout as scenario } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Manifest } from '../../src/session/manifest.js';
import { startHarness, type Harness } from '../helpers/harness.js';
import { schedule } from './scenarios.js';

/**
 * Speaker timeline, talk time and attendee matching through the real worker, Chromium and S3
 * server, against the Meet sandbox. `scenario(ms)` is meeting time passing (people talking).
 */
let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

/** Sampling lags each change by up to one poll plus a probe; the brief allows 1.5 s. */
const SPAN_TOLERANCE_MS = 1_500;

describe('speakers in the manifest (Meet)', () => {
  it('times who spoke when, overlaps included, and names the external attendee who spoke longest', async () => {
    const { code, url } = h.sandbox.api.createMeeting({ autoAdmitAfterMs: 0 });
    const alice = await h.sandbox.api.addParticipant(code, { name: 'Alice Example', toneHz: 440 });
    const bob = await h.sandbox.api.addParticipant(code, { name: 'Bob Example', toneHz: 660 });
    const { t, meetingId } = await schedule(h, url, {
      internalDomains: ['acme.example'],
      attendees: [
        { name: 'alice example', email: 'alice@eu.acme.example' }, // internal (subdomain)
        { email: 'bob.example@client.example' }, // external, matched by the email's local part
        { name: 'Carol Absent', email: 'carol@client.example' },
      ],
    });
    await t.reached('recording');
    await h.sandbox.api.wait(code, { peersConnected: 2, timeoutMs: 30_000 });

    // Alice talks longest, but she is internal: Bob is the primary external speaker.
    const aliceOn = (await h.sandbox.api.speak(code, alice.id, true)).at;
    await scenario(4_000);
    const bobOn = (await h.sandbox.api.speak(code, bob.id, true)).at;
    await scenario(2_000);
    const aliceOff = (await h.sandbox.api.speak(code, alice.id, false)).at;
    await scenario(2_000);
    const bobOff = (await h.sandbox.api.speak(code, bob.id, false)).at;
    await scenario(1_500);
    h.sandbox.api.end(code);

    const outcome = await t.outcome;
    expect(outcome).toMatchObject({ state: 'done', reason: 'meeting_ended' });
    const key = `acme/${meetingId}/${outcome.sessionId}/manifest.json`;
    const manifest = JSON.parse(await readFile(await h.download(key), 'utf8')) as Manifest;
    const speakers = manifest.speakers!;

    expect(speakers.timeline.map((s) => s.participant)).toEqual(['Alice Example', 'Bob Example']);
    const [a, b] = speakers.timeline;
    const off = (iso: string, ms: number): number => Math.abs(Date.parse(iso) - ms);
    expect(off(a!.start, aliceOn)).toBeLessThanOrEqual(SPAN_TOLERANCE_MS);
    expect(off(a!.end, aliceOff)).toBeLessThanOrEqual(SPAN_TOLERANCE_MS);
    expect(off(b!.start, bobOn)).toBeLessThanOrEqual(SPAN_TOLERANCE_MS);
    expect(off(b!.end, bobOff)).toBeLessThanOrEqual(SPAN_TOLERANCE_MS);
    expect(Math.abs(speakers.talkTimeSec['Alice Example']! - (aliceOff - aliceOn) / 1000)).toBeLessThanOrEqual(2);
    expect(Math.abs(speakers.talkTimeSec['Bob Example']! - (bobOff - bobOn) / 1000)).toBeLessThanOrEqual(2);

    expect(speakers.matches).toEqual([
      { name: 'Alice Example', attendee: { name: 'alice example', email: 'alice@eu.acme.example' }, external: false },
      { name: 'Bob Example', attendee: { email: 'bob.example@client.example' }, external: true },
    ]);
    expect(speakers.primaryExternalAttendee).toEqual({ email: 'bob.example@client.example', talkTimeSec: speakers.talkTimeSec['Bob Example'] });

    // Presence: both were in the call throughout, each one stay still open when the bot left.
    for (const p of manifest.participants) expect(p.intervals).toEqual([{ joinedAt: p.firstSeen, leftAt: null }]);
  });
});
