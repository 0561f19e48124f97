import type { Redis } from 'ioredis';
import type { FleetKeys } from './keys.js';

/**
 * Reading the registry (docs/operations.md, "Registry"). Pure over Redis: the CLI, the ops API,
 * the operator commands and tests all list and resolve through these, never through raw keys.
 */

export type RegistryStatus = 'live' | 'lost';

/** One session as the registry shows it. Times are ISO-8601; ages are seconds at `now`. */
export interface SessionView {
  sessionId: string;
  meetingId: string;
  tenantId: string;
  source: string;
  workerId: string;
  host: string;
  workerPid?: number;
  sessionPid?: number;
  state: string;
  platform?: string;
  reason?: string;
  mediaBytes?: number;
  startedAt: string;
  heartbeatAt: string;
  ageSec: number;
  heartbeatAgeSec: number;
  /** `lost`: no heartbeat for longer than lostAfterSec (its worker is gone or cut off from Redis). */
  status: RegistryStatus;
}

export interface WorkerView {
  workerId: string;
  host: string;
  pid?: number;
  startedAt: string;
  heartbeatAt: string;
  slots?: number;
  sessions?: number;
  draining: boolean;
  ageSec: number;
  heartbeatAgeSec: number;
  status: RegistryStatus;
}

export interface ListOptions {
  lostAfterSec: number;
  /** Epoch ms; Date.now() by default. */
  now?: number;
}

/** The fields a record is stored with (every value a string, as HSET keeps them). */
export type SessionRecord = Record<
  'sessionId' | 'meetingId' | 'tenantId' | 'source' | 'workerId' | 'host' | 'workerPid' | 'sessionPid' | 'state' | 'platform' | 'startedAt' | 'heartbeatAt' | 'reason' | 'mediaBytes',
  string
>;

export type WorkerRecord = Record<'workerId' | 'host' | 'pid' | 'startedAt' | 'slots' | 'sessions' | 'heartbeatAt', string>;

/** Seconds a record stays after its last heartbeat: lost after lostAfterSec, removed when lost for 2x that. */
export function removeAfterSec(lostAfterSec: number): number {
  return 3 * lostAfterSec;
}

const num = (v: string | undefined): number | undefined => (v === undefined || v === '' || Number.isNaN(Number(v)) ? undefined : Number(v));
const opt = (v: string | undefined): string | undefined => (v ? v : undefined);

function ages(startedAt: string, heartbeatAt: string, o: ListOptions): { ageSec: number; heartbeatAgeSec: number; status: RegistryStatus } {
  const now = o.now ?? Date.now();
  const heartbeatAgeSec = Math.max(0, (now - Date.parse(heartbeatAt)) / 1000);
  return {
    ageSec: Math.max(0, Math.round((now - Date.parse(startedAt)) / 1000)),
    heartbeatAgeSec: Math.round(heartbeatAgeSec * 10) / 10,
    status: heartbeatAgeSec > o.lostAfterSec ? 'lost' : 'live',
  };
}

export function sessionView(h: Record<string, string>, o: ListOptions): SessionView {
  return {
    sessionId: h.sessionId ?? '',
    meetingId: h.meetingId ?? '',
    tenantId: h.tenantId ?? '',
    source: h.source ?? 'meeting',
    workerId: h.workerId ?? '',
    host: h.host ?? '',
    workerPid: num(h.workerPid),
    sessionPid: num(h.sessionPid),
    state: h.state ?? 'launching',
    platform: opt(h.platform),
    reason: opt(h.reason),
    mediaBytes: num(h.mediaBytes),
    startedAt: h.startedAt ?? '',
    heartbeatAt: h.heartbeatAt ?? '',
    ...ages(h.startedAt ?? '', h.heartbeatAt ?? '', o),
  };
}

function workerView(h: Record<string, string>, o: ListOptions): WorkerView {
  return {
    workerId: h.workerId ?? '',
    host: h.host ?? '',
    pid: num(h.pid),
    startedAt: h.startedAt ?? '',
    heartbeatAt: h.heartbeatAt ?? '',
    slots: num(h.slots),
    sessions: num(h.sessions),
    draining: h.draining === '1' || h.draining === 'true',
    ...ages(h.startedAt ?? '', h.heartbeatAt ?? '', o),
  };
}

/** HGETALL of every member of an index, in one round trip; members whose hash is gone are skipped. */
async function readIndex(redis: Redis, index: string, keyOf: (id: string) => string): Promise<Array<Record<string, string>>> {
  const ids = await redis.zrange(index, 0, -1);
  if (ids.length === 0) return [];
  const pipe = redis.pipeline();
  for (const id of ids) pipe.hgetall(keyOf(id));
  const replies = (await pipe.exec()) ?? [];
  return replies.map(([, h]) => h as Record<string, string>).filter((h) => h && Object.keys(h).length > 0);
}

/** Every registered session (live and lost) across the fleet, oldest first. */
export async function listSessions(redis: Redis, keys: FleetKeys, o: ListOptions): Promise<SessionView[]> {
  const records = await readIndex(redis, keys.sessions, keys.session);
  return records.map((h) => sessionView(h, o)).sort((a, b) => a.startedAt.localeCompare(b.startedAt));
}

export async function listWorkers(redis: Redis, keys: FleetKeys, o: ListOptions): Promise<WorkerView[]> {
  const records = await readIndex(redis, keys.workers, keys.worker);
  return records.map((h) => workerView(h, o)).sort((a, b) => a.startedAt.localeCompare(b.startedAt));
}

export async function getSession(redis: Redis, keys: FleetKeys, sessionId: string, o: ListOptions): Promise<SessionView | undefined> {
  const h = await redis.hgetall(keys.session(sessionId));
  return Object.keys(h).length > 0 ? sessionView(h, o) : undefined;
}

export interface ResolvedSession {
  sessionId: string;
  /** Known when the id was a meetingId or the session is still registered. */
  meetingId?: string;
  /** The registry record, when the session is still registered (live or lost). */
  session?: SessionView;
}

/**
 * A meetingId or a `ses_…` sessionId to the session it means: a sessionId as given, a meetingId
 * to its newest session (LINDEX 0 of the meeting's list, kept for sessionLogTtlSec). Undefined
 * when nothing is known about the id.
 */
export async function resolveSession(redis: Redis, keys: FleetKeys, id: string, o: ListOptions): Promise<ResolvedSession | undefined> {
  if (id.startsWith('ses_')) {
    const session = await getSession(redis, keys, id, o);
    if (session) return { sessionId: id, meetingId: session.meetingId, session };
    if ((await redis.exists(keys.logs(id))) === 1) return { sessionId: id };
  }
  const sessionId = await redis.lindex(keys.meetingSessions(id), 0);
  if (!sessionId) return undefined;
  const session = await getSession(redis, keys, sessionId, o);
  return { sessionId, meetingId: id, ...(session ? { session } : {}) };
}
