import { z } from 'zod';
import {
  AttendeeSchema,
  LimitsSchema,
  DIALER_MAX_RULE,
  dialerDefaultMax,
  MeetingJobSchema,
  RecordingModeSchema,
  parseMeetingJob,
  invalidJob,
  type MeetingJob,
} from './job.js';

/**
 * A recording that arrives as a file (platform API integrations, manual uploads, dialer calls)
 * instead of being captured by a bot. It gets the same rules, outputs and manifest as a meeting.
 * The identity, profile, attendee and output fields are the MeetingJob's own, so both jobs accept
 * exactly the same values for them.
 */
const meeting = MeetingJobSchema.in.shape;

/** An object key in the recordings bucket: relative, no dot segments, nothing a file system would misread. */
const ObjectKeySchema = z
  .string()
  .min(1)
  .max(1_024)
  .refine((k) => !k.startsWith('/') && !k.includes('\\') && !/[\u0000-\u001f\u007f]/.test(k), 'a relative object key')
  .refine((k) => k.split('/').every((s) => s !== '' && s !== '.' && s !== '..'), 'no empty, . or .. path segments');

const SourceUrlSchema = z
  .url({ protocol: /^https?$/ })
  .max(4_096);

export const FileSourceSchema = z
  .object({
    /** An object in the recordings bucket (the deployment's storage). */
    key: ObjectKeySchema.optional(),
    /** An http(s) URL; it must be on the tenant's ingest allow-list (tenants/<tenantId>.json). */
    url: SourceUrlSchema.optional(),
  })
  .strict()
  .refine((f) => (f.key === undefined) !== (f.url === undefined), { message: 'exactly one of key or url' });

export const FileJobSchema = z
  .object({
    meetingId: meeting.meetingId,
    tenantId: meeting.tenantId,
    source: z.literal('file'),
    /** A dialer call: 60 s minimum allowed, at most 2 h (meetings: 120 s, 10 h). One-sided (mono) audio is accepted. */
    dialer: meeting.dialer,
    file: FileSourceSchema,
    /** The profile's `recording` applies when the job has none; a file without video is always audio-only. */
    botProfile: meeting.botProfile,
    recording: RecordingModeSchema.optional(),
    limits: LimitsSchema.default(LimitsSchema.parse({})),
    attendees: z.array(AttendeeSchema).max(1_000).default([]),
    internalDomains: meeting.internalDomains,
    output: meeting.output,
  })
  .strict()
  .refine(...DIALER_MAX_RULE)
  .transform(dialerDefaultMax);

export type FileJob = z.output<typeof FileJobSchema>;
export type FileJobInput = z.input<typeof FileJobSchema>;

/** Either kind of job the queue carries; `source` tells them apart. */
export type AnyJob = MeetingJob | FileJob;

/** Parses a file job; throws `invalid_job` naming every bad field. */
export function parseFileJob(input: unknown): FileJob {
  const result = FileJobSchema.safeParse(input);
  if (result.success) return result.data;
  throw invalidJob(result.error, 'file job');
}

/** `source: "file"` is a file job; anything else (absent or `bot`) is a meeting for a bot. */
export function parseAnyJob(input: unknown): AnyJob {
  const source = (input as { source?: unknown } | null)?.source;
  return source === 'file' ? parseFileJob(input) : parseMeetingJob(input);
}

/** The JSON Schema published for producers of file jobs (docs/file-job.schema.json). */
export function fileJobJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(FileJobSchema, { io: 'input', target: 'draft-2020-12' }) as Record<string, unknown>;
}
