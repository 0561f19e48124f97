import { mkdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadBotProfile } from '../config/profiles.js';
import { MeetcapError, toMeetcapError, type FileJob, type RecordingMode, type SessionOutcome } from '../contracts/index.js';
import { outputContentType, outputExtension } from '../media/ffmpeg/args.js';
import { probeSource } from '../media/ffmpeg/source-probe.js';
import { CleanupStack } from '../session/cleanup.js';
import { SessionMachine } from '../session/machine.js';
import type { SessionDeps } from '../session/run.js';
import { loadTenantSettings, TenantSettingsSchema } from './allow-list.js';
import { fetchSource } from './fetch.js';
import { buildFileManifest, type FileSourceInfo } from './manifest.js';
import { planIngest, transcode, type IngestPlan, type TranscodeResult } from './transcode.js';

type IngestDeps = Pick<SessionDeps, 'config' | 'storage' | 'clock' | 'log' | 'emit' | 'stop'>;
type Ids = { meetingId: string; sessionId: string };

/** Where a file job's objects go: the same layout as a live session's (`objectKeys` in session/recording.ts). */
export function fileObjectKeys(job: FileJob, sessionId: string, mode: RecordingMode): { media: string; manifest: string } {
  const prefix = job.output.keyPrefix ? `${job.output.keyPrefix.replace(/\/+$/, '')}/` : '';
  const base = `${prefix}${job.tenantId}/${job.meetingId}/${sessionId}`;
  return { media: `${base}/recording.${outputExtension(mode)}`, manifest: `${base}/manifest.json` };
}

/**
 * A file job, start to finish: fetch (launching) → probe, rules, transcode, upload, manifest
 * (finalizing) → done | discarded | failed. Every path ends in exactly one outcome event, and
 * the work directory is removed whatever happened.
 */
export async function runIngest(job: FileJob, sessionId: string, deps: IngestDeps): Promise<SessionOutcome> {
  const ids = { meetingId: job.meetingId, sessionId };
  const machine = new SessionMachine(ids, deps.emit, deps.clock, deps.log);
  const cleanup = new CleanupStack(deps.log);
  let outcome: SessionOutcome;
  try {
    outcome = await ingest(job, ids, deps, machine, cleanup);
  } catch (err) {
    const e = toMeetcapError(err);
    deps.log.warn({ code: e.code, err: e.message }, 'file job failed');
    const stopped = e.code === 'stopped_by_operator' && machine.can('cancelled');
    machine.to(stopped ? 'cancelled' : 'failed', e.code, e.message);
    outcome = { ...ids, state: stopped ? 'cancelled' : 'failed', reason: e.code, error: e.toJSON() };
  }
  await cleanup.closeAll();
  deps.emit({ type: 'outcome', data: outcome });
  return outcome;
}

