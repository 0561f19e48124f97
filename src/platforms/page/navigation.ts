import type { Page } from 'puppeteer-core';
import { MeetcapError } from '../../contracts/index.js';
import type { ParsedMeeting } from '../platform.js';

/**
 * Opens the meeting's join page. Puppeteer's navigation errors quote the full URL, which can
 * carry the passcode (Zoom `pwd`, Teams `p=`), so the error is rebuilt around the redacted URL
 * and only Chromium's error name (`net::ERR_…`) is kept.
 */
export async function openMeetingPage(page: Page, meeting: ParsedMeeting): Promise<void> {
  try {
    await page.goto(meeting.joinUrl, { waitUntil: 'domcontentloaded' });
  } catch (err) {
    const netError = /net::ERR_[A-Z_]+/.exec(err instanceof Error ? err.message : '')?.[0] ?? 'navigation failed';
    // A redirect off the meeting hosts is reported by the session's navigation guard instead.
    throw new MeetcapError('connection_failed', `could not load ${meeting.redactedUrl}: ${netError}`, { netError });
  }
}
