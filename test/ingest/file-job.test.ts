import { describe, expect, it } from 'vitest';
import { parseAnyJob, parseFileJob, type MeetcapError } from '../../src/contracts/index.js';

const valid = { meetingId: 'call-7', tenantId: 'acme', source: 'file', file: { key: 'uploads/call-7.wav' } };

function fieldsOf(input: unknown): string[] {
  try {
    parseFileJob(input);
  } catch (err) {
    const e = err as MeetcapError;
    expect(e.code).toBe('invalid_job');
    return [...new Set((e.details.fields as Array<{ field: string }>).map((f) => f.field))].sort();
  }
  throw new Error('accepted');
}

describe('FileJob', () => {
  it('fills the same defaults as a meeting: 120 s minimum, 10 h maximum, default profile, mode left to the profile', () => {
    const job = parseFileJob(valid);
    expect(job.limits).toMatchObject({ minDurationSec: 120, maxDurationSec: 36_000 });
    expect(job).toMatchObject({ source: 'file', dialer: false, botProfile: 'default', attendees: [], output: {} });
    expect(job.recording).toBeUndefined();
  });

  it('takes exactly one of key or url', () => {
    expect(parseFileJob({ ...valid, file: { url: 'https://files.example.com/recordings/a.mp4?X-Amz-Signature=s' } }).file.url).toContain('a.mp4');
    expect(fieldsOf({ ...valid, file: {} })).toEqual(['file']);
    expect(fieldsOf({ ...valid, file: { key: 'a.mp4', url: 'https://files.example.com/a.mp4' } })).toEqual(['file']);
  });

  it('refuses keys that escape or confuse the bucket layout, and non-http URLs', () => {
    for (const key of ['/etc/passwd', '../x.mp4', 'a//b.mp4', 'a/./b', 'a\\b', 'a\u0000b', '']) {
      expect(fieldsOf({ ...valid, file: { key } }), key).toEqual(['file.key']);
    }
    for (const url of ['file:///etc/passwd', 'ftp://files.example.com/a.mp4', 'not a url']) {
      expect(fieldsOf({ ...valid, file: { url } }), url).toEqual(['file.url']);
    }
  });

  it('gives dialer calls a 2 h maximum unless they ask for less, and refuses more', () => {
    expect(parseFileJob({ ...valid, dialer: true }).limits.maxDurationSec).toBe(7_200);
    expect(parseFileJob({ ...valid, dialer: true, limits: { minDurationSec: 60, maxDurationSec: 3_600 } }).limits).toMatchObject({
      minDurationSec: 60,
      maxDurationSec: 3_600,
    });
    expect(fieldsOf({ ...valid, dialer: true, limits: { maxDurationSec: 9_000 } })).toEqual(['limits.maxDurationSec']);
  });

  it('names unknown fields, including meeting-only ones, and requires source "file"', () => {
    expect(fieldsOf({ ...valid, meetingUrl: 'https://meet.google.com/abc-defg-hij', passcode: '1' })).toEqual(['meetingUrl', 'passcode']);
    expect(fieldsOf({ ...valid, source: undefined })).toEqual(['source']);
    expect(fieldsOf({ ...valid, meetingId: 'a b', tenantId: '../x' })).toEqual(['meetingId', 'tenantId']);
  });

  it('parseAnyJob sends source "file" to the file schema and everything else to the meeting schema', () => {
    expect(parseAnyJob(valid).source).toBe('file');
    const meeting = { meetingId: 'm', tenantId: 'acme', meetingUrl: 'https://meet.google.com/abc-defg-hij', scheduledStart: '2026-11-21T10:00:00Z' };
    expect(parseAnyJob(meeting).source).toBe('bot');
    expect(parseAnyJob({ ...meeting, source: 'bot' }).source).toBe('bot');
    // A meeting job carrying a file source is still checked as a meeting: the file field is unknown there.
    expect(() => parseAnyJob({ ...meeting, file: { key: 'a' } })).toThrow(/file: unknown field/);
  });
});
