import type { Redis } from 'ioredis';
import {
  FLEET_EVENT_VERSION,
  type FleetEvent,
  type PlatformId,
  type RecordingInfo,
  type StoredObjectInfo,
  type SessionOutcome,
  type SessionOutcomeEvent,
  type SessionStateEvent,
} from '../contracts/index.js';
import { scrubText, secretValuesFromEnv } from '../observability/logger.js';
import type { Attached, FleetContext, WorkerEventMap } from './context.js';

/**
 * Retention of `<prefix>:events` (XADD MAXLEN ~): about 10 events per session, so roughly the
 * last 10,000 sessions, some 50 MB of Redis at most. A consumer that is down longer than that
 * resumes from the oldest retained entry (docs/events.md).
 */
export const EVENTS_MAXLEN = 100_000;

/** How long close() waits for events still on their way to Redis. */
const FLUSH_ON_CLOSE_MS = 2_000;

/** Appends one event to the stream; resolves with its stream id. */
export async function appendEvent(redis: Redis, key: string, event: FleetEvent): Promise<string> {
  const id = await redis.xadd(key, 'MAXLEN', '~', EVENTS_MAXLEN, '*', 'event', JSON.stringify(event));
  return id as string;
}

interface SessionInfo {
  tenantId: string;
  source: 'meeting' | 'file';
  platform?: PlatformId;
  seq: number;
}

/**
 * Publishes every state change and the outcome of this worker's sessions to the events stream.
 * A Redis failure is logged and never reaches the worker: publishing is fire-and-forget, in
 * order on the worker's one command connection (which queues commands through a reconnect).
 */
export async function attachEventStream(ctx: FleetContext): Promise<Attached> {
  const log = ctx.log.child({ component: 'event-stream' });
  const sessions = new Map<string, SessionInfo>();
  const outcomesSent = new RecentSet(1_000);
  const inFlight = new Set<Promise<unknown>>();
  // Messages are free text from errors (URLs included) and leave the fleet: scrubbed like logs.
  const secrets = secretValuesFromEnv();
  const scrub = (text: string): string => scrubText(text, secrets).slice(0, 1_000);
  let closed = false;

  const publish = (event: FleetEvent): void => {
    if (closed) return;
    const p = appendEvent(ctx.redis, ctx.keys.events, event).catch((err: unknown) => {
      log.error({ err: (err as Error).message, eventId: event.eventId, type: event.type, sessionId: event.sessionId }, 'event not published');
    });
    inFlight.add(p);
    void p.finally(() => inFlight.delete(p));
  };
  const infoFor = (sessionId: string): SessionInfo => {
    const known = sessions.get(sessionId);
    if (known) return known;
    // Cannot happen while the worker emits session_started before its child can speak; kept visible if it does.
    log.error({ sessionId }, 'event for a session this worker did not start; tenant unknown');
    const info: SessionInfo = { tenantId: '-', source: 'meeting', seq: 0 };
    sessions.set(sessionId, info);
    return info;
  };

  const onStarted = (s: WorkerEventMap['session_started']): void => {
    sessions.set(s.sessionId, { tenantId: s.tenantId, source: s.source, seq: 0, ...(s.platform ? { platform: s.platform } : {}) });
  };
  const onState = (s: WorkerEventMap['state']): void => {
    const info = infoFor(s.sessionId);
    if (s.platform) info.platform = s.platform;
    publish(stateEvent(ctx.workerId, info, s, scrub));
  };
  const onOutcome = (o: SessionOutcome): void => {
    // The launcher emits one outcome per session (crash recovery included); this guards the contract anyway.
    if (outcomesSent.has(o.sessionId)) return log.warn({ sessionId: o.sessionId }, 'second outcome for a session ignored');
    outcomesSent.add(o.sessionId);
    publish(outcomeEvent(ctx.workerId, infoFor(o.sessionId), o, ctx.now(), scrub));
  };
  const onEnded = (e: WorkerEventMap['session_ended']): void => void sessions.delete(e.sessionId);

  ctx.events.on('session_started', onStarted);
  ctx.events.on('state', onState);
  ctx.events.on('outcome', onOutcome);
  ctx.events.on('session_ended', onEnded);
  return {
    async close() {
      if (closed) return;
      closed = true;
      ctx.events.off('session_started', onStarted);
      ctx.events.off('state', onState);
      ctx.events.off('outcome', onOutcome);
      ctx.events.off('session_ended', onEnded);
      await withTimeout(Promise.allSettled([...inFlight]), FLUSH_ON_CLOSE_MS);
    },
  };
}

/** Event ids are derived from the session, so a command re-sent after a reconnect is recognisably the same event. */
function eventId(sessionId: string, suffix: string): string {
  return `evt_${sessionId.replace(/[^A-Za-z0-9_-]/g, '').slice(0, 100)}_${suffix}`;
}

function common(workerId: string, info: SessionInfo, ids: { sessionId: string; meetingId: string }) {
  return {
    v: FLEET_EVENT_VERSION,
    tenantId: info.tenantId,
    meetingId: ids.meetingId,
    sessionId: ids.sessionId,
    workerId,
    source: info.source,
    ...(info.platform ? { platform: info.platform } : {}),
  } as const;
}

function stateEvent(workerId: string, info: SessionInfo, s: WorkerEventMap['state'], scrub: (t: string) => string): SessionStateEvent {
  info.seq += 1;
  return {
    ...common(workerId, info, s),
    eventId: eventId(s.sessionId, `s${info.seq}`),
    type: 'session.state',
    at: s.at,
    state: s.state,
    ...(s.reason ? { reason: s.reason } : {}),
    ...(s.message ? { message: scrub(s.message) } : {}),
  };
}

function outcomeEvent(workerId: string, info: SessionInfo, o: SessionOutcome, now: number, scrub: (t: string) => string): SessionOutcomeEvent {
  const e = o.error;
  return {
    ...common(workerId, info, o),
    eventId: eventId(o.sessionId, 'outcome'),
    type: 'session.outcome',
    at: new Date(now).toISOString(),
    state: o.state,
    ...(o.reason ? { reason: o.reason } : {}),
    ...(e ? { error: { code: e.code, message: scrub(e.message), fault: e.fault, retryable: e.retryable } } : {}),
    ...(o.recording ? { recording: recordingOf(o.recording) } : {}),
    ...(o.manifestUri ? { manifestUri: o.manifestUri } : {}),
  };
}

/** Field by field: the event carries what the contract names, nothing that happens to ride along. */
function recordingOf(r: RecordingInfo): NonNullable<SessionOutcomeEvent['recording']> {
  const obj = (o: StoredObjectInfo) => ({ key: o.key, uri: o.uri, size: o.size, contentType: o.contentType });
  return { mode: r.mode, startedAt: r.startedAt, endedAt: r.endedAt, durationSec: r.durationSec, objects: r.objects.map(obj), manifest: obj(r.manifest) };
}

/** Remembers the last `max` keys (insertion order), enough to catch a duplicate soon after the first. */
class RecentSet {
  private readonly keys = new Set<string>();
  constructor(private readonly max: number) {}
  has(key: string): boolean {
    return this.keys.has(key);
  }
  add(key: string): void {
    this.keys.add(key);
    if (this.keys.size > this.max) this.keys.delete(this.keys.values().next().value as string);
  }
}

async function withTimeout(p: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([p, new Promise((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}
