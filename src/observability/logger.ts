import pino, { type DestinationStream, type Logger } from 'pino';

/**
 * Secrets never reach a log (docs/operations.md, "Redaction"). Three layers, because a secret can
 * arrive in three shapes:
 * 1. Fields by name (`REDACT_PATHS`, pino's fast-redact) for the objects we log on purpose: the
 *    job (passcode, Zoom zak/obfToken, the raw meeting URL), S3 credentials, control envelopes
 *    (`signature`), webhook secrets and signature headers, the Zoom SDK signature and secret.
 * 2. Fields by name at any depth (`scrubValue`): pino's paths are fixed-depth, and an error or a
 *    library object can nest a credential deeper than anyone planned for.
 * 3. Text (`scrubText`): error messages, stacks and stderr tails carry URLs with `pwd=`/`tk=`/
 *    `zak=`/`p=`/signed-URL parameters, `user:password@` URLs, JWTs, and the deployment's own
 *    secrets (MEETCAP_CONTROL_SECRET, AWS_SECRET_ACCESS_KEY, ... read from the environment).
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
  '*.*.password',
  '*.*.token',
  '*.*.secret',
  '*.*.authorization',
  'job.meetingUrl',
  'job.zoom',
  'zak',
  'obfToken',
  'signature',
  '*.zak',
  '*.obfToken',
  '*.signature',
  '*.*.signature',
  'sdkSecret',
  '*.sdkSecret',
  'controlSecret',
  '*.controlSecret',
  'secretAccessKey',
  '*.secretAccessKey',
  '*.*.secretAccessKey',
  'sessionToken',
  '*.sessionToken',
  'webhookSecret',
  '*.webhookSecret',
  '*.headers.authorization',
  '*.headers.cookie',
  '*.headers["webhook-signature"]',
  '*.passcodeInUrl',
  '*.joinUrl',
  'joinUrl',
  'wsUrl',
];

const CENSOR = '[REDACTED]';

/** Field names that are secrets wherever they appear (layer 2); compared case-insensitively. */
const SECRET_KEYS = new Set(
  [
    'passcode', 'password', 'pwd', 'token', 'secret', 'authorization', 'cookie', 'zak', 'obftoken',
    'signature', 'sdksecret', 'controlsecret', 'secretaccesskey', 'sessiontoken', 'webhooksecret', 'webhook-signature',
    'passcodeinurl', 'joinurl', 'wsurl', 'x-amz-security-token',
  ],
);

/** Environment variables whose values are secrets (layer 3), beside any name ending in _SECRET/_TOKEN/_PASSWORD. */
const SECRET_ENV = ['MEETCAP_CONTROL_SECRET', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'MEETCAP_ZOOM_SDK_SECRET'];
const SECRET_ENV_SUFFIX = /(_SECRET|_TOKEN|_PASSWORD|_PASSCODE|_SECRET_ACCESS_KEY)$/;
/** Shorter values would replace ordinary words; real secrets are longer (the control secret needs 16). */
const MIN_SECRET_VALUE = 6;

