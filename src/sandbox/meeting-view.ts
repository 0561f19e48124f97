import type { Meeting } from './meeting.js';
import type { JoinerView, MeetingView, ParticipantView } from './types.js';

/** What the control API and tests see of a meeting: copies, so callers cannot change its state. */
export function meetingView(m: Meeting): MeetingView {
  const joiners: JoinerView[] = [...m.joiners.values()].map((j) => ({
    id: j.id, name: j.name, state: j.state, events: [...j.events], incomingVideo: j.incomingVideo, videoFrom: m.videoFrom(j.id), chat: [...j.chat],
    ...(j.leftBy ? { leftBy: j.leftBy } : {}),
  }));
  const participants: ParticipantView[] = [...m.participants.values()].map((p) => ({
    id: p.id, name: p.name, toneHz: p.toneHz, speaking: p.speaking, presenting: p.presenting, joinedAt: p.joinedAt, leftAt: p.leftAt, speech: [...p.speech],
    ...(p.flashPeriodMs !== undefined ? { flashPeriodMs: p.flashPeriodMs } : {}),
  }));
  return {
    platform: m.platform, code: m.code, url: m.url, state: m.state,
    options: { ...m.options }, joiners, participants, peersConnected: m.peersConnected(),
  };
}
