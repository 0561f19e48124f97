import { loadConfig } from '../config/index.js';
import {
  isWorkerToSession,
  MeetcapError,
  toMeetcapError,
  type ControlCommand,
  type ControlResult,
  type SessionEvent,
  type SessionToWorker,
  type WorkerToSession,
} from '../contracts/index.js';
import { createStorage, describeStorage, storageConfigFromEnv } from '../media/storage/index.js';
import { createRootLogger, sessionLogger } from '../observability/logger.js';
import { runIngest } from '../ingest/index.js';
import { systemClock } from './clock.js';
import { runSession } from './run.js';

type ControlHandler = (command: ControlCommand) => Promise<ControlResult>;

/** Every control message gets exactly one answer, even before the session can act on it. */
async function answerControl(msg: Extract<WorkerToSession, { type: 'control' }>, handler: ControlHandler | undefined): Promise<void> {
  const result: ControlResult = handler
    ? await handler(msg.command)
    : { ok: false, error: new MeetcapError('control_refused', 'the session is still starting').toJSON() };
  const reply: SessionToWorker = { type: 'control_result', requestId: msg.requestId, result };
  process.send?.(reply);
}

/**
 * `meetcap session`: the child process a worker starts for one meeting. It waits for the job on
 * the IPC channel, runs it, reports every event back, and exits. SIGINT/SIGTERM (or a `stop`
 * message) make it leave the meeting and finalize what was recorded.
 */
export async function sessionMain(): Promise<void> {
  if (!process.send) throw new Error('meetcap session is started by a worker (it needs an IPC channel)');
  const config = loadConfig();
  const root = createRootLogger({ level: config.logLevel, name: 'meetcap-session' });
  const stop = new AbortController();
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => stop.abort());

  let control: ControlHandler | undefined;
  const start = await new Promise<Extract<WorkerToSession, { type: 'start' }>>((resolve) => {
    process.on('message', (msg) => {
      if (!isWorkerToSession(msg)) return;
      if (msg.type === 'start') resolve(msg);
      else if (msg.type === 'control') void answerControl(msg, control);
      else stop.abort();
    });
  });
  const log = sessionLogger(root, { sessionId: start.sessionId, meetingId: start.job.meetingId });
  const emit = (event: SessionEvent): void => {
    const msg: SessionToWorker = { type: 'event', event };
    process.send?.(msg);
  };
  try {
    const storageConfig = storageConfigFromEnv();
    log.info({ storage: describeStorage(storageConfig) }, 'storage selected');
    // A recording that arrives as a file is fetched and transcoded, not joined.
    if (start.job.source === 'file') {
      const deps = { config, storage: createStorage(storageConfig), clock: systemClock, log, emit, stop: stop.signal };
      await runIngest(start.job, start.sessionId, deps);
    } else await runSession(start.job, start.sessionId, {
      config,
      storage: createStorage(storageConfig),
      clock: systemClock,
      log,
      emit,
      stop: stop.signal,
      onControl: (handler) => (control = handler),
    });
  } catch (err) {
    // runSession reports its own outcome; reaching here is a defect, reported as one.
    const e = toMeetcapError(err);
    log.error({ code: e.code, err: e.message }, 'session failed outside its lifecycle');
    emit({
      type: 'outcome',
      data: { meetingId: start.job.meetingId, sessionId: start.sessionId, state: 'failed', reason: e.code, error: e.toJSON() },
    });
  }
  // Nothing else should keep the process alive once the outcome is sent (S3 keep-alive sockets could).
  root.flush();
  process.disconnect?.();
  process.exitCode = 0;
  setTimeout(() => process.exit(0), 500).unref();
}
