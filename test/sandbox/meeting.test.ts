import { afterEach, describe, expect, it, vi } from 'vitest';
import { SandboxError } from '../../src/sandbox/errors.js';
import { Meeting } from '../../src/sandbox/meeting.js';
import type { MeetingOptions } from '../../src/sandbox/types.js';

const base: MeetingOptions = {
  open: false, lobbyTimeoutMs: 1000, recordingNotice: true, permissionPrompt: true, started: true, passcodeInUrl: true,
  teamsAvModal: 'none', teamsAudioDefault: 'computer', zoomClient: 'iframe', zoomNameField: 'react', zoomNotStarted: 'waiting',
};
const meeting = (o: Partial<MeetingOptions> = {}): Meeting =>
  new Meeting('meet', 'abc-defg-hij', 'https://meet.google.com/abc-defg-hij', { ...base, ...o });

describe('Meeting state machine', () => {
  afterEach(() => void vi.useRealTimers());

  it('refuses to join without a name and keeps the joiner in pre-join', () => {
    const m = meeting();
    const j = m.addJoiner();
    expect(() => m.requestJoin(j.id, '   ')).toThrow(SandboxError);
    expect(m.joiner(j.id).state).toBe('prejoin');
  });

  it('puts joiners in the lobby, or straight in the call when the meeting is open', () => {
    const closed = meeting();
    const a = closed.addJoiner();
    closed.requestJoin(a.id, 'Bot');
    expect(a.state).toBe('lobby');
    const open = meeting({ open: true });
    const b = open.addJoiner();
    open.requestJoin(b.id, 'Bot');
    expect(b.state).toBe('in_call');
    expect(b.events.map((e) => e.state)).toEqual(['prejoin', 'in_call']);
  });

  it('expires the lobby request after lobbyTimeoutMs, and auto-admits when asked to', () => {
    vi.useFakeTimers();
    const m = meeting({ lobbyTimeoutMs: 1000 });
    const j = m.addJoiner();
    m.requestJoin(j.id, 'Bot');
    vi.advanceTimersByTime(999);
    expect(j.state).toBe('lobby');
    vi.advanceTimersByTime(1);
    expect(j.state).toBe('expired');

    const auto = meeting({ lobbyTimeoutMs: 1000, autoAdmitAfterMs: 200 });
    const k = auto.addJoiner();
    auto.requestJoin(k.id, 'Bot');
    vi.advanceTimersByTime(200);
    expect(k.state).toBe('in_call');
    vi.advanceTimersByTime(5000);
    expect(k.state).toBe('in_call'); // the lobby timer died with the lobby
  });

  it('admits, denies and removes by id or everyone, with clear errors otherwise', () => {
    const m = meeting();
    const [a, b, c] = [m.addJoiner(), m.addJoiner(), m.addJoiner()];
    for (const j of [a, b, c]) m.requestJoin(j.id, `Bot ${j.id}`);
    expect(m.deny(c.id)).toEqual([c.id]);
    expect(m.admit()).toEqual([a.id, b.id]);
    expect(() => m.deny(a.id)).toThrow(/in_call, not lobby/);
    expect(() => m.admit('j-404')).toThrow(expect.objectContaining({ code: 'joiner_not_found' }));
    expect(m.remove(a.id)).toEqual([a.id]);
    expect([a.state, b.state, c.state]).toEqual(['removed', 'in_call', 'denied']);
  });

  it('ends the meeting for every joiner still around and for all participants', () => {
    const m = meeting();
    const [inCall, waiting] = [m.addJoiner(), m.addJoiner()];
    m.requestJoin(inCall.id, 'A');
    m.admit(inCall.id);
    m.requestJoin(waiting.id, 'B');
    const p = m.addParticipant('Alice', 440, true);
    m.participantReady(p.id);
    m.setPeerState(p.id, inCall.id, 'connected');
    expect(m.peersConnected()).toBe(1);
    m.end();
    expect([inCall.state, waiting.state, m.state]).toEqual(['ended', 'ended', 'ended']);
    expect(p.left).toBe(true);
    expect(p.speech.at(-1)?.on).toBe(false);
    expect(m.peersConnected()).toBe(0);
    expect(() => m.addParticipant('Late', 500, false)).toThrow(expect.objectContaining({ code: 'meeting_ended' }));
    expect(m.addJoiner().state).toBe('ended');
  });

  it('ignores peer reports for pairs that are gone', () => {
    const m = meeting({ open: true });
    const j = m.addJoiner();
    m.requestJoin(j.id, 'Bot');
    const p = m.addParticipant('Alice', 440, false);
    m.participantReady(p.id);
    m.leave(j.id);
    m.setPeerState(p.id, j.id, 'connected');
    expect(m.peersConnected()).toBe(0);
  });

  it("keeps a joiner's incoming-video request and counts whose video flows to it, forgetting pairs that are gone", () => {
    const m = meeting({ open: true });
    const j = m.addJoiner();
    m.requestJoin(j.id, 'Bot');
    const [a, b] = [m.addParticipant('Alice', 440, false), m.addParticipant('Bob', 660, false)];
    for (const p of [a, b]) {
      m.participantReady(p.id);
      m.setPeerVideo(p.id, j.id, true);
    }
    expect(m.view().joiners[0]).toMatchObject({ incomingVideo: true, videoFrom: 2 });
    m.setIncomingVideo(j.id, false);
    m.setPeerVideo(a.id, j.id, false);
    expect(m.view().joiners[0]).toMatchObject({ incomingVideo: false, videoFrom: 1 });
    m.participantLeft(b.id);
    m.setPeerVideo(b.id, j.id, true); // a late report from a participant that left
    expect(m.videoFrom(j.id)).toBe(0);
    m.setPeerVideo(a.id, j.id, true);
    m.leave(j.id);
    expect(m.videoFrom(j.id)).toBe(0);
  });

  it('puts a joiner in the call back in the lobby (it can be let in again or expire), and drops a connection for a while', () => {
    vi.useFakeTimers();
    const m = meeting({ open: true, lobbyTimeoutMs: 1000 });
    const j = m.addJoiner();
    m.requestJoin(j.id, 'Bot');
    expect(m.hold(j.id)).toEqual([j.id]);
    expect(j.state).toBe('lobby');
    expect(m.admit(j.id)).toEqual([j.id]);
    expect(m.dropConnection(undefined, 500)).toEqual([j.id]);
    expect(j.state).toBe('reconnecting');
    vi.advanceTimersByTime(500);
    expect(j.state).toBe('in_call');
    m.hold(j.id);
    vi.advanceTimersByTime(1000);
    expect(j.events.map((e) => e.state)).toEqual(['prejoin', 'in_call', 'lobby', 'in_call', 'reconnecting', 'in_call', 'lobby', 'expired']);
    // A drop that outlives the meeting does not bring the joiner back.
    const n = meeting({ open: true });
    const k = n.addJoiner();
    n.requestJoin(k.id, 'Bot');
    n.dropConnection(k.id, 500);
    n.end();
    vi.advanceTimersByTime(500);
    expect(k.state).toBe('ended');
  });

  it('holds joiners of a meeting the host has not started, then lets them on when it starts', () => {
    const m = meeting({ started: false, open: true });
    const j = m.addJoiner();
    m.requestJoin(j.id, 'Bot');
    expect(j.state).toBe('waiting_host');
    expect(m.start()).toEqual([j.id]);
    expect(j.events.map((e) => e.state)).toEqual(['prejoin', 'waiting_host', 'in_call']);
    expect(m.start()).toEqual([]);
  });

  it('asks for the passcode, refuses a wrong one, and accepts the passcode typed or its encoding from the link', () => {
    const m = meeting({ passcode: '584706' });
    m.passcodeAliases = ['cWY6UT09.1'];
    const j = m.addJoiner();
    expect(() => m.requestJoin(j.id, 'Bot')).toThrow(expect.objectContaining({ code: 'passcode_required' }));
    expect(() => m.requestJoin(j.id, 'Bot', { typed: '111111' })).toThrow(expect.objectContaining({ code: 'passcode_wrong' }));
    // The link's encoded form typed into the field is wrong, as on the real pages.
    expect(() => m.requestJoin(j.id, 'Bot', { typed: 'cWY6UT09.1' })).toThrow(expect.objectContaining({ code: 'passcode_wrong' }));
    expect(() => m.requestJoin(j.id, 'Bot', { fromLink: '584706' })).toThrow(expect.objectContaining({ code: 'passcode_wrong' }));
    expect(j.state).toBe('prejoin');
    m.requestJoin(j.id, 'Bot', { typed: ' 584706 ' });
    expect(j.state).toBe('lobby');
    const k = m.addJoiner();
    m.requestJoin(k.id, 'Bot', { fromLink: 'cWY6UT09.1' });
    expect(k.state).toBe('lobby');
  });
});
