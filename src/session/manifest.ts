import type { MeetingJob, RecordingMode, ParticipantSeen, StateChange, StoredObjectInfo, TerminalState, ReasonCode } from '../contracts/index.js';
import type { SessionMachine } from './machine.js';
import type { FinishedRecording } from './recording.js';

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
  inCall: { start: string | null; end: string | null };
  recording: {
    mode: RecordingMode;
    startedAt: string;
    endedAt: string;
    durationSec: number;
    partial: boolean;
  };
  participants: ParticipantSeen[];
  outputs: StoredObjectInfo[];
  outcome: { state: TerminalState; reason?: ReasonCode };
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
  finished: FinishedRecording;
  media: StoredObjectInfo;
  outcome: { state: TerminalState; reason?: ReasonCode };
  redactedUrl: string;
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
    },
    recording: {
      mode: finished.mode,
      startedAt: new Date(finished.startedAt).toISOString(),
      endedAt: new Date(finished.endedAt).toISOString(),
      durationSec: finished.durationSec,
      partial: finished.partial,
    },
    participants: input.participants,
    outputs: [input.media],
    outcome: input.outcome,
  };
}
