/// <reference lib="dom" />
// People in the call whom no tile shows: a screen share in spotlight or filling the view, a
// hidden thumbnail strip, cameras off. Read with each adapter's own probe in a real Chromium; as
// in page-variants.test.ts, each snippet carries only what the variant is known by (other
// open-source bots' reports and test fakes of the live pages, late 2026).
import { describe, expect, it } from 'vitest';
import { meetAdapter } from '../../src/platforms/meet/index.js';
import { teamsAdapter } from '../../src/platforms/teams/index.js';
import { zoomAdapter } from '../../src/platforms/zoom/index.js';
import { useVariantPage } from '../helpers/variant-page.js';

const ZOOM_FOOTER = (count: number): string => '<footer style="visibility: hidden"><button class="footer__leave-btn" aria-label="Leave">Leave</button>'
  + '<div id="participant"><button class="footer-button__participants-icon" aria-label="open the participants list pane,['
  + `${count}] particpants"><span class="footer-button__number-counter"><span>${count}</span></span></button></div></footer>`;

describe('others in the call when no tile shows them', { timeout: 60_000 }, () => {
  const v = useVariantPage();
  const { show, probe } = v;

  it('Meet: a presentation in spotlight leaves only its own tile; the avatar badge still counts everyone, the bot included', async () => {
    await show('<div data-participant-id="p/ann" style="height: 300px"><span class="notranslate">Ann Lee (Presentation)</span></div>'
      + '<div role="button" aria-label="People - 3 joined"><span data-avatar-count="3">3</span></div>'
      + '<button aria-label="Turn on captions">cc</button>');
    expect(await probe(meetAdapter)).toMatchObject({ phase: 'in_call', headcount: 3 });
    // Alone, the badge says so (the bot's own count).
    await show('<div data-self-name="Recorder" style="height: 100px"></div>'
      + '<div role="button" aria-label="People - 1 joined"><span data-avatar-count="1">1</span></div>');
    expect(await probe(meetAdapter)).toMatchObject({ phase: 'in_call', participants: [], headcount: 1 });
    // A badge left in the page but not shown (another avatar stack, a stale copy) counts nothing.
    await show('<div data-self-name="Recorder" style="height: 100px"></div><button aria-label="People">p</button>'
      + '<span data-avatar-count="1">1</span><div style="display: none"><span data-avatar-count="5">5</span></div>');
    expect(await probe(meetAdapter)).toMatchObject({ phase: 'in_call', headcount: 1 });
    // The pre-join page shows the same badge for those already in: not the call, no headcount.
    await show('<h1>Ready to join?</h1><input aria-label="Your name"><span data-avatar-count="4">4</span><button>Ask to join</button>');
    const prejoin = await probe(meetAdapter);
    expect(prejoin.phase).toBe('prejoin');
    expect(prejoin.headcount).toBeUndefined();
  });

  it('Zoom: a screen share filling the view, thumbnails and footer hidden, is still the call, with its counter and the share', async () => {
    const share = (mediaType: string, node: string): string => '<div id="sharee-container" style="height: 400px">'
      + '<div class="sharee-container__canvas" style="height: 400px">'
      + `<video-player media-type="${mediaType}" node-id="${node}" style="display: block; height: 360px"></video-player></div></div>`
      + '<div class="speaker-bar-container__video-frame" style="display: none"><div class="video-avatar__avatar-footer"><span>Ann</span></div></div>';
    await show(`<div class="meeting-app">${share('share', '16778240')}${ZOOM_FOOTER(4)}</div>`);
    const sharing = await probe(zoomAdapter);
    expect(sharing).toMatchObject({ phase: 'in_call', participants: [], headcount: 4, presenting: true });
    // The share ends: the player goes back to video, the container stays.
    await show(`<div class="meeting-app">${share('video', '')}${ZOOM_FOOTER(4)}</div>`);
    expect(await probe(zoomAdapter)).toMatchObject({ phase: 'in_call', headcount: 4, presenting: false });
    // A hidden footer in the waiting room (the host put the bot back) is still the waiting room.
    await show(`<p>Please wait, the meeting host will let you in soon</p>${ZOOM_FOOTER(4)}`);
    expect((await probe(zoomAdapter)).phase).toBe('waiting_room');
    // A layout nothing else of which is known (a whiteboard filling the view) is still the call.
    await show(`<div class="meeting-app"><canvas class="whiteboard" style="height: 400px"></canvas>${ZOOM_FOOTER(4)}</div>`);
    expect(await probe(zoomAdapter)).toMatchObject({ phase: 'in_call', headcount: 4 });
    // A page saying it left or is reconnecting, with the footer still in the DOM: not the call.
    await show(`<h2>You have left the meeting</h2>${ZOOM_FOOTER(4)}`);
    expect((await probe(zoomAdapter)).phase).toBe('left');
    await show(`<div class="zm-modal"><p>Reconnecting...</p></div>${ZOOM_FOOTER(4)}`);
    expect(await probe(zoomAdapter)).toMatchObject({ phase: 'loading', reconnecting: true });
  });

  it('Zoom: a participant with the camera off is named from the avatar title (the name footer is empty)', async () => {
    const avatar = (name: string, self = ''): string => `<div class="video-avatar__avatar ${self}" style="height: 120px">`
      + `<div class="video-avatar__avatar-title"><span class="video-avatar__avatar-name">${name}</span></div>`
      + '<div class="video-avatar__avatar-footer"></div></div>';
    await show(`<div class="gallery-video-container__main-view">${avatar('Bob Stone')}${avatar('Recorder', 'video-avatar--self')}</div>${ZOOM_FOOTER(2)}`);
    const p = await probe(zoomAdapter);
    expect(p.phase).toBe('in_call');
    expect(p.participants.map((t) => t.name)).toEqual(['Bob Stone']);
  });

  it("Teams: someone's shared screen on the stage is someone there; camera-off people keep their Video tile", async () => {
    const toolbar = '<div data-tid="calling-toolbar"><button id="hangup-button">Leave</button></div>';
    await show(`${toolbar}<div data-stream-type="ScreenSharing" data-tid="Ann Lee" style="height: 300px"></div>`);
    expect(await probe(teamsAdapter)).toMatchObject({ phase: 'in_call', participants: [], presenting: true });
    await show(`${toolbar}<div data-stream-type="Video" data-tid="Bob Stone" style="height: 100px"><div data-tid="participant-avatar">BS</div></div>`);
    const cameraOff = await probe(teamsAdapter);
    expect(cameraOff.participants.map((t) => t.name)).toEqual(['Bob Stone']);
    expect(cameraOff.presenting).toBe(false);
  });
});
