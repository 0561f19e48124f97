import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { toMeetcapError, type ReasonCode, type SessionOutcome } from '../contracts/index.js';
import type { Manifest } from '../session/manifest.js';
import { S3Storage } from '../media/storage/s3.js';
import { JOURNAL, readJson, type SpoolJournal } from '../media/storage/spool/journal.js';
import { recoverSpool, spoolDirs } from '../media/storage/spool/recover.js';
import type { Storage } from '../media/storage/storage.js';

interface RecoveryContext {
  manifestKey: string;
  manifest: Manifest;
}

/**
 * After a session process died without an outcome: completes what it had spooled (a playable
 * recording up to its last whole fragment), stores the session's manifest draft marked partial
 * with reason session_crashed (or why the worker killed it: `reason`), and returns the outcome
 * the session could not send. Undefined
 * when there is nothing to recover (no spool, nothing captured, or storage without spooling).
 */
export async function recoverCrashedSession(
  ids: { meetingId: string; sessionId: string },
  minDurationSec: number,
  storage: Storage,
  log: Logger,
  reason: ReasonCode = 'session_crashed',
): Promise<SessionOutcome | undefined> {
  if (!(storage instanceof S3Storage)) return undefined;
  const dir = join(storage.spoolDir, ids.sessionId);
  if (!(await stat(dir).then(() => true, () => false))) return undefined;
  try {
    const result = await recoverSpool(dir, storage.parts, { minMediaSec: minDurationSec, log });
    if (result.kind === 'discarded') return { ...ids, state: 'discarded', reason: 'below_minimum_duration' };
    const context = result.context as RecoveryContext | undefined;
    if (result.kind === 'empty' || !context?.manifest) return undefined;
    const manifest = completedManifest(context.manifest, result.object, result.mediaSec, reason);
    const stored = await storage.putObject(context.manifestKey, `${JSON.stringify(manifest, null, 2)}\n`, 'application/json');
    log.warn({ ...ids, durationSec: result.mediaSec, key: result.object.key }, 'crashed session: recording recovered from its spool');
    return {
      ...ids,
      state: 'done',
      reason,
      recording: { ...manifest.recording, objects: [result.object], manifest: stored },
      manifestUri: stored.uri,
    };
  } catch (err) {
    // Storage refused: the spool stays, and the next sweep (worker start) tries again.
    const e = toMeetcapError(err, 'upload_failed');
    log.error({ ...ids, code: e.code, err: e.message, spool: dir }, 'could not recover the crashed session yet');
    return undefined;
  }
}

/** Another worker on this disk may be writing the spool right now. */
async function writerAlive(dir: string): Promise<boolean> {
  const journal = await readJson<SpoolJournal>(dir, JOURNAL).catch(() => undefined);
  if (!journal?.writerPid) return false;
  try {
    process.kill(journal.writerPid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The draft as the session last saved it, with what recovery measured filled in. */
function completedManifest(draft: Manifest, object: Manifest['outputs'][number], mediaSec: number, reason: ReasonCode): Manifest {
  const startedAt = Date.parse(draft.recording.startedAt);
  const endedAt = new Date(startedAt + mediaSec * 1000).toISOString();
  return {
    ...draft,
    recording: { ...draft.recording, endedAt, durationSec: Math.round(mediaSec * 1000) / 1000, partial: true, partialReason: reason },
    outputs: [object],
    outcome: { state: 'done', reason },
  };
}

/**
 * Spools left on this worker's disk by sessions of an earlier worker process (killed with its
 * sessions): completed at worker start, so what they captured is not left in limbo. The minimum
 * duration is not known without the job, so these are kept whatever their length and say so.
 */
export async function sweepSpools(storage: Storage, running: ReadonlySet<string>, log: Logger): Promise<number> {
  if (!(storage instanceof S3Storage)) return 0;
  let recovered = 0;
  for (const dir of await spoolDirs(storage.spoolDir)) {
    const sessionId = dir.split('/').pop()!;
    if (running.has(sessionId) || (await writerAlive(dir))) continue;
    const outcome = await recoverCrashedSession({ meetingId: 'unknown', sessionId }, 0, storage, log);
    if (outcome?.state === 'done') recovered += 1;
  }
  return recovered;
}
