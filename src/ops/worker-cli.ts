import { loadConfig } from '../config/index.js';
import { createRootLogger } from '../observability/logger.js';
import { startWorker } from '../scheduler/worker.js';

/** Once closed, stray handles (keep-alive sockets) must not keep a drained worker's process around. */
const EXIT_AFTER_CLOSE_MS = 2_000;

/**
 * `meetcap worker`: runs until SIGTERM/SIGINT (stops leasing, asks sessions to finish) or until an
 * operator's `meetcap drain` (stops leasing, lets sessions end on their own); exits 0 either way.
 */
export async function runWorkerCli(opts: { slots?: number }): Promise<void> {
  const env = opts.slots ? { ...process.env, MEETCAP_SLOTS: String(opts.slots) } : process.env;
  const config = loadConfig(env);
  const log = createRootLogger({ level: config.logLevel, name: 'meetcap-worker' });
  let shutdown: (why: string) => void = () => undefined;
  const stopped = new Promise<void>((resolve) => {
    let once = false;
    shutdown = (why) => {
      if (once) return;
      once = true;
      log.info({ why }, why === 'drained' ? 'drained: exiting' : 'shutting down: no new leases, finishing sessions');
      void worker.then((w) => w.close()).then(resolve, resolve);
    };
  });
  const worker = startWorker({ config, log, onDrained: () => shutdown('drained') });
  await worker;
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
  await stopped;
  process.exitCode = 0;
  setTimeout(() => process.exit(0), EXIT_AFTER_CLOSE_MS).unref();
}
