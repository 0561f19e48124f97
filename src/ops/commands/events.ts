import type { Command } from 'commander';
import { loadConfig } from '../../config/index.js';
import { fleetEventJsonSchema, type FleetEvent } from '../../contracts/index.js';
import { createOps } from '../api.js';
import { fail } from '../cli-util.js';
import type { StreamedEvent } from '../event-ops.js';

const EVENTS_HELP = `
Reads the fleet's lifecycle events stream (<MEETCAP_QUEUE_PREFIX>:events on REDIS_URL): every
session state change with its reason code, and one outcome per session.

Without --from it prints every retained event; with -f it prints only new ones and keeps
waiting (Ctrl-C ends it). --from <id> resumes after a stream id printed earlier (0 = the
oldest retained event). Pretty lines by default; --json prints one {"id", "event"} object per
line (the event's shape: --schema, docs/events.md).

Examples:
  meetcap events --json --from 0
  meetcap events -f
  meetcap events --schema > events.schema.json`;

interface EventsCliOptions {
  from?: string;
  follow?: boolean;
  json?: boolean;
  schema?: boolean;
}

export function registerEventCommands(program: Command): void {
  program
    .command('events')
    .description('Print lifecycle events (state changes and outcomes) from the events stream; -f follows.')
    .option('--from <id>', 'resume after this stream id (exclusive; 0 = oldest retained)')
    .option('-f, --follow', 'keep printing new events until interrupted')
    .option('--json', 'one JSON object per line: {"id": <stream id>, "event": <event>}')
    .option('--schema', 'print the JSON Schema of an event and exit')
    .addHelpText('after', EVENTS_HELP)
    .action(async (opts: EventsCliOptions) => {
      if (opts.schema) {
        process.stdout.write(`${JSON.stringify(fleetEventJsonSchema(), null, 2)}\n`);
        return;
      }
      await runEvents(opts);
    });
}

async function runEvents(opts: EventsCliOptions): Promise<void> {
  const ops = createOps(loadConfig());
  const abort = new AbortController();
  const stop = (): void => abort.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    await ops.events({
      ...(opts.from !== undefined ? { from: opts.from } : {}),
      follow: opts.follow === true,
      signal: abort.signal,
      onEvent: (e) => void process.stdout.write(`${opts.json ? JSON.stringify(e) : pretty(e)}\n`),
    });
  } catch (err) {
    fail(err);
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    await ops.close();
  }
}

/** `<id>  <at>  <type>  <tenant>/<meeting>  <session>  <state> (<reason>)` — one line per event. */
export function pretty({ id, event }: StreamedEvent): string {
  const reason = event.reason ? ` (${event.reason})` : '';
  const extra = event.type === 'session.outcome' ? outcomeExtra(event) : '';
  return `${id}  ${event.at}  ${event.type.padEnd(15)}  ${event.tenantId}/${event.meetingId}  ${event.sessionId}  ${event.state}${reason}${extra}`;
}

function outcomeExtra(event: Extract<FleetEvent, { type: 'session.outcome' }>): string {
  if (event.recording) return `  ${event.recording.durationSec}s ${event.recording.manifest.uri}`;
  return event.error ? `  ${event.error.message}` : '';
}
