import { setTimeout as scenario } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../helpers/harness.js';
import { audioOnlyWithoutVideo, expectJoinFailure, keptAfter, recordsTwoSpeakers, schedule } from './scenarios.js';

/** The Teams anonymous web join imitation, through the queue, every way a join can end. */
let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

const teams = { platform: 'teams' as const };

describe('Microsoft Teams through the queue', () => {
  it('an audio-only bot turns incoming video off (More actions > "Turn off incoming video") and records an M4A', async () => {
    await audioOnlyWithoutVideo(h, { ...teams, teamsAvModal: 'none' });
  });

  it('records two speakers; the no-audio/video modal comes AFTER Join now (Join pressed again); a pre-join on "Don\'t use audio" is switched to Computer audio', async () => {
    await recordsTwoSpeakers(h, { ...teams, teamsAvModal: 'after', teamsAudioDefault: 'none' });
  });

  it('the modal comes BEFORE Join now; ended by the host: recording kept', async () => {
    await keptAfter(h, { ...teams, teamsAvModal: 'before' }, 'meeting_ended', (code) => h.sandbox.api.end(code));
  });

  it('removed by the host: recording kept, reason removed_by_host', async () => {
    await keptAfter(h, teams, 'removed_by_host', (code) => h.sandbox.api.remove(code));
  });

  it('everyone left: the bot leaves after its alone limit and keeps the recording', async () => {
    await keptAfter(h, teams, 'everyone_left', (code, id) => h.sandbox.api.removeParticipant(code, id), { limits: { aloneTimeoutSec: 2 } });
  });

  it('meeting-ID link with its passcode (p=) joins', async () => {
    await keptAfter(h, { ...teams, passcode: 'abc123' }, 'meeting_ended', (code) => h.sandbox.api.end(code));
  });

  it('meeting not started yet: the bot waits in the lobby and is let in once it starts', async () => {
    const { code, url } = h.sandbox.api.createMeeting({ ...teams, started: false });
    const { t } = await schedule(h, url);
    await h.sandbox.api.wait(code, { joiner: 'waiting_host', timeoutMs: 60_000 });
    await t.reached('waiting_room');
    h.sandbox.api.start(code);
    h.sandbox.api.admit(code);
    await t.reached('recording');
    await scenario(2_000); // a short meeting, still over the 1 s minimum the harness sets
    h.sandbox.api.end(code);
    expect(await t.outcome).toMatchObject({ state: 'done', reason: 'meeting_ended' });
  });
});

// Joins that end before any media flows. Not run concurrently: on two cores two bots launching
// at once each take two to three times as long, which gains nothing.
describe('Microsoft Teams: joins that end before the call', () => {
  it('meeting-ID link without a passcode anywhere: passcode_required', async () => {
    const { url } = h.sandbox.api.createMeeting({ ...teams, passcode: 'abc123', passcodeInUrl: false });
    await expectJoinFailure(h, url, 'passcode_required');
  });

  it('a passcode Teams refuses: passcode_wrong', async () => {
    const { url } = h.sandbox.api.createMeeting({ ...teams, passcode: 'abc123', passcodeInUrl: false });
    await expectJoinFailure(h, url, 'passcode_wrong', { passcode: 'zzz999' });
  });

  it('nobody admits from the lobby: waiting_room_timeout', async () => {
    const { url } = h.sandbox.api.createMeeting(teams);
    const t = await expectJoinFailure(h, url, 'waiting_room_timeout', { limits: { waitingRoomTimeoutSec: 5 } });
    expect(t.states.map((s) => s.state)).toContain('waiting_room');
  });

  it('"Sorry, but you were denied access to the meeting": denied_by_host', async () => {
    const { code, url } = h.sandbox.api.createMeeting(teams);
    const { t, meetingId } = await schedule(h, url);
    await h.sandbox.api.wait(code, { joiner: 'lobby', timeoutMs: 60_000 });
    h.sandbox.api.deny(code);
    expect(await t.outcome).toMatchObject({ state: 'failed', reason: 'denied_by_host' });
    expect(await h.objectKeys(`acme/${meetingId}/`)).toEqual([]);
  });

  it('signed-in users only: sign_in_required', async () => {
    const { url } = h.sandbox.api.createMeeting({ ...teams, wall: 'sign_in' });
    await expectJoinFailure(h, url, 'sign_in_required');
  });

  it('"Verify you\'re a real person": captcha_wall', async () => {
    const { url } = h.sandbox.api.createMeeting({ ...teams, wall: 'captcha' });
    await expectJoinFailure(h, url, 'captcha_wall');
  });

  it('a meeting Teams does not know: meeting_not_found', async () => {
    await expectJoinFailure(h, 'https://teams.microsoft.com/meet/918273645501?p=nope', 'meeting_not_found');
  });
});
