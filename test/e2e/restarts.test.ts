import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { setTimeout as meetingTime } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SessionOutcome } from '../../src/contracts/index.js';
import { ffprobeFile } from '../../src/media/ffmpeg/probe.js';
import { descendants } from '../../src/scheduler/process-tree.js';
import { expectToneHeard } from '../helpers/audio.js';
import { startHarness, type Harness } from '../helpers/harness.js';

/**
 * A session whose Chromium crashes (SIGKILL to the browser's main process, by pid): the session
 * keeps what it recorded, the worker starts a fresh session that rejoins the meeting, and the last
 * manifest lists both parts.
 */
let h: Harness;
beforeAll(async () => {
  h = await startHarness();
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

describe('Chromium crashing mid-meeting', () => {
  it('is restarted: a new session rejoins and the meeting is kept in two parts', async () => {
    const { code, url } = h.sandbox.api.createMeeting({ platform: 'meet', autoAdmitAfterMs: 0 });
    await h.sandbox.api.addParticipant(code, { name: 'Alice Example', toneHz: 440, speaking: true });
    const job = h.job(url, { limits: { minDurationSec: 1, maxDurationSec: 600 } });
    const outcomes = outcomesOf(job.meetingId);
    const firstRecording = recordingOf(job.meetingId);
    await h.ops.schedule(job);
    const rec1 = await firstRecording;
    const secondRecording = recordingOf(job.meetingId, rec1.sessionId);
    await h.sandbox.api.wait(code, { peersConnected: 1, timeoutMs: 30_000 });
    const flowing = new Map([[rec1.sessionId, Date.now()]]);
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
});
