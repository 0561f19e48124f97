import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { loadConfig } from '../../config/index.js';
import { MAX_REASON_CHARS } from '../../control/envelope.js';
import { createOps, type OpsApi } from '../api.js';
import { fail } from '../cli-util.js';

const AUTH_HELP = `
Needs MEETCAP_CONTROL_SECRET (the fleet's secret: checked against the one the workers published,
then used to sign the command); REDIS_URL and MEETCAP_QUEUE_PREFIX must name the fleet's Redis.
Every attempt, accepted or refused, is written to the audit stream. On a typed error
(control_unauthorized, meeting_not_live, control_refused, internal_error) prints it as JSON on
stderr and exits 2. Wire format and timings: docs/control.md.`;

const ID_HELP = 'a meeting id (the job\'s meetingId) or a session id (ses_<uuid>, as `meetcap sessions` shows it)';

interface Common {
  json?: boolean;
  timeoutMs: number;
}

const timeoutOption = (): Option =>
  new Option('--timeout-ms <ms>', 'how long to wait for the worker running the target to claim the command').argParser(Number).default(5_000);

/** Runs one operator command with its own ops connection; typed errors go to stderr, exit 2. */
async function withOps(opts: Common, run: (ops: OpsApi) => Promise<unknown>): Promise<void> {
  const ops = createOps(loadConfig(), { controlReplyTimeoutMs: opts.timeoutMs });
  try {
    const result = await run(ops);
    if (typeof result === 'string') process.stdout.write(`${result}\n`);
    else process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  } catch (err) {
    fail(err);
  } finally {
    await ops.close();
  }
}

function registerKill(program: Command): void {
  program
    .command('kill')
    .description('Stop a live session: the bot leaves and finalizes (kept if it reached the minimum); the worker and its other sessions keep running.')
    .argument('<id>', ID_HELP)
    .option('--reason <text>', `why, for the audit stream and the worker's log (at most ${MAX_REASON_CHARS} characters; line breaks become spaces)`)
    .option('--json', 'print the answer as JSON')
    .addOption(timeoutOption())
    .addHelpText('after', `
Answers as soon as the worker told the session to stop ("stopping"); the outcome (done/discarded
with reason stopped_by_operator) follows on the event stream. A session that has not exited after
MEETCAP_SESSION_STOP_GRACE_SEC is killed hard and finalized from what it had uploaded.
${AUTH_HELP}`)
    .action((id: string, opts: Common & { reason?: string }) =>
      withOps(opts, async (ops) => {
        const r = await ops.kill(id, { reason: opts.reason });
        if (opts.json) return r;
        const list = r.sessions.map((s) => `${s.sessionId} (meeting ${s.meetingId})`).join(', ');
        return `stopping ${list} on worker ${r.workerId}; hard kill after ${r.graceSec} s if it has not exited`;
      }),
    );
}

function registerScreenshot(program: Command): void {
  program
    .command('screenshot')
    .description('Save a PNG of what the bot sees now.')
    .argument('<id>', ID_HELP)
    .option('-o, --output <file>', 'where to write the PNG (default: screenshot-<sessionId>.png in the current directory)')
    .option('--json', 'print {file, bytes, width, height} as JSON')
    .addOption(timeoutOption())
    .addHelpText('after', `
For a meeting id, the newest session of that meeting is shown. The session has 10 s to answer;
PNGs over 8 MiB are refused.
${AUTH_HELP}`)
    .action((id: string, opts: Common & { output?: string }) =>
      withOps(opts, async (ops) => {
        const png = await ops.screenshot(id);
        const file = resolve(opts.output ?? `screenshot-${png.sessionId}.png`);
        await writeFile(file, png);
        const out = { file, bytes: png.length, width: png.width, height: png.height };
        return opts.json ? out : `wrote ${file} (${out.width}x${out.height}, ${out.bytes} bytes) from ${png.sessionId}`;
      }),
    );
}

function registerDrain(program: Command): void {
  program
    .command('drain')
    .description('Make a worker stop leasing meetings; it exits once its running sessions have ended.')
    .argument('<workerId>', 'the worker id (<host>:<pid>:<random>, as `meetcap sessions` shows it)')
    .option('--json', 'print the answer as JSON')
    .addOption(timeoutOption())
    .addHelpText('after', `
The worker's registry record is marked draining at once; its sessions are not stopped (use
\`meetcap kill\` for that). A worker id no worker answers to is meeting_not_live.
${AUTH_HELP}`)
    .action((workerId: string, opts: Common) =>
      withOps(opts, async (ops) => {
        const r = await ops.drain(workerId);
        return opts.json ? r : `worker ${r.workerId} is draining; it exits after its ${r.sessions} running session(s) end`;
      }),
    );
}

/** `meetcap kill`, `meetcap screenshot`, `meetcap drain` (issue 5 §1), thin over the ops API. */
export function registerOperatorCommands(program: Command): void {
  registerKill(program);
  registerScreenshot(program);
  registerDrain(program);
}
