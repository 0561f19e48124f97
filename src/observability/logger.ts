import pino, { type DestinationStream, type Logger } from 'pino';

/**
 * Secrets never reach a log. Paths cover the job (passcode), capture tokens, S3 credentials and
 * auth headers wherever they are nested one or two levels deep; URLs are redacted by the code
 * that logs them (`ParsedMeeting.redactedUrl`).
 */
export const REDACT_PATHS = [
  'passcode',
  'password',
  'token',
  'secret',
  'authorization',
  '*.passcode',
  '*.password',
  '*.token',
  '*.secret',
  '*.authorization',
  '*.*.passcode',
  '*.*.token',
  'job.meetingUrl',
  'job.zoom',
  'zak',
  'obfToken',
  'signature',
  '*.zak',
  '*.obfToken',
  '*.signature',
  '*.sdkSecret',
  'controlSecret',
  '*.controlSecret',
  '*.secretAccessKey',
  '*.sessionToken',
  '*.passcodeInUrl',
  '*.joinUrl',
  'joinUrl',
  'wsUrl',
];

export function createRootLogger(opts: { level?: string; name?: string; destination?: DestinationStream } = {}): Logger {
  return pino(
    {
      name: opts.name ?? 'meetcap',
      level: opts.level ?? 'info',
      redact: { paths: REDACT_PATHS, censor: '[REDACTED]' },
      timestamp: pino.stdTimeFunctions.isoTime,
      base: { pid: process.pid },
      formatters: { level: (label) => ({ level: label }) },
    },
    opts.destination,
  );
}

/** Every line of a session carries its session and meeting ids. */
export function sessionLogger(root: Logger, ids: { sessionId: string; meetingId: string }): Logger {
  return root.child({ sessionId: ids.sessionId, meetingId: ids.meetingId });
}
