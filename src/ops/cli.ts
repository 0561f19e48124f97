import { Command, Option } from 'commander';
import { loadConfig } from '../config/index.js';
import { fileJobJsonSchema, meetingJobJsonSchema, type PlatformId } from '../contracts/index.js';
import { createRootLogger } from '../observability/logger.js';
import { createOps } from './api.js';
import { fail, readJob, readStdin } from './cli-util.js';
import { registerFleetCommands } from './commands/index.js';

const program = new Command('meetcap')
  .description('Meeting bots for Zoom, Google Meet and Microsoft Teams: schedule, join, record, upload.')
  .showHelpAfterError();

program
  .command('worker')
  .description('Lease due meetings from the queue and run each as a session process.')
  .addOption(new Option('--slots <n>', 'concurrent sessions (default: CPU count, or MEETCAP_SLOTS)').argParser(Number))
  .action(async (opts: { slots?: number }) => {
    const { runWorkerCli } = await import('./worker-cli.js');
    await runWorkerCli(opts);
  });

program
  .command('session', { hidden: true })
  .description('Run one meeting (started by a worker over IPC; not for direct use).')
  .action(async () => {
    const { sessionMain } = await import('../session/entry.js');
    await sessionMain();
  });

program
  .command('schedule')
  .description('Validate a MeetingJob (JSON file, or - for stdin) and put it on the queue.')
  .argument('<job>', 'path to a MeetingJob JSON file, or - to read stdin')
  .action(async (source: string) => {
    const ops = createOps(loadConfig());
    try {
      process.stdout.write(`${JSON.stringify(await ops.schedule(await readJob(source)), null, 2)}\n`);
    } catch (err) {
      fail(err);
    } finally {
      await ops.close();
    }
  });

program
  .command('cancel')
  .description('Remove a scheduled meeting that has not started yet.')
  .argument('<meetingId>')
  .action(async (meetingId: string) => {
    const ops = createOps(loadConfig());
    try {
      const result = await ops.cancel(meetingId);
      process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      if (result.status !== 'cancelled') process.exitCode = 1;
    } catch (err) {
      fail(err);
    } finally {
      await ops.close();
    }
  });

const CONTROL_HELP = `
Signed with MEETCAP_CONTROL_SECRET (the same secret as the workers'); REDIS_URL and
MEETCAP_QUEUE_PREFIX must name the fleet's Redis. Prints {meetingId, command, state} as JSON;
on a typed error (meeting_not_live, control_refused, control_unauthorized...) prints it on stderr
and exits 2. Wire format for other senders: docs/control.md.`;

const CONTROL_COMMANDS_CLI = [
  { name: 'pause', method: 'pause', does: 'Pause the recording of a live meeting: nothing said or shown while paused is recorded.' },
  { name: 'resume', method: 'resume', does: 'Resume a paused recording.' },
  { name: 'start-recording', method: 'startRecording', does: 'Start recording now, in a meeting the bot joined with a delayed or on-command start.' },
] as const;

for (const c of CONTROL_COMMANDS_CLI) {
  program
    .command(c.name)
    .description(c.does)
    .argument('<meetingId>')
    .addOption(new Option('--timeout-ms <ms>', 'how long to wait for the worker running the meeting').argParser(Number).default(5_000))
    .addHelpText('after', CONTROL_HELP)
    .action(async (meetingId: string, opts: { timeoutMs: number }) => {
      const ops = createOps(loadConfig(), { controlReplyTimeoutMs: opts.timeoutMs });
      try {
        process.stdout.write(`${JSON.stringify(await ops[c.method](meetingId), null, 2)}\n`);
      } catch (err) {
        fail(err);
      } finally {
        await ops.close();
      }
    });
}

program
  .command('link')
  .description('Check a meeting link or invite text: print its platform, meeting code and redacted join URL.')
  .argument('<input...>', 'a meeting link or invite text (words are joined by spaces), or - to read stdin')
  .addOption(new Option('--platform <platform>', 'the platform the meeting is on, when the text names meetings on several').choices(['meet', 'zoom', 'teams']))
  .action(async (words: string[], opts: { platform?: PlatformId }) => {
    try {
      const input = words.length === 1 && words[0] === '-' ? await readStdin() : words.join(' ');
      const { describeLink } = await import('./link.js');
      process.stdout.write(`${JSON.stringify(describeLink(input, opts.platform), null, 2)}\n`);
    } catch (err) {
      fail(err);
    }
  });

program
  .command('sandbox')
  .description('Serve local imitations of the meeting platforms and their control API (tests, demo).')
  .addOption(new Option('--https-port <port>', 'port for the platform pages').argParser(Number))
  .addOption(new Option('--control-port <port>', 'port for the control API').argParser(Number))
  .action(async (opts: { httpsPort?: number; controlPort?: number }) => {
    const { runSandboxCli } = await import('../sandbox/index.js');
    await runSandboxCli({ ...opts, logger: createRootLogger({ level: 'info', name: 'meetcap-sandbox' }) });
  });

program
  .command('demo')
  .description('Sandbox meetings end to end: schedule, lease, join, record ~20 s, leave, print the result.')
  .addOption(new Option('--platform <platform>', 'which sandbox platform').choices(['all', 'meet', 'zoom', 'teams']).default('all'))
  .action(async (opts: { platform: 'all' | 'meet' | 'zoom' | 'teams' }) => {
    const { runDemo } = await import('./demo.js');
    await runDemo(opts.platform === 'all' ? ['meet', 'zoom', 'teams'] : [opts.platform]);
  });

program
  .command('schema')
  .description('Print the JSON Schema of a MeetingJob (default) or of a file job (--file).')
  .option('--file', 'the schema of `source: "file"` jobs')
  .action((opts: { file?: boolean }) => {
    const schema = opts.file ? fileJobJsonSchema() : meetingJobJsonSchema();
    process.stdout.write(`${JSON.stringify(schema, null, 2)}\n`);
  });

registerFleetCommands(program);

await program.parseAsync(process.argv).catch((err: unknown) => fail(err));
