import { attachEventStream } from './event-stream.js';
import { attachRegistry } from './registry.js';
import { attachSessionLogs } from './session-logs.js';
import { attachStuckWatchdog } from './stuck.js';
import { attachWebhooks } from './webhooks.js';
import { attachMetrics } from '../observability/metrics.js';
import type { Attached, FleetContext } from './context.js';

/**
 * The fleet features a worker runs beside its sessions, attached in order and closed in reverse.
 * Each one only listens to `ctx.events` and talks to Redis; none of them can stop a lease.
 */
export async function attachFleet(ctx: FleetContext): Promise<Attached> {
  const attached: Attached[] = [];
  try {
    for (const attach of [attachRegistry, attachSessionLogs, attachEventStream, attachWebhooks, attachMetrics, attachStuckWatchdog]) {
      attached.push(await attach(ctx));
    }
  } catch (err) {
    await closeAll(attached);
    throw err;
  }
  let closing: Promise<void> | undefined;
  const endpoints = Object.assign({}, ...attached.map((a) => a.endpoints ?? {})) as Record<string, string>;
  return { close: () => (closing ??= closeAll(attached)), endpoints };
}

async function closeAll(attached: Attached[]): Promise<void> {
  for (const a of attached.reverse()) {
    await a.close().catch(() => undefined);
  }
}
