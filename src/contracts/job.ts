import { z } from 'zod';
import { MeetcapError } from './errors.js';

/**
 * The MeetingJob contract: what the capture-policy service (or `meetcap schedule`) puts on the
 * queue. Unknown fields are refused so a typo never silently drops a setting.
 */
export const PLATFORMS = ['zoom', 'meet', 'teams'] as const;
export type PlatformId = (typeof PLATFORMS)[number];

const isoDateTime = z.iso.datetime({ offset: true });

export const RECORDING_MODES = ['audio_video', 'audio_only'] as const;
export const RecordingModeSchema = z.enum(RECORDING_MODES);
export type RecordingMode = (typeof RECORDING_MODES)[number];

/** Longest recording the product keeps for a meeting (10 h) and for a dialer call (2 h). */
export const MAX_DURATION_SEC = { meeting: 36_000, dialer: 7_200 } as const;

interface DialerLimits {
  dialer: boolean;
  limits: { maxDurationSec: number };
}

/** A dialer call asking for more than 2 h is refused (the 10 h default is not "asking"). */
export const DIALER_MAX_RULE: [(j: DialerLimits) => boolean, { message: string; path: string[] }] = [
  (j) => !j.dialer || j.limits.maxDurationSec <= MAX_DURATION_SEC.dialer || j.limits.maxDurationSec === MAX_DURATION_SEC.meeting,
  { message: `a dialer call records at most ${MAX_DURATION_SEC.dialer} s`, path: ['limits', 'maxDurationSec'] },
];

/** The 10 h default becomes the dialer's 2 h when the job does not choose its own. */
export function dialerDefaultMax<T extends DialerLimits>(j: T): T {
  return j.dialer && j.limits.maxDurationSec > MAX_DURATION_SEC.dialer
    ? { ...j, limits: { ...j.limits, maxDurationSec: MAX_DURATION_SEC.dialer } }
    : j;
}

const DomainSchema = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, 'a domain name such as example.com');
const name = z.string().trim().min(1).max(128);

export const AttendeeSchema = z
  .object({
    name: name.optional(),
    email: z.email().max(320).optional(),
    internal: z.boolean().optional(),
  })
  .strict();

export const LimitsSchema = z
  .object({
    /** A recording shorter than this is not kept. The policy floor (120 s, 60 s for dialer) is enforced at schedule time. */
    minDurationSec: z.int().min(1).max(36_000).default(120),
    /** The bot leaves at this recorded length and keeps the recording. */
    maxDurationSec: z.int().min(1).max(36_000).default(36_000),
    /** Longest wait in a lobby / waiting room before giving up. */
    waitingRoomTimeoutSec: z.int().min(5).max(7_200).default(900),
    /** How long the bot stays once it is the only one left. */
    aloneTimeoutSec: z.int().min(1).max(3_600).default(60),
    /** Longest the join flow may take to reach the lobby or the call (waiting for the host not counted). */
    joinTimeoutSec: z.int().min(5).max(1_800).default(120),
    /** Longest wait for a host who has not started the meeting (Zoom "Waiting for the host…"). */
    notStartedTimeoutSec: z.int().min(5).max(7_200).default(900),
  })
  .strict()
  .refine((l) => l.minDurationSec <= l.maxDurationSec, {
    message: 'minDurationSec must not exceed maxDurationSec',
    path: ['minDurationSec'],
  });

