import { readFile } from 'node:fs/promises';
import { setTimeout as scenario } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../helpers/harness.js';
import { audioOnlyWithoutVideo, expectJoinFailure, heldInWaitingRoom, keptAfter, recordsTwoSpeakers, schedule } from './scenarios.js';

/** The Zoom web client imitation, through the queue, every way a join can end. */
let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

const zoom = { platform: 'zoom' as const };

describe('Zoom (web client) through the queue', () => {
  it('an audio-only bot stops incoming video (More > "Stop Incoming Video") and records an M4A', async () => {
    await audioOnlyWithoutVideo(h, zoom);
  });

  it('records two speakers: client in iframe#webclient, two permission dialogs, passcode carried by the link', async () => {
    await recordsTwoSpeakers(h, { ...zoom, passcode: '584706', zoomClient: 'iframe', zoomNameField: 'react', permissionPrompt: true });
  });

  it('top-level classic client with a typed passcode; ended by host: recording kept', async () => {
    await keptAfter(h, { ...zoom, passcode: '497810', passcodeInUrl: false, zoomClient: 'top', zoomNameField: 'classic' }, 'meeting_ended',
      (code) => h.sandbox.api.end(code), { passcode: '497810' });
  });

  it('removed by the host: recording kept, reason removed_by_host', async () => {
    await keptAfter(h, zoom, 'removed_by_host', (code) => h.sandbox.api.remove(code));
  });

  it('put back in the waiting room mid-call: waits, records silence, carries on when let in; not let in: waiting_room_timeout', async () => {
    await heldInWaitingRoom(h, zoom);
  });

  it('everyone left: the bot leaves after its alone limit and keeps the recording', async () => {
    await keptAfter(h, zoom, 'everyone_left', (code, id) => h.sandbox.api.removeParticipant(code, id), { limits: { aloneTimeoutSec: 2 } });
  });

  it('a screen share filling the view hides every tile (and the idle footer): the bot stays past its alone limit, in the call throughout', async () => {
    const { code, url } = h.sandbox.api.createMeeting({ ...zoom, autoAdmitAfterMs: 0 });
    const p = await h.sandbox.api.addParticipant(code, { name: 'Frank Host', toneHz: 440, speaking: true });
    const { t, meetingId } = await schedule(h, url, { limits: { minDurationSec: 2, aloneTimeoutSec: 2 } });
    await t.reached('recording');
    await h.sandbox.api.wait(code, { peersConnected: 1, timeoutMs: 30_000 });
    h.sandbox.api.present(code, p.id, true);
    // Meeting time with only the share on show: four alone limits, the footer hiding after 3 s idle.
    await scenario(8_000);
    h.sandbox.api.end(code);
    const outcome = await t.outcome;
    expect(outcome).toMatchObject({ state: 'done', reason: 'meeting_ended' });
    const manifest = JSON.parse(await readFile(await h.download(`acme/${meetingId}/${outcome.sessionId}/manifest.json`), 'utf8'));
    // Never read as out of the call (a page it did not recognise) while the share showed.
    expect(manifest.inCall.interruptions).toEqual([]);
  });

  it('a stale pwd in the link ("Passcode wrong" before typing) is fixed by the job\'s typed passcode', async () => {
    const { code, url } = h.sandbox.api.createMeeting({ ...zoom, passcode: '584706', autoAdmitAfterMs: 0 });
    await h.sandbox.api.addParticipant(code, { name: 'Gina Host', toneHz: 440, speaking: true });
    const stale = url.replace(/pwd=[^&]+/, 'pwd=c3RhbGVzdGFsZXN0YWxl.1');
    const { t } = await schedule(h, stale, { passcode: '584706' });
    await t.reached('recording');
    await scenario(2_000);
    h.sandbox.api.end(code);
    expect(await t.outcome).toMatchObject({ state: 'done', reason: 'meeting_ended' });
  });

  it('host starts late behind "This meeting link is invalid (3,001)": the bot keeps polling and records', async () => {
    const { code, url } = h.sandbox.api.createMeeting({ ...zoom, started: false, zoomNotStarted: 'error_3001', autoAdmitAfterMs: 0 });
    await h.sandbox.api.addParticipant(code, { name: 'Late Host', toneHz: 440, speaking: true });
    const { t } = await schedule(h, url, { limits: { notStartedTimeoutSec: 120 } });
    await t.reached('joining');
    await scenario(3_000); // the host is late
    h.sandbox.api.start(code);
    await t.reached('recording');
    await scenario(2_000); // a short meeting, still over the 1 s minimum the harness sets
    h.sandbox.api.end(code);
    expect(await t.outcome).toMatchObject({ state: 'done', reason: 'meeting_ended' });
  });
});

// Joins that end before any media flows. Not run concurrently: on two cores two bots launching
// at once each take two to three times as long, which gains nothing.
describe('Zoom (web client): joins that end before the call', () => {
  it('passcode page without a passcode in the job: passcode_required', async () => {
    const { url } = h.sandbox.api.createMeeting({ ...zoom, passcode: '584706', passcodeInUrl: false });
    await expectJoinFailure(h, url, 'passcode_required');
  });

  it('"Passcode wrong": passcode_wrong', async () => {
    const { url } = h.sandbox.api.createMeeting({ ...zoom, passcode: '584706', passcodeInUrl: false, zoomClient: 'top' });
    await expectJoinFailure(h, url, 'passcode_wrong', { passcode: '111111' });
  });

  it('host never starts: meeting_not_started after the wait limit', async () => {
    const { url } = h.sandbox.api.createMeeting({ ...zoom, started: false, zoomNotStarted: 'waiting' });
    await expectJoinFailure(h, url, 'meeting_not_started', { limits: { notStartedTimeoutSec: 5 } });
  });

  it('nobody admits from the waiting room: waiting_room_timeout', async () => {
    const { url } = h.sandbox.api.createMeeting(zoom);
    const t = await expectJoinFailure(h, url, 'waiting_room_timeout', { limits: { waitingRoomTimeoutSec: 5 } });
    expect(t.states.map((s) => s.state)).toContain('waiting_room');
  });

  it('removed from the waiting room: denied_by_host', async () => {
    const { code, url } = h.sandbox.api.createMeeting(zoom);
    const { t, meetingId } = await schedule(h, url);
    await h.sandbox.api.wait(code, { joiner: 'lobby', timeoutMs: 60_000 });
    h.sandbox.api.deny(code);
    expect(await t.outcome).toMatchObject({ state: 'failed', reason: 'denied_by_host' });
    expect(await h.objectKeys(`acme/${meetingId}/`)).toEqual([]);
  });

  it('authenticated users only: sign_in_required', async () => {
    const { url } = h.sandbox.api.createMeeting({ ...zoom, wall: 'sign_in' });
    await expectJoinFailure(h, url, 'sign_in_required');
  });

  it('"We detected you may be a bot": captcha_wall, no retry loop', async () => {
    const { url } = h.sandbox.api.createMeeting({ ...zoom, wall: 'captcha' });
    await expectJoinFailure(h, url, 'captcha_wall');
  });

  it('a meeting id Zoom does not know: meeting_not_found', async () => {
    await expectJoinFailure(h, 'https://us05web.zoom.us/j/12345678901', 'meeting_not_found');
  });
});
