import type { Logger } from 'pino';
import type { MeetingJob, PreviousSession, ReasonCode, StoredObjectInfo } from '../contracts/index.js';
import type { Storage } from '../media/storage/storage.js';
import type { Manifest } from './manifest.js';
import { objectKeys } from './recording.js';

/**
 * A meeting recorded in more than one session: the worker running it died (another worker took
 * it over) or its browser crashed (the worker restarted it). Each session keeps its own file;
 * the last one's manifest lists every part and the gaps between them, so nothing already
 * uploaded is lost and the product can play the parts in order.
 */
export type { PreviousSession };

export interface MeetingPart {
  sessionId: string;
  startedAt: string;
  endedAt: string;
  durationSec: number;
  partial: boolean;
  /** Why that part ended early (worker_lost, browser_crashed, session_crashed…). */
  endReason?: ReasonCode;
  outputs: StoredObjectInfo[];
}

/** A previous session with no stored recording (it recorded nothing, or its files are gone). */
export interface MissingPart {
  sessionId: string;
  missing: true;
}

export interface Gap {
  from: string;
  to: string;
  durationSec: number;
}

export interface PartsBlock {
  parts: Array<MeetingPart | MissingPart>;
  gaps: Gap[];
  /** Recorded seconds over every part. */
  totalDurationSec: number;
}

/** Reads each previous session's manifest from storage (oldest first); never throws. */
export async function readPreviousParts(
  storage: Storage,
  job: MeetingJob,
  previous: readonly PreviousSession[],
  log: Logger,
): Promise<Array<MeetingPart | MissingPart>> {
  const ordered = [...previous].sort((a, b) => a.leasedAt.localeCompare(b.leasedAt));
  // The manifest key does not depend on the recording mode.
  return Promise.all(ordered.map((p) => readPart(storage, objectKeys(job, p.sessionId, 'audio_only').manifest, p.sessionId, log)));
}

async function readPart(storage: Storage, key: string, sessionId: string, log: Logger): Promise<MeetingPart | MissingPart> {
  try {
    const { body } = await storage.readObject(key);
    const chunks: Buffer[] = [];
    for await (const c of body) chunks.push(c as Buffer);
    const m = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Manifest;
    if (m.outcome.state !== 'done' || !m.recording) return { sessionId, missing: true };
    return {
      sessionId,
      startedAt: m.recording.startedAt,
      endedAt: m.recording.endedAt,
      durationSec: m.recording.durationSec,
      partial: m.recording.partial,
      ...(m.outcome.reason ? { endReason: m.outcome.reason } : {}),
      outputs: m.outputs,
    };
  } catch (err) {
    log.warn({ previousSessionId: sessionId, err: (err as Error).message }, 'earlier part of this meeting has no stored manifest');
    return { sessionId, missing: true };
  }
}

/** The parts in time order with the gaps between consecutive recorded parts. */
export function partsBlock(previous: ReadonlyArray<MeetingPart | MissingPart>, current: MeetingPart): PartsBlock {
  const parts = [...previous, current];
  const recorded = parts.filter((p): p is MeetingPart => !('missing' in p)).sort((a, b) => a.startedAt.localeCompare(b.startedAt));
  const gaps: Gap[] = [];
  for (let i = 1; i < recorded.length; i++) {
    const from = recorded[i - 1]!.endedAt;
    const to = recorded[i]!.startedAt;
    const sec = (Date.parse(to) - Date.parse(from)) / 1000;
    if (sec > 0) gaps.push({ from, to, durationSec: Math.round(sec * 1000) / 1000 });
  }
  const totalDurationSec = recorded.reduce((sum, p) => sum + p.durationSec, 0);
  return { parts, gaps, totalDurationSec: Math.round(totalDurationSec * 1000) / 1000 };
}
