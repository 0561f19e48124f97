import { z } from 'zod';
import { REASON_CODES, type ReasonCode } from './errors.js';
import { PLATFORMS } from './job.js';
import { SESSION_STATES } from './states.js';

/**
 * The lifecycle events the fleet publishes for the capture-policy service: on the Redis stream
 * `<prefix>:events` and as tenant webhooks (docs/events.md). A public contract: fields are only
 * ever added (consumers must ignore unknown ones, hence loose objects in the published schema);
 * anything else bumps `v`.
 */
export const FLEET_EVENT_VERSION = 1;
export const FLEET_EVENT_TYPES = ['session.state', 'session.outcome'] as const;
export type FleetEventType = (typeof FLEET_EVENT_TYPES)[number];

const isoDateTime = z.iso.datetime({ offset: true });
const reason = z.enum(REASON_CODES as [ReasonCode, ...ReasonCode[]]);
/** No dots: the id doubles as the Standard Webhooks `webhook-id`, which is signed as `${id}.${ts}.${body}`. */
export const EVENT_ID_PATTERN = /^evt_[A-Za-z0-9_-]{1,120}$/;

const common = {
  v: z.literal(FLEET_EVENT_VERSION),
  /** Unique per event and stable across re-deliveries: consumers dedupe on it. */
  eventId: z.string().regex(EVENT_ID_PATTERN),
  /** When it happened (the state change's own time; for an outcome, when it was known). */
  at: isoDateTime,
  tenantId: z.string().min(1),
  meetingId: z.string().min(1),
  /** One bot run of the meeting; a meeting taken over after a crash has several sessions. */
  sessionId: z.string().min(1),
  /** The worker that ran the session (`<host>:<pid>:<random>`). */
  workerId: z.string().min(1),
  source: z.enum(['meeting', 'file']),
  platform: z.enum(PLATFORMS).optional(),
};

export const SessionStateEventSchema = z
  .looseObject({
    ...common,
    type: z.literal('session.state'),
    state: z.enum(SESSION_STATES),
    /** Why the session moved (a catalogue code, docs/errors.md); absent for ordinary progress. */
    reason: reason.optional(),
    message: z.string().max(1_000).optional(),
  })
  .meta({ title: 'session.state', description: 'A session moved to a new lifecycle state.' });

const storedObject = z.looseObject({ key: z.string(), uri: z.string(), size: z.number().int().min(0), contentType: z.string() });

export const SessionOutcomeEventSchema = z
  .looseObject({
    ...common,
    type: z.literal('session.outcome'),
    state: z.enum(['done', 'failed', 'discarded', 'cancelled']),
    reason: reason.optional(),
    /** For `failed`: the typed error (details left out: they are free-form and internal; credentials scrubbed from the message). */
    error: z
      .looseObject({ code: reason, message: z.string().max(1_000), fault: z.enum(['meeting', 'configuration', 'platform', 'us']), retryable: z.boolean() })
      .optional(),
    /** What was kept, when something was. */
    recording: z
      .looseObject({
        mode: z.enum(['audio_video', 'audio_only']),
        startedAt: isoDateTime,
        endedAt: isoDateTime,
        durationSec: z.number().min(0),
        objects: z.array(storedObject),
        manifest: storedObject,
      })
      .optional(),
    /** Where the session's manifest went (also written for failed sessions). */
    manifestUri: z.string().optional(),
  })
  .meta({ title: 'session.outcome', description: "How a session ended: exactly one per session, crashes included." });

export const FleetEventSchema = z
  .discriminatedUnion('type', [SessionStateEventSchema, SessionOutcomeEventSchema])
  .meta({ title: 'meetcap fleet event', description: 'One entry of the meetcap:events stream and one webhook body (docs/events.md).' });

export type SessionStateEvent = z.output<typeof SessionStateEventSchema>;
export type SessionOutcomeEvent = z.output<typeof SessionOutcomeEventSchema>;
export type FleetEvent = z.output<typeof FleetEventSchema>;

/** The JSON Schema published for consumers (docs/events.schema.json). */
export function fleetEventJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(FleetEventSchema, { io: 'output', target: 'draft-2020-12' }) as Record<string, unknown>;
}

/**
 * One webhook endpoint of a tenant (`webhooks` in tenants/<tenantId>.json). The signing secret
 * is never in the file: `secretEnv` names the environment variable holding it (`whsec_…`).
 */
export const WebhookEndpointSchema = z
  .object({
    url: z.url({ protocol: /^https?$/ }).refine(isAllowedWebhookUrl, 'an https URL (http only to a loopback host), without credentials'),
    /** Only MEETCAP_WEBHOOK_* names: a tenant file must not be able to sign with another secret of the process. */
    secretEnv: z.string().regex(/^MEETCAP_WEBHOOK_[A-Z0-9_]{1,100}$/, 'an environment variable named MEETCAP_WEBHOOK_…'),
    /** Event types to send (default: all). */
    events: z.array(z.enum(FLEET_EVENT_TYPES)).min(1).optional(),
  })
  .strict();

export type WebhookEndpoint = z.output<typeof WebhookEndpointSchema>;

/** https anywhere; plain http only to this machine (tests, a local relay), where nothing can sniff it. */
export function isAllowedWebhookUrl(url: string): boolean {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return false;
  }
  if (u.username || u.password) return false;
  if (u.protocol === 'https:') return true;
  if (u.protocol !== 'http:') return false;
  const host = u.hostname;
  return host === 'localhost' || host === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}
