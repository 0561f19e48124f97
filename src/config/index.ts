import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { MeetcapError } from '../contracts/index.js';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * Flags the sandbox needs so Chromium reaches the local imitations at the real hostnames.
 * Only these may come in through MEETCAP_SANDBOX_BROWSER_ARGS; production sets none of them.
 * Fake capture devices are not among them: a bot that unmuted would play their beep and test
 * pattern into the meeting, and the sandbox's bot runs without devices as a worker does.
 */
const SANDBOX_ARG_PREFIXES = [
  '--host-resolver-rules=',
  '--ignore-certificate-errors-spki-list=',
  '--allow-loopback-in-peer-connection',
];

const flag = z.enum(['0', '1', 'true', 'false']).transform((v) => v === '1' || v === 'true');

const EnvSchema = z.object({
  REDIS_URL: z.string().default('redis://127.0.0.1:6379'),
  MEETCAP_QUEUE_PREFIX: z.string().regex(/^[A-Za-z0-9:_-]+$/).default('meetcap'),
  MEETCAP_SLOTS: z.coerce.number().int().min(1).max(64).optional(),
  MEETCAP_PROFILES_DIR: z.string().default(`${REPO_ROOT}bot-profiles`),
  MEETCAP_TENANTS_DIR: z.string().default(`${REPO_ROOT}tenants`),
  MEETCAP_INGEST_MAX_BYTES: z.coerce.number().int().min(1).default(16 * 1024 ** 3),
  MEETCAP_MIN_DURATION_FLOOR_SEC: z.coerce.number().int().min(1).max(36_000).default(120),
  MEETCAP_DIALER_MIN_DURATION_FLOOR_SEC: z.coerce.number().int().min(1).max(36_000).default(60),
  MEETCAP_CHROMIUM: z.string().default('/usr/bin/chromium'),
  MEETCAP_FFMPEG: z.string().default('ffmpeg'),
  MEETCAP_CHROMIUM_NO_SANDBOX: flag.default(false),
  MEETCAP_SANDBOX_BROWSER_ARGS: z.string().optional(),
  MEETCAP_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  MEETCAP_SESSION_STOP_GRACE_SEC: z.coerce.number().int().min(1).max(600).default(30),
  MEETCAP_RECONNECT_GRACE_SEC: z.coerce.number().int().min(1).max(3_600).default(180),
  MEETCAP_SPARE_SESSION: flag.default(true),
  MEETCAP_ZOOM_SDK_KEY: z.string().min(1).optional(),
  MEETCAP_ZOOM_SDK_SECRET: z.string().min(1).optional(),
  // Fleet operations (docs/operations.md).
  MEETCAP_METRICS_PORT: z.coerce.number().int().min(0).max(65535).default(9464),
  MEETCAP_METRICS_HOST: z.string().min(1).default('127.0.0.1'),
  MEETCAP_HEARTBEAT_SEC: z.coerce.number().int().min(1).max(60).default(5),
  MEETCAP_LOST_AFTER_SEC: z.coerce.number().int().min(3).max(600).default(30),
  MEETCAP_STUCK_AFTER_SEC: z.coerce.number().int().min(10).max(36_000).default(300),
  MEETCAP_BROWSER_UNRESPONSIVE_SEC: z.coerce.number().int().min(5).max(3_600).default(60),
  MEETCAP_SESSION_LOG_MAX_LINES: z.coerce.number().int().min(100).max(1_000_000).default(20_000),
  MEETCAP_SESSION_LOG_TTL_SEC: z.coerce.number().int().min(60).max(30 * 86_400).default(86_400),
  MEETCAP_LEASE_LOCK_SEC: z.coerce.number().int().min(4).max(600).default(20),
  // Empty counts as unset (env files often carry `NAME=`); commands are then refused, not signed with "".
  MEETCAP_CONTROL_SECRET: z.preprocess((v) => (v === '' ? undefined : v), z.string().min(16, 'at least 16 characters').optional()),
});

export interface Config {
  readonly redisUrl: string;
  readonly queuePrefix: string;
  readonly slots: number;
  readonly profilesDir: string;
  /** `tenants/<tenantId>.json`: per-tenant settings (the ingest URL allow-list). */
  readonly tenantsDir: string;
  /** Largest source file a file job may fetch (16 GiB: a 10 h meeting at 2.5 Mbit/s is about 11 GiB). */
  readonly ingestMaxBytes: number;
  /** The product rule: recordings under this are never kept, whatever a job asks (120 s; dialer 60 s). */
  readonly minDurationFloorSec: number;
  /** The same rule for jobs marked `dialer` (60 s). */
  readonly dialerMinDurationFloorSec: number;
  readonly chromiumPath: string;
  readonly ffmpegPath: string;
  /** Chromium's own sandbox. Only disabled explicitly (root in a dev box or CI), never by default. */
  readonly chromiumSandbox: boolean;
  readonly sandboxBrowserArgs: readonly string[];
  readonly logLevel: string;
  readonly sessionStopGraceSec: number;
  /** How long a bot waits out a page that says it is reconnecting before it gives the call up (and rejoins). */
  readonly reconnectGraceSec: number;
  /** Keep one session process started ahead of the next lease (src/scheduler/spare.ts). */
  readonly spareSession: boolean;
  readonly repoRoot: string;
  /** Zoom Meeting SDK app credentials, for bot profiles with `zoomClient: "meeting_sdk"`. Secret: never logged. */
  readonly zoomSdk?: { readonly sdkKey: string; readonly sdkSecret: string };
  /** HMAC key of signed recording-control commands (docs/control.md). Secret: never logged. */
  readonly controlSecret?: string;
  readonly fleet: FleetConfig;
}

