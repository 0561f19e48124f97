/// <reference lib="dom" />
// Wordings and pages of the real platforms that other open-source bots and the platforms' own
// client scripts show (late 2026), read with each adapter's own probe and click targets in a real
// Chromium. As in page-variants.test.ts, a snippet carries only what the page is known by.
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { findElement, probePage } from '../../src/platforms/page/page-kit.js';
import { meetAdapter } from '../../src/platforms/meet/index.js';
import { teamsAdapter } from '../../src/platforms/teams/index.js';
import { DISCLAIMER_AGREE, ZOOM_PROBE } from '../../src/platforms/zoom/selectors.js';
import { useVariantPage } from '../helpers/variant-page.js';

const log = pino({ level: 'silent' });
const ZOOM_CALL = '<div class="single-main-container__video-frame"><div class="video-avatar__avatar-footer">Ann</div></div>';

describe('platform wordings the sandbox does not show', { timeout: 60_000 }, () => {
  const v = useVariantPage();
  const { show, probe, clicked } = v;

  it('Zoom: end, removal, disconnection, expiry and busy-host wordings give their reason', async () => {
    const cases: Array<[string, string]> = [
      ['<div class="zm-modal" role="dialog"><p>The meeting has been ended</p><button>OK</button></div>', 'meeting_ended'],
      ['<div class="zm-modal" role="dialog"><p>The host has removed you from the meeting.</p><button>OK</button></div>', 'removed_by_host'],
      ['<div role="dialog"><p>Unable to join this webinar</p><p>The webinar has expired. (Error code: 3038)</p></div>', 'meeting_not_found'],
      ['<p>The host has another meeting in progress</p>', 'meeting_not_started'],
      ['<p>Please wait for the host to start this webinar</p>', 'meeting_not_started'],
    ];
    for (const [html, reason] of cases) {
      await show(`${ZOOM_CALL}${html}`);
      expect((await probePage(v.page, ZOOM_PROBE)).reason, html).toBe(reason);
    }
    // Removed as co-host is not removed from the meeting.
    await show(`${ZOOM_CALL}<div role="alert">The host has removed you as co-host</div>`);
    expect((await probePage(v.page, ZOOM_PROBE)).reason).toBeUndefined();
    // The disconnected overlay gets the reconnect allowance: whether it comes back is not known.
    await show(`${ZOOM_CALL}<div id="wc-leave"><h3>Meeting Disconnected</h3></div>`);
    expect(await probePage(v.page, ZOOM_PROBE)).toMatchObject({ reconnecting: true });
    expect((await probePage(v.page, ZOOM_PROBE)).reason).toBeUndefined();
    // The client moves to /wc/leave when the call is over for it, whatever the page then says.
    const server = createServer((_req, res) => res.end('<html><body><div>Zoom</div></body></html>')).listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      await v.page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/wc/85551234567/join`);
      expect((await probePage(v.page, ZOOM_PROBE)).reason).toBeUndefined();
      await v.page.evaluate(() => history.pushState(null, '', '/wc/leave?meetingNumber=85551234567'));
      expect((await probePage(v.page, ZOOM_PROBE)).reason).toBe('meeting_ended');
    } finally {
      await v.page.goto('about:blank');
      server.close();
    }
  });

  it("Zoom: the terms page some regions get before the join is agreed to (#wc_agree1)", async () => {
    await show('<div class="terms"><p>Terms of Service and Privacy Statement</p><button id="wc_agree1" data-id="agree">I Agree</button></div>');
    const agree = await findElement(v.page, DISCLAIMER_AGREE);
    expect(await agree?.evaluate((b) => (b as HTMLElement).dataset.id)).toBe('agree');
  });

  it('Meet: "Are you still there?" after minutes alone is answered "Stay in the call", never "Leave now"', async () => {
    const tiles = '<div data-participant-id="a"><span class="notranslate">Ann</span></div><div data-self-name="Recorder"></div>';
    await show(`${tiles}<div role="dialog" aria-modal="true"><h2>Are you still there?</h2>`
      + "<p>You're the only one here, so this call will end in less than 2 minutes. Do you want to stay in this call?</p>"
      + '<button data-id="leave">Leave now</button><button data-id="stay">Stay in the call</button></div>');
    expect(await probe(meetAdapter)).toMatchObject({ phase: 'in_call', blockingDialog: 'still_there' });
    await meetAdapter.tidy(v.page, log);
    expect(await clicked()).toBe('stay');
  });

  it('Meet and Teams: denial, lobby, sign-in and not-started wordings', async () => {
    await show('<h1>Your request to join was denied</h1><button>Return to home screen</button>');
    expect((await probe(meetAdapter)).reason).toBe('denied_by_host');
    await show("<p>We've let people in the meeting know you're waiting.</p>");
    expect((await probe(teamsAdapter)).phase).toBe('waiting_room');
    await show("<p>If you're not signed in to a Teams (work or school) account, sign in and try joining again. If you still can't join, contact the organizer.</p>");
    expect((await probe(teamsAdapter)).reason).toBe('sign_in_required');
    await show('<p>External participants are not permitted to join before the event begins. Please join after the event has started.</p>');
    expect((await probe(teamsAdapter)).reason).toBe('meeting_not_started');
    await show('<div data-tid="calling-retry-screen"><h1 id="calling-retry-screen-title">Removed from meeting</h1></div>');
    expect((await probe(teamsAdapter)).reason).toBe('removed_by_host');
  });
});
