import { runCli, type CliResult } from '../helpers/cli.js';
import { setTimeout as scenario } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { controlChannel } from '../../src/control/channel.js';
import { startControlListener } from '../../src/control/listener.js';
import { MeetcapError } from '../../src/contracts/index.js';
import { createOps } from '../../src/ops/api.js';
import { startHarness, TEST_CONTROL_SECRET, type Harness, type Tracked } from '../helpers/harness.js';
import { schedule } from './scenarios.js';

/**
 * Recording control from an operator to a live session and back: signed envelope on Redis, the
 * real worker routing it to its session process over IPC, the reply list. Real Redis, worker,
 * Chromium and the Meet sandbox.
 */

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

/** Resolves at the next `state` event of the meeting; registered before the command that causes it. */
function nextState(meetingId: string, state: string): Promise<void> {
  return new Promise((resolve) => {
    const on = (s: { meetingId: string; state: string }): void => {
      if (s.meetingId !== meetingId || s.state !== state) return;
      h.worker.events.off('state', on);
      resolve();
    };
    h.worker.events.on('state', on);
  });
}

async function refusal(p: Promise<unknown>): Promise<MeetcapError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(MeetcapError);
  return err as MeetcapError;
}

/** Runs the real CLI against the harness's Redis prefix. */
function cli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  return runCli(args, { ...process.env, MEETCAP_QUEUE_PREFIX: h.config.queuePrefix, MEETCAP_CONTROL_SECRET: TEST_CONTROL_SECRET, ...env });
}

describe('recording control without a live meeting', () => {
  it('a meeting no worker runs: meeting_not_live once the reply wait is over', async () => {
    const ops = createOps(h.config, { controlReplyTimeoutMs: 1_000 });
    try {
      const err = await refusal(ops.pause('never-scheduled-42'));
      expect(err.code).toBe('meeting_not_live');
    } finally {
      await ops.close();
    }
  });

  it('a sender without the secret is refused before anything goes on the channel', async () => {
    const { controlSecret: _dropped, ...withoutSecret } = h.config;
    const ops = createOps(withoutSecret);
    const sub = new Redis(h.config.redisUrl);
    try {
      const seen: string[] = [];
      sub.on('message', (_ch: string, m: string) => seen.push(m));
      await sub.subscribe(controlChannel(h.config.queuePrefix));
      const err = await refusal(ops.resume('any-meeting'));
      expect(err.code).toBe('control_unauthorized');
      // Channel messages arrive in order: once our marker is here, a published command would be too.
      const marker = new Promise<void>((resolve) => sub.on('message', (_c: string, m: string) => m === 'marker' && resolve()));
      const pub = new Redis(h.config.redisUrl);
      await pub.publish(controlChannel(h.config.queuePrefix), 'marker');
      await pub.quit();
      await marker;
      expect(seen).toEqual(['marker']);
    } finally {
      await sub.quit();
      await ops.close();
    }
  });

  it('the CLI prints the typed error and exits 2', async () => {
    const r = await cli(['pause', 'never-scheduled-43', '--timeout-ms', '1000']);
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stderr)).toMatchObject({ error: { code: 'meeting_not_live' } });
    expect(r.stdout).toBe('');
  });
});

describe("the worker's end of the channel", () => {
  it('a session slower than the reply wait is still answered: the worker claims the command first', async () => {
    const redis = new Redis(h.config.redisUrl);
    // Stand-in for a session that takes its time (starting capture on a busy box); a real one
    // cannot be made slow on demand. Its answer comes well after the sender's 300 ms claim wait.
    const slow = {
      meetingId: 'slow-meeting-1',
      control: () => scenario(1_000).then(() => ({ ok: true as const, state: 'recording' as const })),
    };
    const listener = await startControlListener({
      redis, queuePrefix: h.config.queuePrefix, secret: TEST_CONTROL_SECRET, log: pino({ level: 'silent' }), sessions: () => [slow],
    });
    const ops = createOps(h.config, { controlReplyTimeoutMs: 300 });
    try {
      expect(await ops.startRecording('slow-meeting-1')).toEqual({ meetingId: 'slow-meeting-1', command: 'start_recording', state: 'recording' });
    } finally {
      await ops.close();
      await listener.close();
      await redis.quit();
    }
  });
});

describe('recording control of a live Meet meeting', () => {
  let code: string;
  let meetingId: string;
  let t: Tracked;
  beforeAll(async () => {
    const m = h.sandbox.api.createMeeting({ autoAdmitAfterMs: 0 });
    code = m.code;
    await h.sandbox.api.addParticipant(code, { name: 'Alice Example', toneHz: 440, speaking: true });
    ({ t, meetingId } = await schedule(h, m.url));
    await t.reached('recording');
  });
  afterAll(async () => {
    if (!code) return;
    h.sandbox.api.end(code);
    await t?.outcome;
  });

  it('a command signed with another secret: control_unauthorized, logged by the worker without the signature', async () => {
    const ops = createOps({ ...h.config, controlSecret: 'not-the-fleet-secret-0000' });
    try {
      const err = await refusal(ops.pause(meetingId));
      expect(err.code).toBe('control_unauthorized');
      expect(err.details).toEqual({ why: 'bad_signature' });
    } finally {
      await ops.close();
    }
    const refused = h.workerLogLines.map((l) => JSON.parse(l)).filter((l) => l.msg === 'control command refused');
    expect(refused).toEqual([expect.objectContaining({ level: 'warn', meetingId, command: 'pause', why: 'bad_signature' })]);
    const log = h.workerLogLines.join('\n');
    expect(log).not.toMatch(/[0-9a-f]{64}/); // no signature (ours or the expected one)
    expect(log).not.toContain('not-the-fleet-secret');
    expect(log).not.toContain(TEST_CONTROL_SECRET);
    expect(t.states.map((s) => s.state)).not.toContain('paused');
  });

  // Needs the session side (src/session): until it lands the session answers control_refused.
  it('pause: the session answers paused and emits a paused state event', async () => {
    const paused = nextState(meetingId, 'paused');
    expect(await h.ops.pause(meetingId)).toEqual({ meetingId, command: 'pause', state: 'paused' });
    await paused;
  });

  it('resume: back to recording', async () => {
    const recording = nextState(meetingId, 'recording');
    expect(await h.ops.resume(meetingId)).toEqual({ meetingId, command: 'resume', state: 'recording' });
    await recording;
  });

  it('meetcap pause <meetingId> from the shell', async () => {
    const paused = nextState(meetingId, 'paused');
    const r = await cli(['pause', meetingId]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ meetingId, command: 'pause', state: 'paused' });
    await paused;
  });
});
