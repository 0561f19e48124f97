import type { Page } from 'puppeteer-core';
import type { Logger } from 'pino';
import type { Config } from '../config/index.js';
import { loadBotProfile } from '../config/profiles.js';
import {
  MeetcapError,
  toMeetcapError,
  type MeetingJob,
  type ControlCommand,
  type ControlResult,
  type ReasonCode,
  type SessionEvent,
  type SessionOutcome,
  type StoredObjectInfo,
} from '../contracts/index.js';
import type { Storage } from '../media/storage/storage.js';
import type { PlatformAdapter } from '../platforms/platform.js';
import { resolvePlatform } from '../platforms/resolve.js';
import { chooseAdapter } from './adapter-choice.js';
import { blockedNavigationReason, guardNavigation, launchBrowser } from './browser.js';
import { CleanupStack } from './cleanup.js';
import { RecordingControl } from './control.js';
import { ConsentNotice, type ConsentNoticeReport } from './consent.js';
import { keepRecoveryDraft } from './draft.js';
import type { Clock } from './clock.js';
import { SessionMachine } from './machine.js';
import type { Interruption } from './call-presence.js';
import { buildManifest } from './manifest.js';
import type { LiveBrowser } from './health.js';
import { joinAndWait } from './joining.js';
import { callPresence, monitorCall, type CallContext } from './monitor.js';
import { ParticipantTracker } from './participants.js';
import { partsBlock, readPreviousParts, type MeetingPart, type MissingPart, type PreviousSession } from './parts.js';
import { SessionRecording, type FinishedRecording } from './recording.js';
import { keepRecording } from './watchdogs.js';

export interface SessionDeps {
  config: Config;
  storage: Storage;
  clock: Clock;
  log: Logger;
  emit: (event: SessionEvent) => void;
  /** Aborted when an operator or the worker asks the session to stop. */
  stop: AbortSignal;
  /** Earlier sessions of the same meeting (takeover, restart): the manifest lists their parts. */
  previousSessions?: readonly PreviousSession[];
  /** Where recording commands arrive; the session installs its handler here once it exists. */
  onControl?: (handler: (command: ControlCommand) => Promise<ControlResult>) => void;
  /** Told once the browser and capture exist (health reports and screenshots read them). */
  onLive?: (live: LiveBrowser) => void;
}

/**
 * One meeting, start to finish: launch → join → wait → record → leave → finalize. Every path,
 * including crashes of the page or the browser, ends in exactly one outcome event.
 */
export async function runSession(job: MeetingJob, sessionId: string, deps: SessionDeps): Promise<SessionOutcome> {
  const { log, clock } = deps;
  const ids = { meetingId: job.meetingId, sessionId };
  const machine = new SessionMachine(ids, deps.emit, clock, log);
  const cleanup = new CleanupStack(log);
  const participants = new ParticipantTracker(clock, (list) =>
    deps.emit({ type: 'participants', data: { ...ids, participants: list } }),
  );
  // A capture failure mid-call stops the session like an operator would, keeping what was recorded.
  const stop = new AbortController();
  // The reason travels on (stuck_session_killed, worker_lost…): it becomes the outcome's reason.
  if (deps.stop.aborted) stop.abort(deps.stop.reason);
  else deps.stop.addEventListener('abort', () => stop.abort(deps.stop.reason), { once: true });
  let recording: SessionRecording | undefined;
  const control = new RecordingControl(machine, log);
  deps.onControl?.((command) => control.handle(command));
  let endReason: ReasonCode | undefined;
  let failure: MeetcapError | undefined;
  let redactedUrl = '[not a meeting link]';
  let finished: FinishedRecording | undefined;
  let liveBrowser: Page | undefined;
  const presence = callPresence(clock, job, deps.config.reconnectGraceSec * 1000);
  let consent: ConsentNotice | undefined;

  try {
    const resolved = resolvePlatform(job.meetingUrl, job.platform);
    const { meeting } = resolved;
    machine.platform = meeting.platform;
    redactedUrl = meeting.redactedUrl;
    const profile = await loadBotProfile(deps.config.profilesDir, job.botProfile);
    log.info({ platform: meeting.platform, url: meeting.redactedUrl, botProfile: job.botProfile }, 'session starting');

    machine.to('launching');
    const { adapter, origin } = await chooseAdapter(meeting, resolved.adapter, { job, profile, config: deps.config, cleanup, log });
    const browser = await launchBrowser(deps.config, profile, origin, log, sessionId);
    liveBrowser = browser.page;
    cleanup.defer('browser', browser.close);
    const blocked = blockedNavigations(adapter);
    await guardNavigation(browser.page, (host) => adapter.allowsNavigationTo(host), blocked.record);
    recording = new SessionRecording(browser.page, job, sessionId, { storage: deps.storage, log, profile, ffmpegPath: deps.config.ffmpegPath });
    cleanup.defer('capture', () => recording?.close());
    deps.onLive?.({ page: browser.page, media: recording });

    const botName = job.overrides.botName ?? profile.botName;
    consent = new ConsentNotice(job, botName, clock);
    const ctx: CallContext = { page: browser.page, adapter, job, clock, log, stop: stop.signal, blocked: blocked.reason, participants, presence, botName, consent };
    await joinAndWait(ctx, machine, meeting);
    const fail = (err: MeetcapError): void => {
      failure ??= err;
      stop.abort();
    };
    endReason = await recordCall(ctx, { machine, recording, control, sessionId, redactedUrl, fail });
    if (failure) throw failure;
    machine.to('leaving', endReason);
    // The recording ends when the call does (or at the maximum), not after the leave clicks.
    finished = await stopRecording(recording, (err) => (failure ??= err));
    // A recording that will be kept starts completing now, not after the leave clicks:
    // finalize's keep() then gets the same completion.
    if (finished && keepRecording(finished.durationSec, job.limits.minDurationSec)) finished.keep().catch(() => undefined);
    await adapter.leave(browser.page, log).catch((err: unknown) => log.warn({ err }, 'leave failed'));
  } catch (err) {
    failure = toMeetcapError(failure ?? err);
    log.warn({ code: failure.code, err: failure.message }, 'session stopping on error');
    if (machine.can('leaving')) machine.to('leaving', failure.code);
  }

  await control.close();
  finished ??= await stopRecording(recording, (err) => (failure ??= err));
  failure = crashCause(failure, liveBrowser);
  const outcome = await finalize({ job, sessionId, deps, machine, participants, finished, endReason, failure, redactedUrl, interruptions: presence.interruptions(), consent: consent?.report() });
  await cleanup.closeAll();
  deps.emit({ type: 'outcome', data: outcome });
  return outcome;
}

