import type { FileJob, RecordingMode, ReasonCode, StoredObjectInfo, TerminalState } from '../contracts/index.js';
import type { SessionMachine } from '../session/machine.js';
import { MANIFEST_VERSION, type Manifest } from '../session/manifest.js';
import { safeUrl } from './allow-list.js';

/** Where a file job's media came from, as the manifest records it. */
export interface FileSourceInfo {
  kind: 'file';
  /** `s3://bucket/key`, a path, or the URL's origin and path (never its query: signed URLs). */
  origin: string;
  /** The source's own length, when its container states it. */
  durationSec: number | null;
  /** 1 for a one-sided (mono) dialer recording. */
  audioChannels: number;
  /** Audio tracks in the source (each side of a call may have its own). */
  audioTracks: number;
  /** How many of them are mixed into the recording: all whose codec ffmpeg knows. */
  audioTracksMixed: number;
  hasVideo: boolean;
  /** ffprobe's container name, e.g. `wav` or `mov,mp4,m4a,3gp,3g2,mj2`. */
  format: string;
  /** The container's creation_time tag, when it has one. */
  createdAt: string | null;
}

/** The live-session manifest, plus where the file came from. */
export type FileManifest = Manifest & { source: FileSourceInfo };

/** The job as stored: a URL source keeps only origin and path. Nothing else in a file job is secret. */
export function redactFileJob(job: FileJob): Record<string, unknown> {
  return { ...job, file: job.file.url !== undefined ? { url: safeUrl(job.file.url) } : { key: job.file.key } };
}

/**
 * Same shape as a session's manifest. A file has no call: `inCall` is null at both ends and no
 * participant was seen. `recording.startedAt` is when the recording itself started (the file's
 * creation_time tag), else when it was ingested; `endedAt` is that plus the kept duration.
 */
export function buildFileManifest(input: {
  job: FileJob;
  sessionId: string;
  machine: SessionMachine;
  mode: RecordingMode;
  startedAtMs: number;
  durationSec: number;
  media: StoredObjectInfo;
  source: FileSourceInfo;
  outcome: { state: TerminalState; reason?: ReasonCode };
}): FileManifest {
  const { job } = input;
  return {
    manifestVersion: MANIFEST_VERSION,
    meetingId: job.meetingId,
    sessionId: input.sessionId,
    tenantId: job.tenantId,
    platform: undefined,
    job: redactFileJob(job),
    timeline: [...input.machine.timeline],
    inCall: { start: null, end: null, interruptions: [] },
    recording: {
      mode: input.mode,
      startedAt: new Date(input.startedAtMs).toISOString(),
      endedAt: new Date(input.startedAtMs + Math.round(input.durationSec * 1000)).toISOString(),
      durationSec: input.durationSec,
      partial: false,
      pauses: [],
    },
    participants: [],
    outputs: [input.media],
    outcome: input.outcome,
    source: input.source,
  };
}
