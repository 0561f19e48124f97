import { readFileSync } from 'node:fs';
import type { MeetcapError } from '../../src/contracts/index.js';
import { describe, expect, it } from 'vitest';
import { REASONS, REASON_CODES, canTransition, meetingJobJsonSchema, fileJobJsonSchema, parseMeetingJob } from '../../src/contracts/index.js';

const valid = { meetingId: 'crm-42', tenantId: 'acme', meetingUrl: 'https://meet.google.com/abc-defg-hij', scheduledStart: '2026-11-21T10:00:00Z' };

function fieldsOf(input: unknown): string[] {
  try {
    parseMeetingJob(input);
  } catch (err) {
    const e = err as MeetcapError;
    expect(e.code).toBe('invalid_job');
    return (e.details.fields as Array<{ field: string }>).map((f) => f.field).sort();
  }
  throw new Error('accepted');
}

describe('MeetingJob', () => {
  it('fills defaults: 120 s minimum, 10 h maximum, default profile, mode left to the profile, record on join', () => {
    const job = parseMeetingJob(valid);
    expect(job.limits).toMatchObject({ minDurationSec: 120, maxDurationSec: 36_000 });
    expect(job).toMatchObject({ botProfile: 'default', source: 'bot', joinOffsetSec: 60, dialer: false });
    expect(job.recording).toBeUndefined();
    expect(job.recordingStart).toEqual({ onCommand: false });
  });

  it('gives dialer calls a 2 h maximum unless they ask for less, and refuses more', () => {
    expect(parseMeetingJob({ ...valid, dialer: true }).limits.maxDurationSec).toBe(7_200);
    expect(parseMeetingJob({ ...valid, dialer: true, limits: { maxDurationSec: 3_600 } }).limits.maxDurationSec).toBe(3_600);
    expect(fieldsOf({ ...valid, dialer: true, limits: { maxDurationSec: 9_000 } })).toEqual(['limits.maxDurationSec']);
  });

  it('normalises internal domains and refuses things that are not domains', () => {
    expect(parseMeetingJob({ ...valid, internalDomains: [' Acme.COM ', 'eu.acme.io'] }).internalDomains).toEqual(['acme.com', 'eu.acme.io']);
    expect(fieldsOf({ ...valid, internalDomains: ['@acme.com'] })).toEqual(['internalDomains.0']);
    expect(fieldsOf({ ...valid, recordingStart: { delaySec: 0 } })).toEqual(['recordingStart.delaySec']);
  });

  it('names every bad field, including unknown ones', () => {
    expect(
      fieldsOf({ ...valid, meetingId: '', scheduledStart: 'tomorrow', recording: 'video', limits: { maxDurationSec: 40_000 }, colour: 'red' }),
    ).toEqual(['colour', 'limits.maxDurationSec', 'meetingId', 'recording', 'scheduledStart']);
  });

  it('refuses inconsistent limits and times', () => {
    expect(fieldsOf({ ...valid, limits: { minDurationSec: 600, maxDurationSec: 300 } })).toEqual(['limits.minDurationSec']);
    expect(fieldsOf({ ...valid, scheduledEnd: '2026-11-21T09:00:00Z' })).toEqual(['scheduledEnd']);
  });

  it('publishes a JSON Schema that matches the committed file', () => {
    const committed = JSON.parse(readFileSync(new URL('../../docs/meeting-job.schema.json', import.meta.url), 'utf8'));
    expect(committed).toEqual(meetingJobJsonSchema());
    const fileJobs = JSON.parse(readFileSync(new URL('../../docs/file-job.schema.json', import.meta.url), 'utf8'));
    expect(fileJobs).toEqual(fileJobJsonSchema());
  });
});

describe('error catalogue', () => {
  it('documents every reason code in docs/errors.md', () => {
    const doc = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8');
    const missing = REASON_CODES.filter((code) => !doc.includes(`\`${code}\``));
    expect(missing).toEqual([]);
    for (const code of REASON_CODES) expect(['meeting', 'configuration', 'platform', 'us']).toContain(REASONS[code].fault);
  });

  it('allows only forward moves through the session states', () => {
    expect(canTransition('waiting_room', 'in_call')).toBe(true);
    expect(canTransition('recording', 'paused')).toBe(true);
    expect(canTransition('joining', 'recording')).toBe(false); // never record without being in the call
    expect(canTransition('done', 'recording')).toBe(false);
  });
});
