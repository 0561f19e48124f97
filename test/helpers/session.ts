import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { loadConfig } from '../../src/config/index.js';
import {
  parseMeetingJob,
  type ControlCommand,
  type ControlResult,
  type MeetingJobInput,
  type SessionEvent,
  type SessionEventMap,
  type SessionOutcome,
} from '../../src/contracts/index.js';
import { S3Storage } from '../../src/media/storage/index.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { systemClock } from '../../src/session/clock.js';
import { runSession } from '../../src/session/run.js';
import { startS3rver, type TestS3 } from './s3rver.js';

/**
 * One session run in this process (no queue, no worker) against the sandbox and a real S3
 * server, with its control handler in reach: for tests of what the session itself does with
 * recording commands. The worker path is tested in test/e2e.
 */
export interface InProcessSession {
  outcome: Promise<SessionOutcome>;
  states: Array<SessionEventMap['state']>;
  reached(state: SessionEventMap['state']['state']): Promise<void>;
  control(command: ControlCommand): Promise<ControlResult>;
  stop(): void;
}

export interface SessionFixture {
  sandbox: Sandbox;
  s3: TestS3;
  storage: S3Storage;
  run(job: Partial<MeetingJobInput> & { meetingUrl: string }): InProcessSession;
  close(): Promise<void>;
}

export async function startSessionFixture(): Promise<SessionFixture> {
  const home = await mkdtemp(join(tmpdir(), 'meetcap-session-test-'));
  const sandbox = await startSandbox({ home });
  const s3 = await startS3rver();
  const storage = new S3Storage({
    bucket: s3.bucket,
    region: 'us-east-1',
    endpoint: s3.endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
  });
  const config = loadConfig({
    ...process.env,
    MEETCAP_SANDBOX_BROWSER_ARGS: JSON.stringify(sandbox.botBrowserArgs()),
    MEETCAP_CHROMIUM_NO_SANDBOX: process.getuid?.() === 0 ? '1' : '0',
  });
  const log = pino({ level: process.env.MEETCAP_TEST_LOG ?? 'silent' });
  return {
    sandbox,
    s3,
    storage,
    run(input) {
      const job = parseMeetingJob({
        meetingId: `s-${randomBytes(4).toString('hex')}`,
        tenantId: 'acme',
        scheduledStart: new Date().toISOString(),
        joinOffsetSec: 0,
        ...input,
        limits: { minDurationSec: 1, waitingRoomTimeoutSec: 60, joinTimeoutSec: 60, ...input.limits },
      });
      return runInProcess(job, { config, storage, log });
    },
    async close() {
      storage.close();
      await s3.close();
      await sandbox.close();
      await rm(home, { recursive: true, force: true });
    },
  };
}

function runInProcess(job: ReturnType<typeof parseMeetingJob>, deps: { config: ReturnType<typeof loadConfig>; storage: S3Storage; log: pino.Logger }): InProcessSession {
  const states: Array<SessionEventMap['state']> = [];
  const waiters: Array<{ state: string; resolve: () => void }> = [];
  const stop = new AbortController();
  let handler: ((c: ControlCommand) => Promise<ControlResult>) | undefined;
  const emit = (event: SessionEvent): void => {
    if (event.type !== 'state') return;
    states.push(event.data);
    for (const w of waiters.filter((x) => x.state === event.data.state)) w.resolve();
  };
  const outcome = runSession(job, `ses_${randomBytes(6).toString('hex')}`, {
    ...deps,
    clock: systemClock,
    emit,
    stop: stop.signal,
    onControl: (h) => (handler = h),
  });
  return {
    outcome,
    states,
    reached: (state) =>
      states.some((s) => s.state === state) ? Promise.resolve() : new Promise((resolve) => waiters.push({ state, resolve })),
    control: (command) => (handler ? handler(command) : Promise.reject(new Error('no control handler yet'))),
    stop: () => stop.abort(),
  };
}
