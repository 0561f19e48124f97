import { listSessions, listWorkers, resolveSession, type ResolvedSession, type SessionView, type WorkerView } from '../fleet/registry.js';
import type { OpsDeps } from './api.js';

/** The fleet as the registry shows it (docs/operations.md, "Registry"). Read-only, no secret needed. */
export interface RegistryOps {
  /** Every registered session across the fleet, live and lost, oldest first. */
  sessions(): Promise<SessionView[]>;
  /** Every registered worker, live and lost. */
  workers(): Promise<WorkerView[]>;
  /** A meetingId or `ses_…` sessionId to its (newest) session; undefined when nothing is known of it. */
  resolveSession(id: string): Promise<ResolvedSession | undefined>;
}

export function registryOps(deps: OpsDeps): RegistryOps {
  const opts = (): { lostAfterSec: number; now: number } => ({ lostAfterSec: deps.config.fleet.lostAfterSec, now: Date.now() });
  return {
    sessions: () => listSessions(deps.redis(), deps.keys, opts()),
    workers: () => listWorkers(deps.redis(), deps.keys, opts()),
    resolveSession: (id) => resolveSession(deps.redis(), deps.keys, id, opts()),
  };
}
