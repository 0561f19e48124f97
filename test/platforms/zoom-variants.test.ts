/// <reference lib="dom" />
// Zoom web client variants the sandbox imitation does not show (footer that hides, modals and
// their copies, breakout invitations, other wordings), read with the adapter's own probe and click
// targets in a real Chromium; as in page-variants.test.ts, each snippet carries only what the
// variant is known by.
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { clickRevealing, findElement, probePage } from '../../src/platforms/page/page-kit.js';
import { DISCLAIMER_AGREE, LEAVE_BUTTON, REVEAL_CONTROLS, ZOOM_PROBE } from '../../src/platforms/zoom/selectors.js';
import { zoomAdapter } from '../../src/platforms/zoom/index.js';
import { useVariantPage } from '../helpers/variant-page.js';

const log = pino({ level: 'silent' });

describe('Zoom web client page variants', { timeout: 60_000 }, () => {
  const v = useVariantPage();
  const { show, probe, clicked } = v;

  it('Zoom: the call stays the call while the footer is hidden', async () => {
    await show('<div class="meeting-app"><div class="single-main-container__video-frame"><video></video>'
      + '<div class="video-avatar__avatar-footer"><span>Ann</span></div></div>'
      + '<footer style="visibility: hidden"><button aria-label="Leave">Leave</button>'
      + '<button aria-label="open the chat panel">Chat</button></footer></div>');
    expect((await probe(zoomAdapter)).phase).toBe('in_call');
  });

  it('Zoom: a hidden footer button is clicked after the pointer moves over the call; a missing one moves nothing', async () => {
    await show('<div class="meeting-app" style="height: 400px"><footer style="visibility: hidden">'
      + '<button aria-label="Leave" data-id="leave">Leave</button></footer></div>'
      + '<script>document.querySelector(".meeting-app").addEventListener("mousemove", () => {'
      + ' document.querySelector("footer").style.visibility = "visible"; });</script>');
    expect(await clickRevealing(v.page, LEAVE_BUTTON, REVEAL_CONTROLS)).toBe(true);
    expect(await clicked()).toBe('leave');
    await show('<div class="meeting-app" style="height: 400px"></div>'
      + '<script>document.querySelector(".meeting-app").addEventListener("mousemove", () => { document.body.dataset.moved = "yes"; });</script>');
    expect(await clickRevealing(v.page, LEAVE_BUTTON, REVEAL_CONTROLS)).toBe(false);
    expect(await v.page.evaluate(() => document.body.dataset.moved)).toBeUndefined();
  });

  it('Zoom: tidying joins computer audio from a footer that has hidden itself', async () => {
    await show('<div class="meeting-app" style="height: 400px"><footer style="visibility: hidden">'
      + '<button aria-label="join audio" data-id="join-audio">Join Audio</button></footer></div>'
      + '<script>document.querySelector(".meeting-app").addEventListener("mousemove", () => {'
      + ' document.querySelector("footer").style.visibility = "visible"; });</script>');
    await zoomAdapter.tidy(v.page, log);
    expect(await clicked()).toBe('join-audio');
  });

  it('Zoom: the recording notice is acknowledged on its visible copy, and Leave Meeting is never pressed', async () => {
    const modal = (id: string, style = ''): string => `<div class="zm-modal" role="dialog" style="${style}">`
      + '<div class="zm-modal-body-title">This meeting is being recorded and AI Companion is on.</div>'
      + `<button data-id="${id}-leave">Leave Meeting</button><button data-id="${id}-ok">Got it</button></div>`;
    await show(`<div class="single-main-container__video-frame"><div class="video-avatar__avatar-footer">Ann</div></div>`
      + `${modal('hidden', 'display: none')}${modal('shown')}`);
    expect(await probe(zoomAdapter)).toMatchObject({ phase: 'in_call', blockingDialog: 'recording_notice' });
    await zoomAdapter.tidy(v.page, log);
    expect(await clicked()).toBe('shown-ok');
  });

  it('Zoom: a breakout-room invitation is answered Later, so the bot stays in the main session it records', async () => {
    await show('<div class="single-main-container__video-frame"><div class="video-avatar__avatar-footer">Ann</div></div>'
      + '<div class="zm-modal" role="dialog"><div class="zm-modal-body-title">The host is inviting you to join Breakout Room: Room 1</div>'
      + '<button data-id="join">Join</button><button data-id="later">Later</button></div>');
    expect(await probe(zoomAdapter)).toMatchObject({ phase: 'in_call', blockingDialog: 'breakout_invite' });
    await zoomAdapter.tidy(v.page, log);
    expect(await clicked()).toBe('later');
    // "Later" in some other modal is not pressed.
    await show('<div class="zm-modal" role="dialog"><p>Ask the host to start your video?</p><button data-id="later">Later</button></div>');
    await zoomAdapter.tidy(v.page, log);
    expect(await clicked()).toBeUndefined();
  });

  it('Zoom: other wordings and walls', async () => {
    await show('<p>Waiting for the host to start the meeting</p>');
    expect(await probePage(v.page, ZOOM_PROBE)).toMatchObject({ reason: 'meeting_not_started' });
    await show('<div class="CaptchaContainer"><p>Type the characters you see</p><input placeholder="Enter captcha"></div>');
    expect(await probePage(v.page, ZOOM_PROBE)).toMatchObject({ reason: 'captcha_wall' });
    await show('<div class="zm-modal" role="dialog"><p>The host has ended this meeting</p><button>OK</button></div>');
    expect(await probePage(v.page, ZOOM_PROBE)).toMatchObject({ reason: 'meeting_ended' });
    // The panel a timed-out connection leaves over the call: it does not come back by itself.
    await show('<div class="single-main-container__video-frame"><div class="video-avatar__avatar-footer">Ann</div></div>'
      + '<div class="zm-modal" role="dialog"><div class="zm-modal-body-title">Joining Meeting Timeout or Browser restriction</div>'
      + '<p>Your network connection has timed out.</p><button>Report Problem</button><button>Retry</button><button>Leave</button></div>');
    expect(await probePage(v.page, ZOOM_PROBE)).toMatchObject({ reason: 'connection_failed' });
  });

  it("Zoom: an admin's join disclaimer is agreed to inside its dialog only", async () => {
    await show('<button data-id="page">Accept</button>');
    expect(await findElement(v.page, DISCLAIMER_AGREE)).toBeNull();
    await show('<button data-id="page">Accept</button><div role="dialog"><p>Recording disclaimer</p><button data-id="agree">I Agree</button></div>');
    const agree = await findElement(v.page, DISCLAIMER_AGREE);
    expect(await agree?.evaluate((b) => (b as HTMLElement).dataset.id)).toBe('agree');
  });
});
