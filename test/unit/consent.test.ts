import type { Page } from 'puppeteer-core';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { parseMeetingJob } from '../../src/contracts/index.js';
import type { PlatformAdapter } from '../../src/platforms/platform.js';
import { ConsentNotice } from '../../src/session/consent.js';
import { FakeClock } from '../helpers/fake-clock.js';

const log = pino({ level: 'silent' });
const page = {} as Page;
const job = (consent: object) =>
  parseMeetingJob({ meetingId: 'm-consent', tenantId: 'acme', meetingUrl: 'https://meet.google.com/abc-defg-hij', scheduledStart: '2026-11-21T10:00:00Z', consent });
/** An adapter whose chat takes the message on the `okOn`-th try (never when 0), recording what it was given. */
function chatty(okOn: number): { adapter: PlatformAdapter; sent: string[] } {
  const sent: string[] = [];
  const adapter = { id: 'meet', postChat: async (_p: Page, text: string) => (sent.push(text), sent.length === okOn) } as unknown as PlatformAdapter;
  return { adapter, sent };
}

describe('the recording notice in the meeting chat', () => {
  it('goes out once, when the recording starts, in the job\'s words on one line', async () => {
    const clock = new FakeClock();
    const notice = new ConsentNotice(job({ chatNotice: true, message: 'Recorded for\ncoaching.' }), 'Recorder', clock);
    const { adapter, sent } = chatty(1);
    await notice.postIfDue(page, adapter, log);
    expect(sent).toEqual([]); // not before the recording
    notice.recordingStarted();
    await notice.postIfDue(page, adapter, log);
    notice.recordingStarted(); // resumed, or started again: still once
    await notice.postIfDue(page, adapter, log);
    expect(sent).toEqual(['Recorded for coaching.']);
    expect(notice.report()).toEqual({ text: 'Recorded for coaching.', postedAt: new Date(clock.now()).toISOString() });
  });

  it('a chat that does not take it is tried 3 times, then reported, never fatal; without a message the bot names itself', async () => {
    const clock = new FakeClock();
    const notice = new ConsentNotice(job({ chatNotice: true }), 'Acme Notetaker', clock);
    const { adapter, sent } = chatty(0);
    notice.recordingStarted();
    for (let i = 0; i < 5; i++) await notice.postIfDue(page, adapter, log);
    expect(sent).toEqual(Array(3).fill('Acme Notetaker is recording this meeting.'));
    expect(notice.report()).toMatchObject({ postedAt: null, error: 'the meeting chat did not take the message' });
    const noChat = new ConsentNotice(job({ chatNotice: true }), 'Acme Notetaker', clock);
    noChat.recordingStarted();
    await noChat.postIfDue(page, { id: 'zoom' } as PlatformAdapter, log);
    expect(noChat.report()).toMatchObject({ postedAt: null, error: 'the zoom adapter cannot write to the meeting chat' });
  });

  it('a job that asks for no notice posts nothing and reports nothing', async () => {
    const notice = new ConsentNotice(job({}), 'Recorder', new FakeClock());
    const { adapter, sent } = chatty(1);
    notice.recordingStarted();
    await notice.postIfDue(page, adapter, log);
    expect(sent).toEqual([]);
    expect(notice.report()).toBeUndefined();
  });
});
