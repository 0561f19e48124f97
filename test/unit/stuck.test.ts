import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { FileJobSchema, MeetingJobSchema, type AnyJob, type MeetingJobInput, type SessionHealth, type SessionState } from '../../src/contracts/index.js';
import type { FleetContext } from '../../src/fleet/context.js';
import { attachStuckWatchdog, FINALIZE_ALLOWANCE_SEC, StuckWatchdog } from '../../src/fleet/stuck.js';
import { createRootLogger } from '../../src/observability/logger.js';
import { FakeClock } from '../helpers/fake-clock.js';

const LIMITS = { stuckAfterSec: 300, browserUnresponsiveSec: 60 };
const SEC = 1000;

function meetingJob(extra: Partial<MeetingJobInput> = {}): AnyJob {
  return MeetingJobSchema.parse({
    meetingId: 'm-1',
    tenantId: 'acme',
    meetingUrl: 'https://meet.google.com/abc-defg-hij',
    scheduledStart: '2026-11-21T10:00:00Z',
    ...extra,
  });
}

/** A watchdog with one session, driven by hand: reports carry the fake clock's time. */
/** `null`: a session whose job the watchdog could not read. */
function setup(job: AnyJob | null = meetingJob()) {
  const hasBrowser = job !== null && job.source !== 'file';
  const clock = new FakeClock();
  const dog = new StuckWatchdog(() => clock.now(), LIMITS);
  dog.track('s1', 'm-1', job ?? undefined);
  let mediaBytes = 0;
  let backlog = 0;
  let respondedAt = clock.now();
  let state: SessionState = 'launching';
  const report = (over: Partial<SessionHealth> = {}): void => {
    const at = new Date(clock.now()).toISOString();
    const browser = hasBrowser ? { browserRespondedAt: new Date(respondedAt).toISOString() } : {};
    dog.health('s1', { at, state, mediaBytes, uploadBacklogBytes: backlog, ...browser, ...over });
  };
  return {
    clock,
    dog,
    report,
    to(s: SessionState) {
      state = s;
      dog.state('s1', s);
    },
    grow(bytes: number) {
      mediaBytes += bytes;
    },
    setBacklog(bytes: number) {
      backlog = bytes;
    },
    browserAnswers() {
      respondedAt = clock.now();
    },
    /** Advances in 5 s health intervals (reports included, browser answering unless told). */
    run(ms: number, opts: { grow?: number; browser?: boolean } = {}) {
      for (let t = 0; t < ms; t += 5 * SEC) {
        clock.advance(Math.min(5 * SEC, ms - t));
        if (opts.grow) mediaBytes += opts.grow;
        if (opts.browser !== false) respondedAt = clock.now();
        report();
      }
    },
  };
}

