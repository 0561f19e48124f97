import type { MeetingJob, RecordingMode, ParticipantSeen, StateChange, StoredObjectInfo, TerminalState, ReasonCode } from '../contracts/index.js';
import { primaryExternalSpeaker, type PrimaryExternal, type SpeakerMatch } from './attendees.js';
import type { SessionMachine } from './machine.js';
import type { PartsBlock } from './parts.js';
import type { Interruption } from './call-presence.js';
import type { ConsentNoticeReport } from './consent.js';
import type { FinishedRecording, PausedSpan } from './recording.js';
import type { SpeakerSegment, SpeakerTimeline } from './speakers.js';

export const MANIFEST_VERSION = 1;

export interface Manifest {
  manifestVersion: number;
  meetingId: string;
  sessionId: string;
  tenantId: string;
  platform: string | undefined;
  /** The job as scheduled, passcode and URL secrets removed. */
  job: Record<string, unknown>;
  timeline: StateChange[];
  /**
   * When the bot was in the call. `interruptions`: spans it was out of it after admission
   * (reconnecting, put back in the waiting room, an unrecognised page); the recording ran on.
   */
  inCall: { start: string | null; end: string | null; interruptions?: Interruption[] };
  recording: {
    mode: RecordingMode;
    startedAt: string;
    endedAt: string;
    durationSec: number;
    /** True when something broke and the recording holds what was captured up to then. */
    partial: boolean;
    /** Why it is partial (a catalogue code). */
    partialReason?: ReasonCode;
    /** Spans cut out by pause/resume: silence and black video, in the file's own timeline. */
    pauses: PausedSpan[];
  };
  participants: ParticipantSeen[];
  /** Who spoke when, and the external attendee who spoke longest. Absent for file jobs (no call to watch). */
  speakers?: SpeakersBlock;
  outputs: StoredObjectInfo[];
  /**
   * Only when the meeting was recorded in more than one session (worker takeover, browser
   * restart): every part in order, this one last, and the gaps between them.
   */
  meetingParts?: PartsBlock;
  /** Only when the job asked for a recording notice in the meeting chat: what it said and when it went out. */
  consentNotice?: ConsentNoticeReport;
  outcome: { state: TerminalState; reason?: ReasonCode };
}

export interface SpeakersBlock {
  timeline: SpeakerSegment[];
  talkTimeSec: Record<string, number>;
  matches: SpeakerMatch[];
  primaryExternalAttendee: PrimaryExternal | null;
}

/** Talk time counts up to the recording's end: what was said after it is not in the file. */
function speakersBlock(timeline: SpeakerTimeline, job: MeetingJob, recordingEnd: number): SpeakersBlock {
  const { timeline: segments, talkTimeSec } = timeline.report(recordingEnd);
  const { matches, primary } = primaryExternalSpeaker(talkTimeSec, job.attendees, job.internalDomains);
  return { timeline: segments, talkTimeSec, matches, primaryExternalAttendee: primary };
}

export function redactJob(job: MeetingJob, redactedUrl: string): Record<string, unknown> {
  const { passcode, meetingUrl: _url, zoom, ...rest } = job;
  return {
    ...rest,
    meetingUrl: redactedUrl,
    passcode: passcode ? '[REDACTED]' : undefined,
    // Which tokens were given is useful when Zoom refuses a join; the tokens themselves are secrets.
    zoom: zoom ? { zak: zoom.zak ? '[REDACTED]' : undefined, obfToken: zoom.obfToken ? '[REDACTED]' : undefined } : undefined,
  };
}

export function buildManifest(input: {
  job: MeetingJob;
  sessionId: string;
  machine: SessionMachine;
  participants: ParticipantSeen[];
  speakers: SpeakerTimeline;
  finished: FinishedRecording;
  media: StoredObjectInfo;
  outcome: { state: TerminalState; reason?: ReasonCode };
  redactedUrl: string;
  parts?: PartsBlock;
  interruptions?: Interruption[];
  consentNotice?: ConsentNoticeReport;
}): Manifest {
  const { job, machine, finished } = input;
  const inCallAt = machine.enteredAt('in_call');
  const leftAt = machine.enteredAt('leaving');
  return {
    manifestVersion: MANIFEST_VERSION,
    meetingId: job.meetingId,
    sessionId: input.sessionId,
    tenantId: job.tenantId,
    platform: machine.platform,
    job: redactJob(job, input.redactedUrl),
    timeline: [...machine.timeline],
    inCall: {
      start: inCallAt ? new Date(inCallAt).toISOString() : null,
      end: leftAt ? new Date(leftAt).toISOString() : null,
      interruptions: input.interruptions ?? [],
    },
    recording: {
      mode: finished.mode,
      startedAt: new Date(finished.startedAt).toISOString(),
      endedAt: new Date(finished.endedAt).toISOString(),
      durationSec: finished.durationSec,
      partial: finished.partial,
      ...(finished.error ? { partialReason: finished.error.code } : {}),
      pauses: finished.pauses,
    },
    participants: input.participants,
    speakers: speakersBlock(input.speakers, job, finished.endedAt),
    outputs: [input.media],
    ...(input.parts ? { meetingParts: input.parts } : {}),
    ...(input.consentNotice ? { consentNotice: input.consentNotice } : {}),
    outcome: input.outcome,
  };
}
