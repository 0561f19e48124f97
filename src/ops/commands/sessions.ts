import type { Command } from 'commander';
import { loadConfig } from '../../config/index.js';
import type { SessionView, WorkerView } from '../../fleet/registry.js';
import { createOps, type OpsApi } from '../api.js';
import { fail } from '../cli-util.js';

const REGISTRY_HELP = `
Reads the fleet's registry in Redis (REDIS_URL, MEETCAP_QUEUE_PREFIX): every worker refreshes its
records every MEETCAP_HEARTBEAT_SEC. A record not refreshed for MEETCAP_LOST_AFTER_SEC shows as
"lost" (its worker died or lost Redis); it is removed once lost for twice that long.
--json prints the records as a JSON array (see docs/operations.md for the fields).`;

/** `meetcap sessions` and `meetcap workers`: the fleet's registry as a table or JSON. */
export function registerSessionCommands(program: Command): void {
  program
    .command('sessions')
    .description('List live (and lost) sessions across the fleet: meeting, state, platform, age, worker, last heartbeat.')
    .option('--json', 'print JSON instead of a table')
    .addHelpText('after', REGISTRY_HELP)
    .action((opts: { json?: boolean }) => withOps(async (ops) => print(await ops.sessions(), opts.json, sessionTable)));
  program
    .command('workers')
    .description('List the fleet\'s workers: host, pid, slots, sessions, draining, age, last heartbeat.')
    .option('--json', 'print JSON instead of a table')
    .addHelpText('after', REGISTRY_HELP)
    .action((opts: { json?: boolean }) => withOps(async (ops) => print(await ops.workers(), opts.json, workerTable)));
}

async function withOps(run: (ops: OpsApi) => Promise<void>): Promise<void> {
  let ops: OpsApi | undefined;
  try {
    ops = createOps(loadConfig());
    await run(ops);
  } catch (err) {
    fail(err);
  } finally {
    await ops?.close();
  }
}

function print<T>(rows: T[], json: boolean | undefined, table: (rows: T[]) => string): void {
  process.stdout.write(json ? `${JSON.stringify(rows, null, 2)}\n` : table(rows));
}

export function sessionTable(rows: SessionView[]): string {
  if (rows.length === 0) return 'no sessions\n';
  return formatTable(
    ['MEETING', 'SESSION', 'STATE', 'PLATFORM', 'AGE', 'WORKER', 'HEARTBEAT', 'STATUS'],
    rows.map((s) => [
      s.meetingId,
      s.sessionId,
      s.reason ? `${s.state} (${s.reason})` : s.state,
      s.platform ?? (s.source === 'file' ? 'file' : '-'),
      duration(s.ageSec),
      `${s.host}:${s.workerPid ?? '?'}`,
      `${duration(s.heartbeatAgeSec)} ago`,
      s.status,
    ]),
  );
}

export function workerTable(rows: WorkerView[]): string {
  if (rows.length === 0) return 'no workers\n';
  return formatTable(
    ['WORKER', 'HOST', 'PID', 'SLOTS', 'SESSIONS', 'DRAINING', 'AGE', 'HEARTBEAT', 'STATUS'],
    rows.map((w) => [
      w.workerId,
      w.host,
      String(w.pid ?? '?'),
      String(w.slots ?? '?'),
      String(w.sessions ?? 0),
      w.draining ? 'yes' : 'no',
      duration(w.ageSec),
      `${duration(w.heartbeatAgeSec)} ago`,
      w.status,
    ]),
  );
}

/** 42s, 12m05s, 3h02m. */
export function duration(sec: number): string {
  if (!Number.isFinite(sec)) return '?';
  const s = Math.round(sec);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

function formatTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ');
  return `${[header, ...rows].map(line).join('\n')}\n`;
}
