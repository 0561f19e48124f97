import type { Command } from 'commander';
import { loadConfig } from '../../config/index.js';
import { createOps, type OpsApi } from '../api.js';
import { fail } from '../cli-util.js';

const LOGS_HELP = `
Reads the session's log stream in Redis, so it works for a session on any worker: every line
the session wrote since it started (up to MEETCAP_SESSION_LOG_MAX_LINES, oldest dropped first),
then, with -f, new lines as they come until the session ends (Ctrl-C stops following; exit 0).
A meetingId means its newest session. Lines stay MEETCAP_SESSION_LOG_TTL_SEC after the session
ended. Needs MEETCAP_CONTROL_SECRET (the fleet's): a tail without it is refused and audited.
Default output: "12:01:02.345 INFO  message  key=value ..." (UTC times); --json: the raw pino
JSON lines. Exit 2 with a typed error on stderr (meeting_not_live, control_unauthorized).`;

/** `meetcap logs <meetingId|sessionId> [-f] [--json]`. */
export function registerLogCommands(program: Command): void {
  program
    .command('logs')
    .description("Print a session's log lines from any worker; -f keeps following until it ends.")
    .argument('<id>', 'a meetingId (its newest session) or a ses_… sessionId')
    .option('-f, --follow', 'keep printing new lines until the session ends or Ctrl-C')
    .option('--json', 'print the raw JSON lines')
    .addHelpText('after', LOGS_HELP)
    .action(async (id: string, opts: { follow?: boolean; json?: boolean }) => {
      const stop = new AbortController();
      const onSigint = (): void => stop.abort();
      process.once('SIGINT', onSigint);
      let ops: OpsApi | undefined;
      try {
        ops = createOps(loadConfig());
        const color = !opts.json && process.stdout.isTTY === true;
        await ops.logs(id, {
          follow: opts.follow === true,
          signal: stop.signal,
          onLine: ({ line }) => process.stdout.write(`${opts.json ? line : prettyLine(line, color)}\n`),
        });
      } catch (err) {
        fail(err);
      } finally {
        process.off('SIGINT', onSigint);
        await ops?.close();
      }
    });
}

const LEVEL_COLOURS: Record<string, string> = { trace: '90', debug: '36', info: '32', warn: '33', error: '31', fatal: '35' };
const HIDDEN = new Set(['time', 'level', 'msg', 'pid', 'hostname', 'name', 'sessionId', 'meetingId', 'v']);

/** `12:01:02.345 INFO  message  key=value …`; a line that is not JSON is printed as it is. */
export function prettyLine(line: string, color = false): string {
  let rec: Record<string, unknown>;
  try {
    rec = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line;
  }
  if (rec === null || typeof rec !== 'object') return line;
  const time = typeof rec.time === 'string' ? rec.time.slice(11, 23) : typeof rec.time === 'number' ? new Date(rec.time).toISOString().slice(11, 23) : '';
  const levelName = typeof rec.level === 'string' ? rec.level : levelOf(rec.level);
  const level = levelName.toUpperCase().padEnd(5);
  const painted = color && LEVEL_COLOURS[levelName] ? `\u001b[${LEVEL_COLOURS[levelName]}m${level}\u001b[0m` : level;
  const fields = Object.entries(rec)
    .filter(([k]) => !HIDDEN.has(k))
    .map(([k, v]) => `${k}=${fieldValue(v)}`);
  const head = [time, painted, typeof rec.msg === 'string' ? rec.msg : ''].filter((x) => x !== '').join(' ');
  return fields.length > 0 ? `${head}  ${fields.join(' ')}` : head;
}

function levelOf(n: unknown): string {
  const byNumber: Record<number, string> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' };
  return typeof n === 'number' ? (byNumber[n] ?? String(n)) : 'info';
}

function fieldValue(v: unknown): string {
  if (typeof v === 'string') return /[\s"=]/.test(v) || v === '' ? JSON.stringify(v) : v;
  return JSON.stringify(v) ?? String(v);
}