describe('stuck watchdog', () => {
  it('(a) no health report for stuckAfterSec, counted from the start until the first report', () => {
    const s = setup();
    s.clock.advance(300 * SEC - 1);
    expect(s.dog.check()).toEqual([]);
    s.clock.advance(1);
    expect(s.dog.check()).toMatchObject([{ sessionId: 's1', meetingId: 'm-1', rule: 'no_health', state: 'launching', limitSec: 300 }]);
  });

  it('(a) after reports stop, even in a state with a long allowance', () => {
    const s = setup();
    s.to('waiting_room');
    s.report();
    s.clock.advance(299 * SEC);
    expect(s.dog.check()).toEqual([]);
    s.clock.advance(SEC);
    expect(s.dog.check()).toMatchObject([{ rule: 'no_health', state: 'waiting_room', forSec: 300 }]);
  });

  it('(b) a browser that has not answered for browserUnresponsiveSec, as the session measured it', () => {
    const s = setup();
    s.to('recording');
    s.run(60 * SEC, { grow: 1000 });
    s.run(55 * SEC, { grow: 1000, browser: false });
    expect(s.dog.check()).toEqual([]);
    s.run(5 * SEC, { grow: 1000, browser: false });
    expect(s.dog.check()).toMatchObject([{ rule: 'browser_unresponsive', limitSec: 60, forSec: 60, state: 'recording' }]);
  });

  it('(b) a browser that answers again in time is not stuck', () => {
    const s = setup();
    s.to('recording');
    s.run(55 * SEC, { grow: 1000, browser: false });
    s.browserAnswers();
    s.run(55 * SEC, { grow: 1000, browser: false });
    expect(s.dog.check()).toEqual([]);
  });

  it('(c) recording with no new media for stuckAfterSec', () => {
    const s = setup();
    s.to('recording');
    s.run(100 * SEC, { grow: 50_000 });
    s.run(295 * SEC);
    expect(s.dog.check()).toEqual([]);
    s.run(5 * SEC);
    expect(s.dog.check()).toMatchObject([{ rule: 'no_progress', state: 'recording', limitSec: 300, mediaBytes: 20 * 50_000 }]);
  });

  it('(c) paused recordings are not exempt (silence and black frames still grow the media)', () => {
    const s = setup();
    s.to('recording');
    s.run(10 * SEC, { grow: 1000 });
    s.to('paused');
    s.run(600 * SEC, { grow: 1000 });
    expect(s.dog.check()).toEqual([]);
    s.run(300 * SEC);
    expect(s.dog.check()).toMatchObject([{ rule: 'no_progress', state: 'paused' }]);
  });

  it('(c) a state change is progress; launching gets no allowance', () => {
    const s = setup();
    s.run(290 * SEC);
    s.to('joining');
    s.run(290 * SEC);
    expect(s.dog.check()).toEqual([]);
    const t = setup();
    t.run(300 * SEC);
    expect(t.dog.check()).toMatchObject([{ rule: 'no_progress', state: 'launching', limitSec: 300 }]);
  });

  it('exempts joining up to joinTimeoutSec + notStartedTimeoutSec (waiting for the host)', () => {
    const s = setup(meetingJob({ limits: { joinTimeoutSec: 120, notStartedTimeoutSec: 900 } }));
    s.to('joining');
    s.run((300 + 1020) * SEC - 5 * SEC);
    expect(s.dog.check()).toEqual([]);
    s.run(5 * SEC);
    expect(s.dog.check()).toMatchObject([{ rule: 'no_progress', state: 'joining', limitSec: 1320 }]);
  });

  it('exempts the waiting room up to waitingRoomTimeoutSec', () => {
    const s = setup(meetingJob({ limits: { waitingRoomTimeoutSec: 1800 } }));
    s.to('waiting_room');
    s.run(2095 * SEC);
    expect(s.dog.check()).toEqual([]);
    s.run(5 * SEC);
    expect(s.dog.check()).toMatchObject([{ rule: 'no_progress', state: 'waiting_room', limitSec: 2100 }]);
  });

  it('in the call before a delayed start: the delay; on command only: the maximum duration; immediate: nothing', () => {
    const delayed = setup(meetingJob({ recordingStart: { delaySec: 600, onCommand: true } }));
    delayed.to('in_call');
    delayed.run(895 * SEC);
    expect(delayed.dog.check()).toEqual([]);
    delayed.run(5 * SEC);
    expect(delayed.dog.check()).toMatchObject([{ rule: 'no_progress', state: 'in_call', limitSec: 900 }]);

    const onCommand = setup(meetingJob({ recordingStart: { onCommand: true }, limits: { maxDurationSec: 3600 } }));
    onCommand.to('in_call');
    onCommand.run(3895 * SEC);
    expect(onCommand.dog.check()).toEqual([]);
    onCommand.run(5 * SEC);
    expect(onCommand.dog.check()).toMatchObject([{ rule: 'no_progress', limitSec: 3900 }]);

    const immediate = setup();
    immediate.to('in_call');
    immediate.run(300 * SEC);
    expect(immediate.dog.check()).toMatchObject([{ rule: 'no_progress', limitSec: 300 }]);
  });

  it('finalizing: the upload catching up is progress, and the session gets its own bound', () => {
    const s = setup();
    s.to('finalizing');
    s.setBacklog(50_000_000);
    s.run(5 * SEC);
    for (let i = 0; i < 100; i++) {
      s.setBacklog(50_000_000 - i * 100_000);
      s.run(10 * SEC);
    }
    expect(s.dog.check()).toEqual([]);
    s.run((300 + FINALIZE_ALLOWANCE_SEC) * SEC);
    expect(s.dog.check()).toMatchObject([{ rule: 'no_progress', state: 'finalizing' }]);
  });

  it('file jobs (and sessions whose job is unknown) are judged by their health reports only', () => {
    const file = FileJobSchema.parse({ meetingId: 'f-1', tenantId: 'acme', source: 'file', file: { key: 'uploads/call.mp4' } });
    for (const job of [file, null]) {
      const s = setup(job);
      s.to('finalizing');
      s.run(3600 * SEC);
      expect(s.dog.check()).toEqual([]);
      s.clock.advance(300 * SEC);
      expect(s.dog.check()).toMatchObject([{ rule: 'no_health' }]);
    }
  });

  it('reports a session once, ignores ended and finished sessions', () => {
    const s = setup();
    s.to('recording');
    s.run(300 * SEC);
    expect(s.dog.check()).toHaveLength(1);
    s.run(300 * SEC);
    expect(s.dog.check()).toEqual([]);

    const done = setup();
    done.to('done');
    done.clock.advance(3600 * SEC);
    expect(done.dog.check()).toEqual([]);

    const gone = setup();
    gone.dog.forget('s1');
    gone.clock.advance(3600 * SEC);
    expect(gone.dog.check()).toEqual([]);
  });
});

describe('attachStuckWatchdog', () => {
  it('stops a stuck session with stuck_session_killed and logs the evidence at error', async () => {
    const clock = new FakeClock();
    const events = new EventEmitter() as unknown as FleetContext['events'];
    const stops: string[] = [];
    const session = { sessionId: 's1', meetingId: 'm-1', job: meetingJob(), stop: (reason: string) => stops.push(reason) };
    const lines: string[] = [];
    const ctx = {
      config: { fleet: LIMITS },
      log: createRootLogger({ destination: { write: (l: string) => void lines.push(l) } }),
      events,
      sessions: new Map([['s1', session]]),
      now: () => clock.now(),
    } as unknown as FleetContext;
    const attached = await attachStuckWatchdog(ctx);
    try {
      events.emit('session_started', { sessionId: 's1', meetingId: 'm-1', tenantId: 'acme', source: 'meeting', jobId: 'j', dueAt: '', leasedAt: '' });
      events.emit('state', { sessionId: 's1', meetingId: 'm-1', state: 'recording', at: new Date(clock.now()).toISOString() });
      const at = new Date(clock.now()).toISOString();
      events.emit('health', { sessionId: 's1', meetingId: 'm-1', at, state: 'recording', mediaBytes: 10, uploadBacklogBytes: 0, browserRespondedAt: new Date(clock.now() - 61 * SEC).toISOString() });
      const deadline = Date.now() + 5_000;
      while (stops.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(stops).toEqual(['stuck_session_killed']);
      const logged = lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.rule === 'browser_unresponsive');
      expect(logged).toMatchObject({ level: 'error', sessionId: 's1', meetingId: 'm-1', reason: 'stuck_session_killed', state: 'recording', forSec: 61, limitSec: 60 });
    } finally {
      await attached.close();
      await attached.close();
    }
  });
});