export const MeetingJobSchema = z
  .object({
    meetingId: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9._:@-]{0,199}$/, 'letters, digits and ._:@- only, 1-200 characters'),
    tenantId: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/, 'letters, digits and ._- only'),
    source: z.literal('bot').default('bot'),
    /** A dialer call (phone system recording): 60 s minimum allowed, at most 2 h (meetings: 120 s, 10 h). */
    dialer: z.boolean().default(false),
    meetingUrl: z.string().min(1).max(4_096),
    passcode: z.string().min(1).max(64).optional(),
    /**
     * Zoom Meeting SDK joins only (bot profile `zoomClient: "meeting_sdk"`): a ZAK (the user's
     * Zoom Access Key) or an OBF (on-behalf) token; Zoom requires one for meetings outside the
     * SDK app's own account since March 2026. Secrets: never logged, never in the manifest.
     */
    zoom: z
      .object({ zak: z.string().min(1).max(4_096).optional(), obfToken: z.string().min(1).max(4_096).optional() })
      .strict()
      .optional(),
    platform: z.enum(PLATFORMS).optional(),
    botProfile: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'a bot-profiles/ file name without .json').default('default'),
    overrides: z
      .object({ botName: z.string().trim().min(1).max(64).optional(), avatarUrl: z.url().optional() })
      .strict()
      .default({}),
    scheduledStart: isoDateTime,
    scheduledEnd: isoDateTime.optional(),
    joinOffsetSec: z.int().min(0).max(3_600).default(60),
    /** Absent: the bot profile's `recording` (audio_video unless the profile says otherwise). */
    recording: RecordingModeSchema.optional(),
    /**
     * When the recording starts once the bot is in the call: at once (default), `delaySec` later,
     * or on a `start-recording` command (`onCommand`); with both, whichever comes first.
     */
    recordingStart: z
      .object({ delaySec: z.int().min(1).max(36_000).optional(), onCommand: z.boolean().default(false) })
      .strict()
      .default({ onCommand: false }),
    limits: LimitsSchema.default(LimitsSchema.parse({})),
    attendees: z.array(AttendeeSchema).max(1_000).default([]),
    /** Email domains of the recording customer; attendees outside them are external. */
    internalDomains: z.array(DomainSchema).max(100).default([]),
    /**
     * A recording notice in the meeting chat once the recording starts: `message`, else
     * "<bot name> is recording this meeting." The manifest's `consentNotice` says when it went out.
     */
    consent: z
      .object({ chatNotice: z.boolean().default(false), message: z.string().max(500).optional() })
      .strict()
      .default({ chatNotice: false }),
    output: z
      .object({
        bucket: z.string().min(3).max(63).optional(),
        keyPrefix: z.string().max(512).regex(/^[^\\]*$/, 'no backslashes').optional(),
      })
      .strict()
      .default({}),
  })
  .strict()
  .refine((j) => !j.scheduledEnd || Date.parse(j.scheduledEnd) > Date.parse(j.scheduledStart), {
    message: 'scheduledEnd must be after scheduledStart',
    path: ['scheduledEnd'],
  })
  .refine(...DIALER_MAX_RULE)
  .transform(dialerDefaultMax);

export type MeetingJob = z.output<typeof MeetingJobSchema>;
export type MeetingJobInput = z.input<typeof MeetingJobSchema>;

export interface FieldProblem {
  field: string;
  message: string;
}

/** Parses a job; throws `invalid_job` naming every bad field. */
export function parseMeetingJob(input: unknown): MeetingJob {
  const result = MeetingJobSchema.safeParse(input);
  if (result.success) return result.data;
  throw invalidJob(result.error, 'meeting job');
}

/** `invalid_job` naming every bad field of a job that failed its schema. */
export function invalidJob(error: z.ZodError, what: string): MeetcapError {
  const fields: FieldProblem[] = error.issues.flatMap((issue) => {
    const at = issue.path.map(String);
    // An unknown key is reported on the key itself, so the producer sees which field to drop.
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({ field: [...at, key].join('.'), message: 'unknown field' }));
    }
    return [{ field: at.length ? at.join('.') : '(job)', message: issue.message }];
  });
  const summary = fields.map((f) => `${f.field}: ${f.message}`).join('; ');
  return new MeetcapError('invalid_job', `invalid ${what}: ${summary}`, { fields });
}

/** The JSON Schema published for producers (docs/meeting-job.schema.json). */
export function meetingJobJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(MeetingJobSchema, { io: 'input', target: 'draft-2020-12' }) as Record<string, unknown>;
}