/** Query parameters that carry credentials: Zoom pwd/tk/zak, Teams p, signed URLs, OAuth. */
const URL_SECRET_PARAM = /([?&](?:pwd|tk|zak|p|token|access_token|signature|sig|x-amz-signature|x-amz-credential|x-amz-security-token)=)[^&#\s"'<>]+/gi;
const URL_USERINFO = /(\b[a-z][a-z0-9+.-]*:\/\/[^/\s:@"']*:)[^@/\s"']+@/gi;
const JWT = /\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}/g;

/** Secret values of this process's environment, longest first (so a secret containing another is replaced whole). */
export function secretValuesFromEnv(env: NodeJS.ProcessEnv = process.env): string[] {
  const values = Object.entries(env)
    .filter(([name, value]) => value && value.length >= MIN_SECRET_VALUE && (SECRET_ENV.includes(name) || SECRET_ENV_SUFFIX.test(name)))
    .map(([, value]) => value!);
  return [...new Set(values)].sort((a, b) => b.length - a.length);
}

/** Removes credentials from free text: URL parameters and user-info, JWTs, and the given secret values. */
export function scrubText(text: string, secrets: readonly string[] = []): string {
  let out = text;
  for (const s of secrets) if (out.includes(s)) out = out.split(s).join(CENSOR);
  return out.replace(URL_SECRET_PARAM, `$1${CENSOR}`).replace(URL_USERINFO, `$1${CENSOR}@`).replace(JWT, CENSOR);
}

const MAX_DEPTH = 8;

/**
 * A copy of `value` with secret-named fields censored at any depth and every string scrubbed.
 * Errors become pino's serialized form first (so their message and stack are scrubbed too).
 */
export function scrubValue(value: unknown, secrets: readonly string[] = [], depth = 0, seen = new WeakSet<object>()): unknown {
  if (typeof value === 'string') return scrubText(value, secrets);
  if (value === null || typeof value !== 'object') return value;
  if (seen.has(value) || depth > MAX_DEPTH) return '[Object]';
  seen.add(value);
  try {
    return scrubObject(value, secrets, depth, seen);
  } finally {
    // Only ancestors count as cycles: the same object twice side by side is logged twice.
    seen.delete(value);
  }
}

function scrubObject(value: object, secrets: readonly string[], depth: number, seen: WeakSet<object>): unknown {
  const source: object = value instanceof Error ? pino.stdSerializers.err(value) : value;
  if (Buffer.isBuffer(source) || ArrayBuffer.isView(source)) return `[${source.constructor.name} ${source.byteLength} bytes]`;
  if (Array.isArray(source)) return source.map((v) => scrubValue(v, secrets, depth + 1, seen));
  if (typeof (source as { toJSON?: unknown }).toJSON === 'function' && !(value instanceof Error)) {
    return scrubValue((source as { toJSON(): unknown }).toJSON(), secrets, depth + 1, seen);
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(source)) {
    out[k] = SECRET_KEYS.has(k.toLowerCase()) && v !== undefined && v !== null && typeof v !== 'boolean' ? CENSOR : scrubValue(v, secrets, depth + 1, seen);
  }
  return out;
}

/**
 * A scrubbed copy of an error that is still an Error of the same class, for pino's `err`
 * serializer (which names the type from the constructor and follows `cause`).
 */
export function scrubError(err: Error, secrets: readonly string[] = []): Error {
  const copy = Object.create(Object.getPrototypeOf(err) as object) as Error;
  const hidden = (key: string, value: unknown): void => void Object.defineProperty(copy, key, { value, enumerable: false, writable: true, configurable: true });
  hidden('message', scrubText(err.message, secrets));
  if (err.stack !== undefined) hidden('stack', scrubText(err.stack, secrets));
  if (err.cause !== undefined) hidden('cause', err.cause instanceof Error ? scrubError(err.cause, secrets) : scrubValue(err.cause, secrets));
  const own = scrubValue({ ...err }, secrets) as Record<string, unknown>;
  Object.assign(copy, own);
  return copy;
}

/** What the root logger's `log` formatter does to each line's merged object. */
function scrubLogObject(obj: Record<string, unknown>, secrets: readonly string[]): Record<string, unknown> {
  const out = scrubValue(obj, secrets) as Record<string, unknown>;
  if (obj.err instanceof Error) out.err = scrubError(obj.err, secrets);
  return out;
}

export interface RootLoggerOptions {
  level?: string;
  name?: string;
  destination?: DestinationStream;
  /** Where secret values are read from (layer 3); this process's environment by default. */
  env?: NodeJS.ProcessEnv;
}

export function createRootLogger(opts: RootLoggerOptions = {}): Logger {
  const secrets = secretValuesFromEnv(opts.env ?? process.env);
  return pino(
    {
      name: opts.name ?? 'meetcap',
      level: opts.level ?? 'info',
      redact: { paths: REDACT_PATHS, censor: CENSOR },
      timestamp: pino.stdTimeFunctions.isoTime,
      base: { pid: process.pid },
      formatters: {
        level: (label) => ({ level: label }),
        bindings: (bindings) => scrubValue(bindings, secrets) as Record<string, unknown>,
        log: (obj) => scrubLogObject(obj, secrets),
      },
      hooks: {
        // The message string is not part of the merged object: scrub it (and its format args) here.
        logMethod(args, method) {
          // A bare Error takes its message as the line's message inside pino, past this hook.
          const [first, second] = args as unknown[];
          const given = first instanceof Error && typeof second !== 'string' ? [{ err: first }, first.message, ...args.slice(2)] : args;
          const clean = given.map((a) => (typeof a === 'string' ? scrubText(a, secrets) : a)) as Parameters<typeof method>;
          return method.apply(this, clean);
        },
      },
    },
    opts.destination,
  );
}

/** Every line of a session carries its session and meeting ids. */
export function sessionLogger(root: Logger, ids: { sessionId: string; meetingId: string }): Logger {
  return root.child({ sessionId: ids.sessionId, meetingId: ids.meetingId });
}
