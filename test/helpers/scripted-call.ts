import pino from 'pino';
import type { Page } from 'puppeteer-core';
import { parseMeetingJob, type MeetingJob } from '../../src/contracts/index.js';
import type { PageProbe, PlatformAdapter } from '../../src/platforms/platform.js';
import { callPresence, type CallContext } from '../../src/session/monitor.js';
import { ParticipantTracker } from '../../src/session/participants.js';
import type { FakeClock } from './fake-clock.js';

/**
 * A page that is always there, and an adapter that shows the probes it is given, one per poll;
 * `joins` holds when its join was called (a join that asks at once and leaves the rest to the probes).
 */
export function scriptedCall(clock: FakeClock, script: Array<[Partial<PageProbe>, number]>, aloneTimeoutSec = 3_600): { ctx: CallContext; job: MeetingJob; joins: number[] } {
  const job = parseMeetingJob({ meetingId: 'm-presence', tenantId: 'acme', meetingUrl: 'https://meet.google.com/abc-defg-hij', scheduledStart: '2026-11-21T10:00:00Z', limits: { aloneTimeoutSec } });
  let i = 0;
  const joins: number[] = [];
  const adapter = {
    probe: async (): Promise<PageProbe> => {
      const [probe, advanceMs] = script[Math.min(i++, script.length - 1)]!;
      clock.advance(advanceMs);
      return { phase: 'in_call', participants: [{ id: 'a', name: 'Ann', speaking: false, self: false }], ...probe };
    },
    tidy: async () => undefined,
    join: async () => void joins.push(clock.now()),
  } as unknown as PlatformAdapter;
  const page = { isClosed: () => false, browser: () => ({ connected: true }) } as unknown as Page;
  const ctx: CallContext = {
    page, adapter, job, clock, log: pino({ level: 'silent' }), stop: new AbortController().signal, blocked: () => null,
    participants: new ParticipantTracker(clock, () => undefined), presence: callPresence(clock, job), botName: 'Recorder',
  };
  return { ctx, job, joins };
}
