import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { setTimeout as meetingTime } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WorkerEventMap } from '../../src/fleet/context.js';
import { ffprobeFile } from '../../src/media/ffmpeg/probe.js';
import { descendants } from '../../src/scheduler/process-tree.js';
import { startHarness, type Harness } from '../helpers/harness.js';
import { schedule } from './scenarios.js';

/**
 * A session whose Chromium hangs (SIGSTOP, by pid): its health reports say the browser stopped
 * answering, the worker's stuck watchdog stops it with stuck_session_killed, the launcher kills it
 * (Chromium included) after the stop grace, and the recording up to the hang is kept.
 */
const UNRESPONSIVE_SEC = 5;
const GRACE_SEC = 2;
let h: Harness;
beforeAll(async () => {
  h = await startHarness({ env: { MEETCAP_BROWSER_UNRESPONSIVE_SEC: String(UNRESPONSIVE_SEC), MEETCAP_SESSION_STOP_GRACE_SEC: String(GRACE_SEC) } });
}, 60_000);
afterAll(async () => {
  await h?.close();
});

/** `comm` and state of a process, or undefined once it is gone. */
function proc(pid: number): { comm: string; state: string } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    return { comm, state: stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0]! };
  } catch {
    return undefined;
  }
}

async function until<T>(what: string, value: () => T | undefined, ms = 30_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = value();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('a session whose browser hangs', () => {
  it('is killed as stuck_session_killed and keeps a playable recording up to the hang', async () => {
    const { code, url } = h.sandbox.api.createMeeting({ platform: 'meet', autoAdmitAfterMs: 0 });
    await h.sandbox.api.addParticipant(code, { name: 'Alice Example', toneHz: 440, speaking: true });
    const healths: Array<WorkerEventMap['health']> = [];
    h.worker.events.on('health', (e) => healths.push(e));
    const { t, meetingId } = await schedule(h, url);
    const recording = await t.reached('recording');
    const session = [...h.worker.sessions.values()].find((s) => s.meetingId === meetingId)!;
    // The worker hears the session: media flowing, browser answering.
    const healthy = await until('a health report with media', () =>
      healths.find((e) => e.sessionId === session.sessionId && e.state === 'recording' && e.mediaBytes > 0 && e.browserRespondedAt),
    );
    expect(healthy.uploadBacklogBytes).toBeGreaterThanOrEqual(0);
    await meetingTime(6_000);

    const chromium = descendants(session.pid!).filter((pid) => /chrom/i.test(proc(pid)?.comm ?? ''));
    expect(chromium.length).toBeGreaterThan(0);
    const hungAt = Date.now();
    try {
      for (const pid of chromium) process.kill(pid, 'SIGSTOP');
      const outcome = await t.outcome;
      const killedAfterSec = (Date.now() - hungAt) / 1000;
      expect(outcome).toMatchObject({ state: 'done', reason: 'stuck_session_killed' });
      // Unanswered for the limit, seen at the next report (every 5 s), then the stop grace.
      expect(killedAfterSec).toBeLessThan(UNRESPONSIVE_SEC + 5 + GRACE_SEC + 10);
      const logged = h.workerLogLines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.rule === 'browser_unresponsive');
      expect(logged).toMatchObject({ level: 'error', sessionId: session.sessionId, reason: 'stuck_session_killed', state: 'recording' });
      // Chromium went with the session, although it lives in its own process group.
      await until('Chromium to be gone', () => (chromium.every((pid) => [undefined, 'Z'].includes(proc(pid)?.state)) ? true : undefined), 10_000);

      const prefix = `acme/${meetingId}/${outcome.sessionId}/`;
      expect(await h.objectKeys(`acme/${meetingId}/`)).toEqual([`${prefix}manifest.json`, `${prefix}recording.mp4`]);
      expect(await h.s3.pendingUploads()).toEqual([]);
      const manifest = JSON.parse(await readFile(await h.download(`${prefix}manifest.json`), 'utf8'));
      expect(manifest.recording).toMatchObject({ partial: true, partialReason: 'stuck_session_killed' });
      expect(manifest.outcome).toEqual({ state: 'done', reason: 'stuck_session_killed' });
      const probe = await ffprobeFile(await h.download(`${prefix}recording.mp4`));
      expect(probe.streams.map((s) => `${s.type}:${s.codec}`).sort()).toEqual(['audio:aac', 'video:h264']);
      // Up to the hang (fragments are at most 2 s), not beyond it.
      const recordedSec = (hungAt - Date.parse(recording.at)) / 1000;
      expect(probe.durationSec).toBeGreaterThan(recordedSec - 4);
      expect(probe.durationSec).toBeLessThanOrEqual(recordedSec + 1);
    } finally {
      for (const pid of chromium) {
        try {
          process.kill(pid, 'SIGCONT');
        } catch {
          // Already gone.
        }
      }
    }
  }, 120_000);
});
