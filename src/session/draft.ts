import type { Logger } from 'pino';
import type { MeetingJob } from '../contracts/index.js';
import type { CallPresence } from './call-presence.js';
import type { Clock } from './clock.js';
import type { ConsentNotice } from './consent.js';
import type { SessionMachine } from './machine.js';
import { buildManifest } from './manifest.js';
import type { ParticipantTracker } from './participants.js';
import type { SessionRecording } from './recording.js';

const EVERY_MS = 10_000;

/**
 * Keeps a manifest draft beside the spooled recording while it runs: the manifest as it would be
 * if the session died now (partial, reason session_crashed). A worker that finds the spool after
 * a crash completes the upload and stores this draft with the real length filled in. Written at
 * the start, on every state change, and every 10 s (participants and speakers move on).
 */
export function keepRecoveryDraft(input: {
  job: MeetingJob;
  sessionId: string;
  machine: SessionMachine;
  participants: ParticipantTracker;
  presence: CallPresence;
  consent?: ConsentNotice;
  recording: SessionRecording;
  clock: Clock;
  redactedUrl: string;
  log: Logger;
}): { write(): void; close(): void } {
  const { recording, clock } = input;
  let closed = false;
  const write = (): void => {
    if (closed || !recording.started) return;
    const consentNotice = input.consent?.report();
    const manifest = buildManifest({
      ...input,
      participants: input.participants.list(),
      speakers: input.participants.speakers,
      interruptions: input.presence.interruptions(),
      ...(consentNotice ? { consentNotice } : {}),
      finished: recording.snapshot(clock.now()),
      media: { key: '', uri: '', size: 0, contentType: '' },
      outcome: { state: 'done', reason: 'session_crashed' },
    });
    recording.saveRecoveryContext(manifest).catch((err: unknown) => input.log.warn({ err }, 'could not save the recovery draft'));
  };
  const timer = setInterval(write, EVERY_MS);
  timer.unref();
  return {
    write,
    close() {
      closed = true;
      clearInterval(timer);
    },
  };
}