/**
 * In the call: the recording starts when the job says (RecordingControl), a recovery draft is kept
 * beside it, and the call is watched until something ends it. Pauses also pause the speaker timeline.
 */
async function recordCall(
  ctx: CallContext,
  s: { machine: SessionMachine; recording: SessionRecording; control: RecordingControl; sessionId: string; redactedUrl: string; fail: (err: MeetcapError) => void },
): Promise<ReasonCode> {
  const { machine, recording, control } = s;
  const draft = keepRecoveryDraft({ ...s, job: ctx.job, participants: ctx.participants, presence: ctx.presence, ...(ctx.consent ? { consent: ctx.consent } : {}), clock: ctx.clock, log: ctx.log });
  const speakers = ctx.participants.speakers;
  control.onPauseChange((paused) => {
    if (paused) speakers.pause();
    else speakers.resume();
    draft.write();
  });
  const inCallAt = ctx.clock.now();
  const started = (): void => {
    machine.to('recording');
    ctx.consent?.recordingStarted();
    draft.write();
  };
  control.begin(recording, ctx.job.recordingStart, ctx.stop, started, s.fail);
  void recording.failure.then(s.fail);
  await ctx.adapter.tidy(ctx.page, ctx.log).catch((err: unknown) => ctx.log.warn({ err }, 'tidy failed'));
  // Nobody sees an audio-only bot's picture: not receiving the video saves decoding it.
  if (recording.mode === 'audio_only' && ctx.adapter.stopIncomingVideo) {
    await ctx.adapter.stopIncomingVideo(ctx.page, ctx.log).catch((err: unknown) => ctx.log.warn({ err }, 'turning incoming video off failed'));
  }
  try {
    return await monitorCall(ctx, () => recording.startedAt ?? inCallAt);
  } finally {
    await control.close();
    draft.close();
  }
}

/** The recording's result, or undefined when it never started or could not be finished (reported through `onError`). */
async function stopRecording(recording: SessionRecording | undefined, onError: (err: MeetcapError) => void): Promise<FinishedRecording | undefined> {
  try {
    return recording?.started ? await recording.stop() : undefined;
  } catch (err) {
    onError(toMeetcapError(err, 'capture_failed'));
    return undefined;
  }
}

/** Remembers the first top-level navigation the guard blocked and what it means. */
function blockedNavigations(adapter: PlatformAdapter): { record: (url: string) => void; reason: () => ReasonCode | null } {
  let reason: ReasonCode | null = null;
  return {
    record: (url) => {
      reason ??= blockedNavigationReason(adapter, url);
    },
    reason: () => reason,
  };
}

