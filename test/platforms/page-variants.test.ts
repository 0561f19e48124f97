/// <reference lib="dom" />
// Page variants of the real platforms that the sandbox imitations do not show, read with each
// adapter's own probe and click targets in a real Chromium. The snippets are not copies of the
// platforms' pages: each carries only the wording, attributes and layout that the variant is
// known by (../shared/platforms.md; other open-source bots' reports, December 2026), which is all
// the adapters look at.
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { meetAdapter } from '../../src/platforms/meet/index.js';
import { openMeetingPage } from '../../src/platforms/page/navigation.js';
import { runJoinLoop } from '../../src/platforms/page/join-loop.js';
import { MEET_PROBE } from '../../src/platforms/meet/selectors.js';
import { clickIfPresent } from '../../src/platforms/page/page-kit.js';
import { COMPUTER_AUDIO_OFF } from '../../src/platforms/teams/selectors.js';
import { teamsAdapter } from '../../src/platforms/teams/index.js';
import { zoomAdapter } from '../../src/platforms/zoom/index.js';
import { blockedNavigationReason, guardNavigation } from '../../src/session/browser.js';
import { closedPort, inShadow, useVariantPage } from '../helpers/variant-page.js';

const log = pino({ level: 'silent' });

describe('real-platform page variants', { timeout: 60_000 }, () => {
  const v = useVariantPage();
  const { show, probe, clicked } = v;

  it('Teams: the lobby wordings of the current client are the lobby, not a page still loading', async () => {
    for (const text of [
      'Hi, Recorder. Someone will let you in when the meeting starts.',
      'Someone in the meeting should let you in soon',
      'Someone will let you in soon',
    ]) {
      await show(`<div><p>${text}</p><button data-tid="prejoin-cancel-button">Leave</button></div>`);
      expect((await probe(teamsAdapter)).phase, text).toBe('waiting_room');
    }
  });

  it('Teams: "Computer audio" is chosen when another audio choice is selected, by its label or its text; a selected one is left alone', async () => {
    const radios = (computerChecked: boolean): string => '<div role="radiogroup">'
      + `<button role="radio" aria-checked="${computerChecked}" aria-label="Computer audio, microphone and speakers" data-id="computer"></button>`
      + `<button role="radio" aria-checked="${!computerChecked}" data-id="none">Don't use audio</button></div>`;
    await show(radios(false));
    expect(await clickIfPresent(v.page, COMPUTER_AUDIO_OFF)).toBe(true);
    expect(await clicked()).toBe('computer');
    await show(radios(true));
    expect(await clickIfPresent(v.page, COMPUTER_AUDIO_OFF)).toBe(false);
    await show('<label><input type="radio" name="audio"> Computer audio</label><label><input type="radio" name="audio" checked> Don\'t use audio</label>');
    expect(await clickIfPresent(v.page, COMPUTER_AUDIO_OFF)).toBe(true);
    expect(await v.page.evaluate(() => (document.querySelector('input[type="radio"]') as HTMLInputElement).checked)).toBe(true);
  });

  it('Teams: sign-in walls shown in the page, and the anonymous client in the call', async () => {
    await show('<h1>To join, sign in or use Teams on the web</h1><button>Sign in</button>');
    expect(await probe(teamsAdapter)).toMatchObject({ reason: 'sign_in_required' });
    // The light-meetings client names its controls with data-inp; while a screen is shared the
    // roster and chat buttons are gone, the toolbar and stage stay.
    await show('<div data-tid="modern-stage-wrapper"><div data-stream-type="ScreenSharing">screen</div></div>'
      + '<div data-tid="calling-toolbar"><button data-inp="hangup-button" data-id="hangup">Leave</button></div>');
    expect((await probe(teamsAdapter)).phase).toBe('in_call');
    // The toolbar with its hang-up button alone is one signal: not enough to call it the call.
    await show('<div data-tid="calling-toolbar"><button data-inp="hangup-button">Leave</button></div>');
    expect((await probe(teamsAdapter)).phase).not.toBe('in_call');
  });

  it('connection error pages end the join as connection_failed, which a retry can help', async () => {
    await show('<h1>There is a problem connecting to this video call</h1><button>Try again</button>');
    expect(await probe(meetAdapter)).toMatchObject({ reason: 'connection_failed' });
    await show("<p>We couldn't connect you</p>");
    expect(await probe(teamsAdapter)).toMatchObject({ reason: 'connection_failed' });
    // A page that does not load at all is the same reason; the error names the redacted link only.
    const port = await closedPort();
    const joinUrl = `https://127.0.0.1:${port}/wc/join/1?pwd=secret`;
    const meeting = { platform: 'zoom', meetingCode: '1', host: '127.0.0.1', joinUrl, redactedUrl: joinUrl.replace('secret', 'REDACTED') } as const;
    const failure = await openMeetingPage(v.page, meeting).catch((err: unknown) => err);
    expect(failure).toMatchObject({ code: 'connection_failed', details: { netError: 'net::ERR_CONNECTION_REFUSED' } });
    expect(String((failure as Error).message)).not.toContain('secret');
  });

  it("Meet: Google's unusual-traffic page, off the Meet host, is blocked and read as a bot wall; a sign-in host as a sign-in wall", async () => {
    // A context of its own: a page closed after the guard failed its navigation hangs in
    // Puppeteer 24 (the session only ever closes the whole browser), a context closes cleanly.
    const context = await v.browser.createBrowserContext();
    const guarded = await context.newPage();
    const blocked: string[] = [];
    await guardNavigation(guarded, (host) => meetAdapter.allowsNavigationTo(host), (url) => blocked.push(blockedNavigationReason(meetAdapter, url)));
    for (const url of [
      'https://www.google.com/sorry/index?continue=https://meet.google.com/abc-defg-hij&q=EgQ',
      'https://accounts.google.com/ServiceLogin?continue=https://meet.google.com/abc-defg-hij',
      'https://www.google.com/search?q=meet',
    ]) {
      await expect(guarded.goto(url)).rejects.toThrow(/ERR_BLOCKED_BY_CLIENT/);
    }
    expect(blocked).toEqual(['captcha_wall', 'sign_in_required', 'url_not_allowed']);
    await context.close();
  });

  it('Meet: "admits you to the call" is the lobby even with the toolbar and Leave call showing', async () => {
    await show('<p>Please wait until a meeting host admits you to the call</p><button aria-label="Leave call">x</button>'
      + '<button aria-label="People - 2 joined">p</button><button aria-label="Turn on captions">c</button>');
    expect((await probe(meetAdapter)).phase).toBe('waiting_room');
  });

  it('a dropped connection reads as reconnecting, not as the call ending; "You left the meeting" reads as out of it', async () => {
    const tiles = '<div data-participant-id="a"><span class="notranslate">Ann</span></div><div data-self-name="Recorder"></div>';
    // Meet takes its whole call UI away while it reconnects: only the notice is left.
    await show('<div role="alert"><p>You lost your network connection. Trying to reconnect.</p></div>');
    expect(await probe(meetAdapter)).toMatchObject({ phase: 'loading', reconnecting: true });
    // A banner over a call that still shows is the call.
    await show(`${tiles}<div role="status">Reconnecting…</div>`);
    expect(await probe(meetAdapter)).toMatchObject({ phase: 'in_call', reconnecting: true });
    await show('<div class="zm-modal"><p>Reconnecting...</p></div>');
    expect(await probe(zoomAdapter)).toMatchObject({ reconnecting: true });
    expect((await probe(zoomAdapter)).reason).toBeUndefined();
    await show(`${tiles}`);
    expect(await probe(meetAdapter)).toMatchObject({ phase: 'in_call', reconnecting: false });
    // After a denial Meet may say only this (with Rejoin and Return to home screen).
    await show('<h1>You left the meeting</h1><button>Rejoin</button><button>Return to home screen</button>');
    const left = await probe(meetAdapter);
    expect(left.phase).toBe('left');
    expect(left.reason).toBeUndefined();
    // Seen by the join itself (a quick denial, before any lobby page): a denial, not a page to wait on until the deadline.
    const meeting = meetAdapter.parseUrl(new URL('https://meet.google.com/abc-defg-hij'))!;
    const opts = { botName: 'Recorder', meeting, log, deadline: Date.now() + 30_000, notStartedTimeoutMs: 30_000 };
    await expect(runJoinLoop(v.page, opts, MEET_PROBE, async () => null)).rejects.toMatchObject({ code: 'denied_by_host' });
  });

  it("end screens the bot did not ask for: Teams' retry screen and its short removal title, Meet's \"You've left\"", async () => {
    const retryScreen = (title: string, body = ''): string => '<div data-tid="calling-retry-screen">'
      + `<h1 id="calling-retry-screen-title">${title}</h1>${body}<button data-tid="calling-retry-rejoinbutton">Rejoin</button></div>`;
    await show(retryScreen('Removed from the meeting'));
    expect(await probe(teamsAdapter)).toMatchObject({ reason: 'removed_by_host' });
    // The same words about someone else, in the call, are not the bot's removal.
    const teamsCall = '<div data-tid="calling-toolbar"><button id="hangup-button">Leave</button></div><div data-tid="modern-stage-wrapper" style="height: 200px">stage</div>';
    await show(`${teamsCall}<div role="status">Bob was removed from the meeting</div>`);
    expect(await probe(teamsAdapter)).toMatchObject({ phase: 'in_call' });
    expect((await probe(teamsAdapter)).reason).toBeUndefined();
    await show(retryScreen('Call ended', '<p>Did you leave by mistake?</p>'));
    expect(await probe(teamsAdapter)).toMatchObject({ phase: 'left' });
    await show('<h2>Enjoy your call? Join Teams today for free.</h2><button>Sign up for free</button>');
    expect(await probe(teamsAdapter)).toMatchObject({ phase: 'left' });
    await show('<h1>You\u2019ve left the meeting</h1><button>Rejoin</button><button>Return to home screen</button>');
    const meet = await probe(meetAdapter);
    expect(meet.phase).toBe('left');
    expect(meet.reason).toBeUndefined();
  });

  it('Meet: words in the chat, its toast and the captions are not the page saying the call ended', async () => {
    const tiles = '<div data-participant-id="a"><span class="notranslate">Ann</span></div><div data-self-name="Recorder"></div>';
    await show(`${tiles}<aside role="complementary" aria-label="Side panel"><h2>In-call messages</h2>`
      + '<div><div>Ann</div><div>2:44 PM</div><div>Call ended</div></div><textarea aria-label="Send a message"></textarea></aside>');
    expect(await probe(meetAdapter)).toMatchObject({ phase: 'in_call' });
    await show(`${tiles}<div data-message-id="m1"><div>You've been removed from the meeting lol</div></div>`);
    expect(await probe(meetAdapter)).toMatchObject({ phase: 'in_call' });
    await show(`${tiles}<div role="region" aria-label="Captions"><div>Ann</div><div>so the call ended early</div></div>`);
    expect(await probe(meetAdapter)).toMatchObject({ phase: 'in_call' });
    await show(`${tiles}<div><img alt=""><span>Ann says in chat: Your host ended the meeting for everyone</span><button>Close</button></div>`);
    expect(await probe(meetAdapter)).toMatchObject({ phase: 'in_call' });
    // A message on lines of its own, in a toast that is an alert dialog with a time and a Close button.
    await show(`${tiles}<div role="alertdialog"><img alt=""><div>Ann says in chat: ok<br>Call ended<br>see you</div>`
      + '<span>2:44 PM</span><button>Close</button></div>');
    expect(await probe(meetAdapter)).toMatchObject({ phase: 'in_call' });
    // The marker split over nodes, with no-break spaces, or in a web component.
    await show(`${tiles}<div class="toast"><b>Ann</b> says&nbsp;<i>in</i>&nbsp;chat: <span>Call ended</span><button>Close</button></div>`);
    expect(await probe(meetAdapter)).toMatchObject({ phase: 'in_call' });
    // (First the same words without a marker, until the probes read shadow roots on this page.)
    await show(`${tiles}${inShadow('toast', '<div><div>Call ended</div></div>')}`);
    await expect.poll(async () => (await probe(meetAdapter)).reason, { interval: 500, timeout: 15_000 }).toBe('meeting_ended');
    await show(`${tiles}${inShadow('toast', '<div><span>Ann says in chat: Call ended</span><button>Close</button></div>')}`);
    expect(await probe(meetAdapter)).toMatchObject({ phase: 'in_call' });
    // The page's own end screen is still read, with a toast still showing beside it too.
    await show('<h1>Your host ended the meeting for everyone</h1><button>Return to home screen</button>');
    expect(await probe(meetAdapter)).toMatchObject({ reason: 'meeting_ended' });
    await show('<div id="app"><div class="toast"><span>Ann says in chat: hi</span></div>'
      + "<h1>You've been removed from the meeting</h1><button>Return to home screen</button></div>");
    expect(await probe(meetAdapter)).toMatchObject({ reason: 'removed_by_host' });
    await show('<div id="app"><div class="toast"><span>Ann says in chat: hi</span></div><div>Trying to reconnect</div></div>');
    expect(await probe(meetAdapter)).toMatchObject({ reconnecting: true });
  });

  it('Meet: joining a recorded call answers the notice with "Join now", never "Leave meeting"', async () => {
    const tiles = '<div data-participant-id="a"><span class="notranslate">Ann</span></div><div data-self-name="Recorder"></div>';
    await show(`${tiles}<div role="dialog" aria-modal="true"><h2>This video call is being recorded</h2>`
      + '<button data-id="leave">Leave meeting</button><button data-id="join">Join now</button></div>');
    expect(await probe(meetAdapter)).toMatchObject({ phase: 'in_call', blockingDialog: 'recording_notice' });
    await meetAdapter.tidy(v.page, log);
    expect(await clicked()).toBe('join');
    // Outside a dialog "Join now" is the pre-join button, which tidying never presses.
    await show(`${tiles}<button data-id="prejoin">Join now</button>`);
    await meetAdapter.tidy(v.page, log);
    expect(await clicked()).toBeUndefined();
  });

  it('controls and wordings inside web components (open shadow roots) are read and clicked like any other', async () => {
    // A page of its own: whether a page has shadow roots is checked every 10 s, not on every probe.
    await v.page.close();
    v.page = await v.browser.newPage();
    const call = '<div class="single-main-container__video-frame"><video></video>'
      + '<div class="video-avatar__avatar-footer"><span>Ann</span></div></div>';
    await show(inShadow('app', call + '<footer><button aria-label="Leave" data-id="leave">Leave</button></footer>'));
    expect((await probe(zoomAdapter)).phase).toBe('in_call');
    await zoomAdapter.leave(v.page, log);
    expect(await clicked()).toBe('leave');
    // A dialog in a nested shadow root: its text is the page's text.
    await show(`<div class="meeting-app">${call}</div><div id="outer"></div><script>
      const outer = document.getElementById('outer').attachShadow({ mode: 'open' });
      outer.innerHTML = '<div id="inner"></div>';
      outer.getElementById('inner').attachShadow({ mode: 'open' }).innerHTML =
        '<div role="dialog"><p>You have been removed from this meeting</p><button>OK</button></div>';
      </script>`);
    expect(await probe(zoomAdapter)).toMatchObject({ phase: 'left', reason: 'removed_by_host' });
    // The text of a hidden web component is not on the page.
    await show(`<div style="display: none">${inShadow('gone', '<p>You have been removed</p>')}</div>${call}`);
    expect((await probe(zoomAdapter)).reason).toBeUndefined();
    // Words typed in the chat stay chat when a web component draws them, however deep.
    await show(`${call}<div class="chat-container">${inShadow('row', '<p>lol this meeting has been ended by host</p>')}</div>`);
    expect(await probe(zoomAdapter)).toMatchObject({ phase: 'in_call' });
    await show(`${call}${inShadow('panel', '<div class="chat-container"><div id="row"></div></div>')}<script>
      document.getElementById('panel').shadowRoot.getElementById('row').attachShadow({ mode: 'open' }).innerHTML =
        '<p>This meeting has been ended by host</p>';
      </script>`);
    expect(await probe(zoomAdapter)).toMatchObject({ phase: 'in_call' });
    // Text written straight into a shadow root is read.
    await show(`${call}<div id="bare"></div><script>
      document.getElementById('bare').attachShadow({ mode: 'open' }).textContent = 'You have been removed';</script>`);
    expect(await probe(zoomAdapter)).toMatchObject({ reason: 'removed_by_host' });
  });

  it('a page that draws its state in a web component is read within a second or so, not at the next 10 s check', async () => {
    await v.page.close();
    v.page = await v.browser.newPage();
    await show('<p>Joining…</p>');
    expect((await probe(zoomAdapter)).phase).toBe('loading'); // no shadow roots: probes do not look
    await show(inShadow('dialog', '<div role="dialog"><p>You have been removed from this meeting</p></div>'));
    // Probed as the call monitor does, every 500 ms, until the page reads as removed.
    await expect.poll(async () => (await probe(zoomAdapter)).reason, { interval: 500, timeout: 5_000 }).toBe('removed_by_host');
  });

  it('a hidden frame is not read: its text is not on the screen', async () => {
    const frame = (style: string): string => `<iframe style="${style}" srcdoc="<p>The host has ended this meeting</p>"></iframe>`;
    const call = '<div class="single-main-container__video-frame"><div class="video-avatar__avatar-footer">Ann</div></div>';
    for (const style of ['display: none', 'visibility: hidden']) {
      await show(`${call}${frame(style)}`);
      await v.page.waitForFunction(() => document.querySelector('iframe')?.contentDocument?.body?.textContent?.includes('ended'));
      expect((await probe(zoomAdapter)).phase, style).toBe('in_call');
    }
    await show(`${call}${frame('')}`);
    await v.page.waitForFunction(() => document.querySelector('iframe')?.contentDocument?.body?.textContent?.includes('ended'));
    expect(await probe(zoomAdapter)).toMatchObject({ reason: 'meeting_ended' });
  });

  it('a hidden dialog is not read while the chat is open', async () => {
    // With a chat container on the page the text is read element by element, and a hidden
    // element's innerText is all of its text: a pre-rendered end dialog must stay unread.
    await show('<div class="single-main-container__video-frame"><div class="video-avatar__avatar-footer">Ann</div></div>'
      + '<div class="chat-container"><p>hi</p></div>'
      + '<div class="zm-modal" style="display: none"><p>The host has ended this meeting</p></div>');
    expect(await probe(zoomAdapter)).toMatchObject({ phase: 'in_call' });
    // What is shown is still read: a visible dialog inside a `visibility: hidden` wrapper.
    await show('<div class="chat-container"><p>hi</p></div><div style="visibility: hidden"><p>gone</p>'
      + '<div class="zm-modal" style="visibility: visible"><p>The host has ended this meeting</p></div></div>');
    expect(await probe(zoomAdapter)).toMatchObject({ reason: 'meeting_ended' });
  });

});