/** Fleet operations (docs/operations.md). */
export interface FleetConfig {
  /** Prometheus /metrics (and /healthz) port; 0 picks a free one (tests). */
  readonly metricsPort: number;
  /** Address /metrics binds to: loopback by default; the container image sets 0.0.0.0 (docs/deploy.md). */
  readonly metricsHost: string;
  /** How often the worker refreshes its sessions' registry records. */
  readonly heartbeatSec: number;
  /** A session whose record has not been refreshed for this long is shown as lost, then removed. */
  readonly lostAfterSec: number;
  /** No state change and no new media for this long: the session is stuck and is killed. */
  readonly stuckAfterSec: number;
  /** The browser has not answered a probe for this long: the session is stuck. */
  readonly browserUnresponsiveSec: number;
  /** Log lines kept per session (oldest trimmed first). */
  readonly sessionLogMaxLines: number;
  /** How long a session's log lines stay after it ended. */
  readonly sessionLogTtlSec: number;
  /** BullMQ lock duration of a lease: a dead worker's meetings are taken over within about 1.5x this. */
  readonly leaseLockSec: number;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const fields = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new MeetcapError('invalid_job', `invalid configuration: ${fields}`, { configuration: true });
  }
  const e = parsed.data;
  return Object.freeze({
    redisUrl: e.REDIS_URL,
    queuePrefix: e.MEETCAP_QUEUE_PREFIX,
    slots: e.MEETCAP_SLOTS ?? Math.max(1, cpus().length),
    profilesDir: e.MEETCAP_PROFILES_DIR,
    tenantsDir: e.MEETCAP_TENANTS_DIR,
    ingestMaxBytes: e.MEETCAP_INGEST_MAX_BYTES,
    minDurationFloorSec: e.MEETCAP_MIN_DURATION_FLOOR_SEC,
    dialerMinDurationFloorSec: e.MEETCAP_DIALER_MIN_DURATION_FLOOR_SEC,
    chromiumPath: e.MEETCAP_CHROMIUM,
    ffmpegPath: e.MEETCAP_FFMPEG,
    chromiumSandbox: !e.MEETCAP_CHROMIUM_NO_SANDBOX,
    sandboxBrowserArgs: Object.freeze(parseSandboxArgs(e.MEETCAP_SANDBOX_BROWSER_ARGS)),
    logLevel: e.MEETCAP_LOG_LEVEL,
    sessionStopGraceSec: e.MEETCAP_SESSION_STOP_GRACE_SEC,
    reconnectGraceSec: e.MEETCAP_RECONNECT_GRACE_SEC,
    spareSession: e.MEETCAP_SPARE_SESSION,
    ...(e.MEETCAP_ZOOM_SDK_KEY && e.MEETCAP_ZOOM_SDK_SECRET
      ? { zoomSdk: Object.freeze({ sdkKey: e.MEETCAP_ZOOM_SDK_KEY, sdkSecret: e.MEETCAP_ZOOM_SDK_SECRET }) }
      : {}),
    ...(e.MEETCAP_CONTROL_SECRET ? { controlSecret: e.MEETCAP_CONTROL_SECRET } : {}),
    fleet: Object.freeze({
      metricsPort: e.MEETCAP_METRICS_PORT,
      metricsHost: e.MEETCAP_METRICS_HOST,
      heartbeatSec: e.MEETCAP_HEARTBEAT_SEC,
      lostAfterSec: e.MEETCAP_LOST_AFTER_SEC,
      stuckAfterSec: e.MEETCAP_STUCK_AFTER_SEC,
      browserUnresponsiveSec: e.MEETCAP_BROWSER_UNRESPONSIVE_SEC,
      sessionLogMaxLines: e.MEETCAP_SESSION_LOG_MAX_LINES,
      sessionLogTtlSec: e.MEETCAP_SESSION_LOG_TTL_SEC,
      leaseLockSec: e.MEETCAP_LEASE_LOCK_SEC,
    }),
    repoRoot: REPO_ROOT,
  });
}

function parseSandboxArgs(raw: string | undefined): string[] {
  if (!raw) return [];
  const args: unknown = JSON.parse(raw);
  if (!Array.isArray(args) || !args.every((a) => typeof a === 'string')) {
    throw new MeetcapError('invalid_job', 'MEETCAP_SANDBOX_BROWSER_ARGS must be a JSON array of strings', { configuration: true });
  }
  for (const arg of args as string[]) {
    if (!SANDBOX_ARG_PREFIXES.some((p) => arg.startsWith(p))) {
      throw new MeetcapError('invalid_job', `MEETCAP_SANDBOX_BROWSER_ARGS may not contain ${arg.split('=')[0]}`, { configuration: true });
    }
  }
  return args as string[];
}