/**
 * A Chromium that dies mid-call is seen first by whatever used it (the capture's socket closing
 * is capture_failed); by the time the session finalizes, the browser's disconnect is known and
 * is the real cause, the one the worker restarts a session for.
 */
function crashCause(failure: MeetcapError | undefined, page: Page | undefined): MeetcapError | undefined {
  if (!failure || failure.code === 'browser_crashed' || !page || page.browser().connected) return failure;
  return new MeetcapError('browser_crashed', `Chromium disconnected (first seen as ${failure.code}: ${failure.message})`, {}, { cause: failure });
}

function thisPart(sessionId: string, finished: FinishedRecording, media: StoredObjectInfo, reason: ReasonCode | undefined): MeetingPart {
  const at = (ms: number): string => new Date(ms).toISOString();
  return { sessionId, startedAt: at(finished.startedAt), endedAt: at(finished.endedAt), durationSec: finished.durationSec, partial: finished.partial, ...(reason ? { endReason: reason } : {}), outputs: [media] };
}

interface FinalizeInput {
  job: MeetingJob;
  sessionId: string;
  deps: SessionDeps;
  machine: SessionMachine;
  participants: ParticipantTracker;
  finished?: FinishedRecording;
  endReason?: ReasonCode;
  failure?: MeetcapError;
  redactedUrl: string;
  interruptions: Interruption[];
  consent: ConsentNoticeReport | undefined;
}

/**
 * Keeps or discards the recording and writes the manifest. A recording that reached the minimum
 * is kept whatever ended the session (a crash mid-call keeps what was captured); a shorter one
 * leaves nothing in storage. A session that never recorded stores nothing either.
 */
async function finalize(f: FinalizeInput): Promise<SessionOutcome> {
  const { machine, finished, job } = f;
  const ids = { meetingId: job.meetingId, sessionId: f.sessionId };
  if (machine.can('finalizing')) machine.to('finalizing');
  const reason = f.failure?.code ?? f.endReason;
  if (!finished) {
    machine.to('failed', reason ?? 'internal_error', f.failure?.message);
    return { ...ids, state: 'failed', reason: reason ?? 'internal_error', ...(f.failure ? { error: f.failure.toJSON() } : {}) };
  }
  const previous = f.deps.previousSessions?.length ? await readPreviousParts(f.deps.storage, job, f.deps.previousSessions, f.deps.log) : [];
  // The minimum applies to the meeting's recording, every part together.
  const previousSec = previous.reduce((sum, p) => sum + ('missing' in p ? 0 : p.durationSec), 0);
  if (keepRecording(finished.durationSec + previousSec, job.limits.minDurationSec)) return keep(f, finished, reason, previous);
  await finished.discard();
  machine.to('discarded', 'below_minimum_duration');
  return { ...ids, state: 'discarded', reason: 'below_minimum_duration' };
}

async function keep(
  f: FinalizeInput,
  finished: FinishedRecording,
  reason: ReasonCode | undefined,
  previous: ReadonlyArray<MeetingPart | MissingPart>,
): Promise<SessionOutcome> {
  const { machine, job, deps } = f;
  const ids = { meetingId: job.meetingId, sessionId: f.sessionId };
  try {
    const media = await finished.keep();
    const outcome = { state: 'done' as const, ...(reason ? { reason } : {}) };
    const manifest = buildManifest({
      job,
      sessionId: f.sessionId,
      machine,
      participants: f.participants.list(),
      speakers: f.participants.speakers,
      finished,
      media,
      outcome,
      redactedUrl: f.redactedUrl,
      interruptions: f.interruptions,
      ...(f.consent ? { consentNotice: f.consent } : {}),
      ...(previous.length ? { parts: partsBlock(previous, thisPart(f.sessionId, finished, media, reason)) } : {}),
    });
    const stored = await deps.storage.putObject(finished.manifestKey, `${JSON.stringify(manifest, null, 2)}\n`, 'application/json');
    machine.to('done', reason);
    return {
      ...ids,
      state: 'done',
      ...(reason ? { reason } : {}),
      recording: { ...manifest.recording, objects: [media], manifest: stored },
      manifestUri: stored.uri,
    };
  } catch (err) {
    const e = toMeetcapError(err, 'upload_failed');
    deps.log.error({ code: e.code, err: e.message }, 'could not store the recording');
    if (machine.can('failed')) machine.to('failed', e.code, e.message);
    return { ...ids, state: 'failed', reason: e.code, error: e.toJSON() };
  }
}