async function ingest(job: FileJob, ids: Ids, deps: IngestDeps, machine: SessionMachine, cleanup: CleanupStack): Promise<SessionOutcome> {
  const { config, log } = deps;
  const ingestStartedAt = deps.clock.now();
  machine.to('launching');
  const profile = await loadBotProfile(config.profilesDir, job.botProfile);
  const tenant = job.file.url !== undefined ? await loadTenantSettings(config.tenantsDir, job.tenantId) : TenantSettingsSchema.parse({});
  const workDir = path.join(tmpdir(), 'meetcap-ingest', ids.sessionId);
  await mkdir(workDir, { recursive: true, mode: 0o700 });
  cleanup.defer('work directory', () => rm(workDir, { recursive: true, force: true }));

  const fetched = await fetchSource(job, {
    storage: deps.storage,
    tenant,
    target: path.join(workDir, 'source'),
    maxBytes: config.ingestMaxBytes,
    log,
    signal: deps.stop,
  });
  if (fetched.bytes === 0) throw new MeetcapError('source_unreadable', 'the file is empty (0 bytes)');
  const ffprobePath = ffprobeFor(config.ffmpegPath);
  const probe = await probeSource(fetched.file, ffprobePath);
  log.info({ source: fetched.origin, bytes: fetched.bytes, format: probe.formatName, durationSec: probe.durationSec }, 'source probed');
  const plan = planIngest(job, probe, profile.recording);
  const source: FileSourceInfo = {
    kind: 'file',
    origin: fetched.origin,
    durationSec: probe.durationSec ?? null,
    audioChannels: probe.audio?.channels ?? 0,
    audioTracks: probe.audio?.tracks ?? 0,
    audioTracksMixed: plan.kind === 'transcode' ? Math.max(1, plan.audioTracks.length) : 0,
    hasVideo: probe.video !== undefined,
    format: probe.formatName,
    createdAt: probe.creationTime ?? null,
  };
  machine.to('finalizing');
  if (plan.kind === 'discard') return discard(machine, ids, plan.durationSec, job.limits.minDurationSec);

  const output = path.join(workDir, `recording.${outputExtension(plan.mode)}`);
  const result = await transcode(job, plan, { input: fetched.file, output, ffmpegPath: config.ffmpegPath, ffprobePath, log, signal: deps.stop });
  if (result.durationSec < job.limits.minDurationSec) return discard(machine, ids, result.durationSec, job.limits.minDurationSec);
  const startedAtMs = probe.creationTime ? Date.parse(probe.creationTime) : ingestStartedAt;
  return store({ job, ids, deps, machine, plan, result, source, startedAtMs });
}

function discard(machine: SessionMachine, ids: Ids, durationSec: number, minSec: number): SessionOutcome {
  const message = `the file is ${Math.round(durationSec * 10) / 10} s long; the minimum is ${minSec} s`;
  machine.to('discarded', 'below_minimum_duration', message);
  return { ...ids, state: 'discarded', reason: 'below_minimum_duration' };
}

interface StoreInput {
  job: FileJob;
  ids: Ids;
  deps: IngestDeps;
  machine: SessionMachine;
  plan: Extract<IngestPlan, { kind: 'transcode' }>;
  result: TranscodeResult;
  source: FileSourceInfo;
  startedAtMs: number;
}

/** Uploads the output, then the manifest beside it. A failed upload leaves nothing (putFile's contract). */
async function store(s: StoreInput): Promise<SessionOutcome> {
  const { job, ids, deps, plan, result } = s;
  const keys = fileObjectKeys(job, ids.sessionId, plan.mode);
  // The output is a finished file (faststart rewrote it), so it goes up whole, not as a live stream.
  const media = await deps.storage.putFile(keys.media, result.output, outputContentType(plan.mode)).catch((err: unknown) => {
    throw toMeetcapError(err, 'upload_failed');
  });
  const reason = result.maxReached ? ('max_duration_reached' as const) : undefined;
  const outcome = { state: 'done' as const, ...(reason ? { reason } : {}) };
  const manifest = buildFileManifest({
    job,
    sessionId: ids.sessionId,
    machine: s.machine,
    mode: plan.mode,
    startedAtMs: s.startedAtMs,
    durationSec: result.durationSec,
    media,
    source: s.source,
    outcome,
  });
  const stored = await deps.storage.putObject(keys.manifest, `${JSON.stringify(manifest, null, 2)}\n`, 'application/json').catch((err: unknown) => {
    throw toMeetcapError(err, 'upload_failed');
  });
  s.machine.to('done', reason);
  deps.log.info({ media: media.uri, durationSec: result.durationSec, reason }, 'file job stored');
  return { ...ids, ...outcome, recording: { ...manifest.recording, objects: [media], manifest: stored }, manifestUri: stored.uri };
}

/** ffprobe lives beside the configured ffmpeg. */
export function ffprobeFor(ffmpegPath: string): string {
  return ffmpegPath.replace(/ffmpeg(\.exe)?$/, 'ffprobe$1');
}
