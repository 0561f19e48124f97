import { z } from 'zod';
import { MeetcapError } from '../../contracts/errors.js';
import { LocalStorage } from './local.js';
import { S3Storage } from './s3.js';
import type { Storage } from './storage.js';

export type { Storage, StreamedUpload } from './storage.js';
export { LocalStorage } from './local.js';
export { S3Storage } from './s3.js';
export { validateKey } from './keys.js';

const booleanish = z
  .enum(['1', '0', 'true', 'false', 'yes', 'no'])
  .transform((v) => v === '1' || v === 'true' || v === 'yes');

export const StorageConfigSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('local'), dir: z.string().min(1) }).strict(),
  z
    .object({
      kind: z.literal('s3'),
      bucket: z.string().min(3),
      region: z.string().min(1),
      endpoint: z.url().optional(),
      forcePathStyle: z.boolean().optional(),
      credentials: z.object({ accessKeyId: z.string().min(1), secretAccessKey: z.string().min(1) }).strict().optional(),
      partSizeBytes: z.number().int().min(5 * 1024 * 1024).optional(),
      spoolDir: z.string().min(1).optional(),
      maxSpoolBytes: z.number().int().min(16 * 1024 * 1024).optional(),
    })
    .strict(),
]);
export type StorageConfig = z.infer<typeof StorageConfigSchema>;

const EnvSchema = z.object({
  MEETCAP_STORAGE: z.enum(['local', 's3']).optional(),
  MEETCAP_RECORDINGS_DIR: z.string().min(1).default('./recordings'),
  MEETCAP_S3_BUCKET: z.string().min(1).optional(),
  MEETCAP_S3_ENDPOINT: z.string().min(1).optional(),
  MEETCAP_S3_REGION: z.string().min(1).optional(),
  MEETCAP_S3_FORCE_PATH_STYLE: booleanish.optional(),
  MEETCAP_SPOOL_DIR: z.string().min(1).optional(),
  MEETCAP_SPOOL_MAX_BYTES: z.coerce.number().int().optional(),
  AWS_ACCESS_KEY_ID: z.string().min(1).optional(),
  AWS_SECRET_ACCESS_KEY: z.string().min(1).optional(),
});

/**
 * Reads the storage settings. S3 is chosen when asked for, or when a bucket is configured;
 * otherwise a local directory, so a bare checkout works. Errors name the variable, never a value
 * (the environment holds secrets).
 */
export function storageConfigFromEnv(env: NodeJS.ProcessEnv = process.env): StorageConfig {
  const parsed = EnvSchema.safeParse(emptyToUndefined(env));
  if (!parsed.success) throw configError(parsed.error.issues.map((i) => i.path.join('.')));
  const e = parsed.data;
  const s3Mentioned = [e.MEETCAP_S3_BUCKET, e.MEETCAP_S3_ENDPOINT, e.MEETCAP_S3_REGION, e.MEETCAP_S3_FORCE_PATH_STYLE].some(
    (v) => v !== undefined,
  );
  // Any S3 setting means S3 was intended: a missing bucket is then an error, not a silent local fallback.
  const kind = e.MEETCAP_STORAGE ?? (s3Mentioned ? 's3' : 'local');
  if (kind === 'local') return { kind, dir: e.MEETCAP_RECORDINGS_DIR };
  const credentials =
    e.AWS_ACCESS_KEY_ID && e.AWS_SECRET_ACCESS_KEY
      ? { accessKeyId: e.AWS_ACCESS_KEY_ID, secretAccessKey: e.AWS_SECRET_ACCESS_KEY }
      : undefined;
  const candidate = {
    kind,
    bucket: e.MEETCAP_S3_BUCKET,
    region: e.MEETCAP_S3_REGION ?? 'us-east-1',
    ...(e.MEETCAP_S3_ENDPOINT ? { endpoint: e.MEETCAP_S3_ENDPOINT } : {}),
    ...(e.MEETCAP_S3_FORCE_PATH_STYLE !== undefined ? { forcePathStyle: e.MEETCAP_S3_FORCE_PATH_STYLE } : {}),
    ...(credentials ? { credentials } : {}),
    ...(e.MEETCAP_SPOOL_DIR ? { spoolDir: e.MEETCAP_SPOOL_DIR } : {}),
    ...(e.MEETCAP_SPOOL_MAX_BYTES !== undefined ? { maxSpoolBytes: e.MEETCAP_SPOOL_MAX_BYTES } : {}),
  };
  const result = StorageConfigSchema.safeParse(candidate);
  if (!result.success) throw configError(result.error.issues.map((i) => envNameFor(i.path.join('.'))));
  return result.data;
}

export function createStorage(config: StorageConfig = storageConfigFromEnv()): Storage {
  const valid = StorageConfigSchema.parse(config);
  return valid.kind === 'local' ? new LocalStorage(valid) : new S3Storage(valid);
}

/** A safe summary for logs: no credentials. */
export function describeStorage(config: StorageConfig): Record<string, unknown> {
  if (config.kind === 'local') return { kind: 'local', dir: config.dir };
  const { credentials, ...rest } = config;
  return { ...rest, credentials: credentials ? 'static' : 'default-chain' };
}

function emptyToUndefined(env: NodeJS.ProcessEnv): Record<string, string | undefined> {
  return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, v === '' ? undefined : v]));
}

const ENV_NAMES: Record<string, string> = {
  bucket: 'MEETCAP_S3_BUCKET',
  region: 'MEETCAP_S3_REGION',
  endpoint: 'MEETCAP_S3_ENDPOINT',
  forcePathStyle: 'MEETCAP_S3_FORCE_PATH_STYLE',
  credentials: 'AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY',
  spoolDir: 'MEETCAP_SPOOL_DIR',
  maxSpoolBytes: 'MEETCAP_SPOOL_MAX_BYTES',
};

function envNameFor(path: string): string {
  return ENV_NAMES[path.split('.')[0] ?? ''] ?? path;
}

function configError(fields: string[]): MeetcapError {
  return new MeetcapError('upload_failed', `invalid storage configuration: ${fields.join(', ')}`, { fields });
}
