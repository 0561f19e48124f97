import { describe, expect, it } from 'vitest';
import { parseMeetingJob, type SessionOutcome } from '../../src/contracts/index.js';
import { continuationJob, rejoins } from '../../src/scheduler/processor.js';
import { partsBlock, type MeetingPart } from '../../src/session/parts.js';

const job = parseMeetingJob({
  meetingId: 'm-1',
  tenantId: 'acme',
  meetingUrl: 'https://meet.google.com/abc-defg-hij',
  scheduledStart: '2026-11-21T10:00:00Z',
  limits: { maxDurationSec: 3600 },
});

const part = (sessionId: string, startedAt: string, endedAt: string, durationSec: number): MeetingPart => ({
  sessionId, startedAt, endedAt, durationSec, partial: false, outputs: [],
});

describe('a meeting recorded in parts', () => {
  it('a first lease runs the job unchanged', () => {
    expect(continuationJob(job, [], Date.parse('2026-11-21T10:30:00Z'))).toBe(job);
  });

  it('a continuation keeps only what is left of the maximum, counted from the first lease', () => {
    const next = continuationJob(job, [{ sessionId: 'ses_a', leasedAt: '2026-11-21T10:00:00Z' }], Date.parse('2026-11-21T10:40:00Z'));
    expect(next?.limits.maxDurationSec).toBe(1200);
    expect(job.limits.maxDurationSec).toBe(3600);
  });

  it('nothing is rejoined when (almost) nothing is left of the maximum', () => {
    expect(continuationJob(job, [{ sessionId: 'ses_a', leasedAt: '2026-11-21T10:00:00Z' }], Date.parse('2026-11-21T10:59:55Z'))).toBeUndefined();
  });

  it('lists the parts in order with the gaps between them and the total', () => {
    const a = part('ses_a', '2026-11-21T10:00:05Z', '2026-11-21T10:10:00Z', 595);
    const b = part('ses_b', '2026-11-21T10:10:40Z', '2026-11-21T10:20:00Z', 560);
    const block = partsBlock([a, { sessionId: 'ses_x', missing: true }], b);
    expect(block.parts.map((p) => p.sessionId)).toEqual(['ses_a', 'ses_x', 'ses_b']);
    expect(block.gaps).toEqual([{ from: a.endedAt, to: b.startedAt, durationSec: 40 }]);
    expect(block.totalDurationSec).toBe(1155);
  });
});

describe('which endings the worker rejoins', () => {
  const ended = (reason: SessionOutcome['reason'], state: SessionOutcome['state'] = 'done'): SessionOutcome => ({ meetingId: 'm-1', sessionId: 's-1', state, reason });
  const admitted = { admitted: true };
  const neverIn = { admitted: false };
  it('a crash, whenever it happened', () => {
    expect(rejoins(ended('browser_crashed', 'failed'), neverIn)).toBe(true);
    expect(rejoins(ended('session_crashed'), admitted)).toBe(true);
  });
  it('a call lost after admission, but not a page that never connected', () => {
    expect(rejoins(ended('connection_failed'), admitted)).toBe(true);
    expect(rejoins(ended('connection_failed', 'failed'), neverIn)).toBe(false);
  });
  it('a part too short to keep on its own, by why it left the call', () => {
    expect(rejoins(ended('below_minimum_duration', 'discarded'), { admitted: true, leftFor: 'connection_failed' })).toBe(true);
    expect(rejoins(ended('below_minimum_duration', 'discarded'), { admitted: true, leftFor: 'browser_crashed' })).toBe(true);
    expect(rejoins(ended('below_minimum_duration', 'discarded'), { admitted: true, leftFor: 'meeting_ended' })).toBe(false);
    expect(rejoins(ended('below_minimum_duration', 'discarded'), admitted)).toBe(false);
  });
  it('never an ending the meeting or a person chose', () => {
    for (const reason of ['meeting_ended', 'removed_by_host', 'everyone_left', 'max_duration_reached', 'stopped_by_operator', 'denied_by_host'] as const) {
      expect(rejoins(ended(reason), admitted), reason).toBe(false);
      expect(rejoins(ended('below_minimum_duration', 'discarded'), { admitted: true, leftFor: reason }), reason).toBe(false);
    }
  });
});
