import { randomBytes } from 'node:crypto';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { Redis } from 'ioredis';
import { loadConfig, type Config } from '../../src/config/index.js';
import type { MeetingJobInput, SessionEventMap, SessionOutcome } from '../../src/contracts/index.js';
import { createRootLogger } from '../../src/observability/logger.js';
import { createOps, type OpsApi } from '../../src/ops/api.js';
import { startSandbox, type Sandbox, type VideoSize } from '../../src/sandbox/index.js';
import { followMeeting, startWorker, type MeetcapWorker } from '../../src/scheduler/worker.js';
import { startS3rver, type TestS3 } from './s3rver.js';

/** The fleet's control secret in tests (workers, sessions and the harness's ops API share it). */
export const TEST_CONTROL_SECRET = 'test-control-secret-7f3a9c1e5b';

/**
 * The whole product on loopback: sandbox, a real S3-compatible server, Redis (own key prefix,
 * removed afterwards), a worker running real session processes, and the ops API.
 */
export interface Harness {
  sandbox: Sandbox;
  s3: TestS3;
  s3client: S3Client;
  worker: MeetcapWorker;
  ops: OpsApi;
  config: Config;
  /** The environment the worker and its sessions run with (for workers started as processes). */
  env: NodeJS.ProcessEnv;
  /** Every log line the sessions wrote. */
  logLines: string[];
  /** The worker's own log lines (through the production logger, redaction included). */
  workerLogLines: string[];
  /** Resolves with the outcome of `meetingId`, collecting its state events meanwhile. */
  track(meetingId: string): Tracked;
  job(meetingUrl: string, extra?: Partial<MeetingJobInput>): MeetingJobInput;
  objectKeys(prefix?: string): Promise<string[]>;
  download(key: string): Promise<string>;
  close(): Promise<void>;
}

export interface Tracked {
  states: Array<SessionEventMap['state']>;
  outcome: Promise<SessionOutcome>;
  /** Resolves when the session first reaches `state`. */
  reached(state: SessionEventMap['state']['state']): Promise<SessionEventMap['state']>;
}

export interface HarnessOptions {
  /** Extra environment for the worker and its sessions (e.g. short watchdog limits). */
  env?: Record<string, string>;
  /**
   * The participants' camera pictures. Behaviour tests send 640x360, what a gallery tile gets:
   * on a 2-core box, 720p from every participant only slows joins down. The capture quality
   * tests send 720p, as the benchmark does.
   */
  participantVideo?: VideoSize;
}

const GALLERY_TILE: VideoSize = { width: 640, height: 360 };

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const prefix = `meetcap-test-${randomBytes(4).toString('hex')}`;
  const spoolDir = join(tmpdir(), `${prefix}-spool`);
  const sandbox = await startSandbox({ home: join(tmpdir(), 'meetcap-test-home'), participantVideo: options.participantVideo ?? GALLERY_TILE });
  const s3 = await startS3rver();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    MEETCAP_QUEUE_PREFIX: prefix,
    MEETCAP_MIN_DURATION_FLOOR_SEC: '1', // tests exercise the rules with short meetings
    MEETCAP_SANDBOX_BROWSER_ARGS: JSON.stringify(sandbox.botBrowserArgs()),
    MEETCAP_CHROMIUM_NO_SANDBOX: process.getuid?.() === 0 ? '1' : '0',
    MEETCAP_STORAGE: 's3',
    MEETCAP_S3_BUCKET: s3.bucket,
    MEETCAP_S3_ENDPOINT: s3.endpoint,
    MEETCAP_S3_FORCE_PATH_STYLE: 'true',
    AWS_ACCESS_KEY_ID: 'S3RVER',
    AWS_SECRET_ACCESS_KEY: 'S3RVER',
    MEETCAP_LOG_LEVEL: 'debug',
    MEETCAP_SPOOL_DIR: spoolDir,
    MEETCAP_CONTROL_SECRET: TEST_CONTROL_SECRET,
    MEETCAP_METRICS_PORT: '0',
    ...options.env,
  };
  const config = loadConfig(env);
  const logLines: string[] = [];
  /** Files download() wrote, removed by close(). */
  const downloads: string[] = [];
  const workerLogLines: string[] = [];
  const workerLog = createRootLogger({ level: 'info', destination: { write: (l: string) => void workerLogLines.push(l) } });
  const worker = await startWorker({ config, log: workerLog, sessionEnv: env, onLogLine: (l) => logLines.push(l) });
  const ops = createOps(config);
  const s3client = new S3Client({
    endpoint: s3.endpoint,
    forcePathStyle: true,
    region: 'us-east-1',
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
  });
  let n = 0;
  return {
    sandbox,
    s3,
    s3client,
    worker,
    ops,
    config,
    env,
    logLines,
    workerLogLines,
    track: (meetingId) => track(worker, meetingId),
    job: (meetingUrl, extra = {}) => ({
      meetingId: `t-${++n}-${randomBytes(3).toString('hex')}`,
      tenantId: 'acme',
      meetingUrl,
      scheduledStart: new Date().toISOString(),
      joinOffsetSec: 0,
      ...extra,
      limits: { minDurationSec: 1, waitingRoomTimeoutSec: 60, joinTimeoutSec: 60, ...extra.limits },
    }),
    async objectKeys(keyPrefix = '') {
      const out = await s3client.send(new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: keyPrefix }));
      return (out.Contents ?? []).map((o) => o.Key!).sort();
    },
    async download(key) {
      const out = await s3client.send(new GetObjectCommand({ Bucket: s3.bucket, Key: key }));
      const file = join(tmpdir(), `meetcap-${randomBytes(4).toString('hex')}-${key.split('/').pop()}`);
      await writeFile(file, await out.Body!.transformToByteArray());
      downloads.push(file);
      return file;
    },
    async close() {
      await worker.close();
      await ops.close();
      await clearPrefix(config.redisUrl, prefix);
      s3client.destroy();
      await s3.close();
      await sandbox.close();
      await Promise.all(downloads.map((f) => rm(f, { force: true })));
      await rm(spoolDir, { recursive: true, force: true });
    },
  };
}

function track(worker: MeetcapWorker, meetingId: string): Tracked {
  const states: Array<SessionEventMap['state']> = [];
  const waiters: Array<{ state: string; resolve: (s: SessionEventMap['state']) => void }> = [];
  const outcome = followMeeting(worker.events, meetingId, (s) => {
    states.push(s);
    for (const w of waiters.filter((w) => w.state === s.state)) w.resolve(s);
  });
  return {
    states,
    outcome,
    reached: (state) => {
      const seen = states.find((s) => s.state === state);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve) => waiters.push({ state, resolve }));
    },
  };
}

async function clearPrefix(redisUrl: string, prefix: string): Promise<void> {
  const redis = new Redis(redisUrl);
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
    if (keys.length) await redis.del(...keys);
    cursor = next;
  } while (cursor !== '0');
  await redis.quit();
}
