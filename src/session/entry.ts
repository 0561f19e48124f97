import type { Logger } from 'pino';
import { loadConfig, type Config } from '../config/index.js';
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
import { HealthReporter, type LiveBrowser } from './health.js';
import { stopReason } from './monitor.js';
import { runSession } from './run.js';

type ControlHandler = (command: ControlCommand) => Promise<ControlResult>;

/**
 * To the worker, if it is still there. After the channel closed (the worker died) a send would
 * emit an 'error' nobody handles; an orphaned session keeps going without reporting.
 */
function toWorker(msg: SessionToWorker): void {
  if (process.connected) process.send?.(msg, undefined, undefined, (err) => void err);
}

/** Every control message gets exactly one answer, even before the session can act on it. */
async function answerControl(msg: Extract<WorkerToSession, { type: 'control' }>, handler: ControlHandler | undefined): Promise<void> {
  const result: ControlResult = handler
    ? await handler(msg.command)
    : { ok: false, error: new MeetcapError('control_refused', 'the session is still starting').toJSON() };
  toWorker({ type: 'control_result', requestId: msg.requestId, result });
}

interface Channel {
  start: Promise<Extract<WorkerToSession, { type: 'start' }>>;
  setControl(handler: ControlHandler): void;
  /** The outcome is sent: a disconnect from now on is ours, not the worker dying. */
  finished(): void;
}

/**
 * The IPC side of the session. `stop` aborts with the worker's reason (it becomes the outcome's
 * reason); the channel closing under us (the worker was killed) aborts with worker_lost, so the
 * session leaves, finalizes its recording and exits on its own.
 */
function listen(stop: AbortController, health: HealthReporter): Channel {
  let control: ControlHandler | undefined;
  let done = false;
  let started = false;
  let begin!: (msg: Extract<WorkerToSession, { type: 'start' }>) => void;
  const start = new Promise<Extract<WorkerToSession, { type: 'start' }>>((resolve) => (begin = resolve));
  process.on('message', (msg) => {
    if (!isWorkerToSession(msg)) return;
    if (msg.type === 'start') {
      started = true;
      begin(msg);
    }
    else if (msg.type === 'control') void answerControl(msg, control);
    else if (msg.type === 'screenshot') void health.screenshot().then((result) => toWorker({ type: 'screenshot_result', requestId: msg.requestId, result }));
    else stop.abort(msg.reason);
  });
  const lost = (): void => {
    if (done) return;
    stop.abort('worker_lost');
    // Nobody will send the job now: a session that has none yet just ends.
    if (!started) process.exit(0);
  };
  process.once('disconnect', lost);
  // The worker can go while this process is still loading (a spare waits a long time for its job).
  if (!process.connected) lost();
  // The worker's ends of stdout/stderr vanish with it; a write there must not kill the finalize.
  for (const stream of [process.stdout, process.stderr]) stream.on('error', () => undefined);
  return { start, setControl: (h) => (control = h), finished: () => (done = true) };
}

/**
 * `meetcap session`: the child process a worker starts for one meeting. It waits for the job on
 * the IPC channel, runs it, reports every event (and its health every few seconds) back, and
 * exits. SIGINT/SIGTERM (or a `stop` message) make it leave the meeting and finalize what was
 * recorded; so does losing the worker.
 */
export async function sessionMain(): Promise<void> {
  if (!process.send) throw new Error('meetcap session is started by a worker (it needs an IPC channel)');
  const config = loadConfig();
  const root = createRootLogger({ level: config.logLevel, name: 'meetcap-session' });
  const stop = new AbortController();
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => stop.abort());
  let log = root;
  const health = new HealthReporter({ clock: systemClock, log: root, send: (h) => toWorker({ type: 'health', health: h }) });
  const channel = listen(stop, health);
  toWorker({ type: 'ready' });
  const start = await channel.start;
  log = sessionLogger(root, { sessionId: start.sessionId, meetingId: start.job.meetingId });
  stop.signal.addEventListener('abort', () => log.warn({ reason: stopReason(stop.signal) }, 'stop requested'), { once: true });
  health.start();
  const emit = (event: SessionEvent): void => {
    if (event.type === 'state') health.observeState(event.data.state);
    toWorker({ type: 'event', event });
  };
  try {
    await run(start, { config, log, emit, stop: stop.signal, setControl: channel.setControl, onLive: (live) => health.attach(live) });
  } catch (err) {
    // runSession reports its own outcome; reaching here is a defect, reported as one.
    const e = toMeetcapError(err);
    log.error({ code: e.code, err: e.message }, 'session failed outside its lifecycle');
    emit({
      type: 'outcome',
      data: { meetingId: start.job.meetingId, sessionId: start.sessionId, state: 'failed', reason: e.code, error: e.toJSON() },
    });
  }
  health.close();
  channel.finished();
  // Nothing else should keep the process alive once the outcome is sent (S3 keep-alive sockets could).
  root.flush();
  if (process.connected) process.disconnect();
  process.exitCode = 0;
  setTimeout(() => process.exit(0), 500).unref();
}

interface RunDeps {
  config: Config;
  log: Logger;
  emit: (event: SessionEvent) => void;
  stop: AbortSignal;
  setControl: (handler: ControlHandler) => void;
  onLive: (live: LiveBrowser) => void;
}

async function run(start: Extract<WorkerToSession, { type: 'start' }>, d: RunDeps): Promise<void> {
  const storageConfig = storageConfigFromEnv();
  d.log.info({ storage: describeStorage(storageConfig) }, 'storage selected');
  const base = { config: d.config, storage: createStorage(storageConfig), clock: systemClock, log: d.log, emit: d.emit, stop: d.stop };
  // A recording that arrives as a file is fetched and transcoded, not joined.
  if (start.job.source === 'file') await runIngest(start.job, start.sessionId, base);
  else await runSession(start.job, start.sessionId, { ...base, onControl: d.setControl, onLive: d.onLive, previousSessions: start.previousSessions });
}
