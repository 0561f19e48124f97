import { loadConfig } from '../config/index.js';
import { createRootLogger } from '../observability/logger.js';
import { startWorker } from '../scheduler/worker.js';

/** `meetcap worker`: runs until SIGTERM/SIGINT, then stops leasing and lets sessions finish. */
export async function runWorkerCli(opts: { slots?: number }): Promise<void> {
  const env = opts.slots ? { ...process.env, MEETCAP_SLOTS: String(opts.slots) } : process.env;
  const config = loadConfig(env);
  const log = createRootLogger({ level: config.logLevel, name: 'meetcap-worker' });
  const worker = await startWorker({ config, log });
  await new Promise<void>((resolve) => {
    const shutdown = (signal: string): void => {
      log.info({ signal }, 'shutting down: no new leases, finishing sessions');
      void worker.close().then(resolve);
    };
    process.once('SIGTERM', () => shutdown('SIGTERM'));
    process.once('SIGINT', () => shutdown('SIGINT'));
  });
}
