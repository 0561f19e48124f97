import { mkdirSync, createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../config/index.js';
import type { SessionOutcome } from '../contracts/index.js';
import { ffprobeFile } from '../media/ffmpeg/probe.js';
import { createRootLogger } from '../observability/logger.js';
import { parseMeetingUrl } from '../platforms/resolve.js';
import { startSandbox, type CreateMeetingInput } from '../sandbox/index.js';
import { followMeeting, startWorker } from '../scheduler/worker.js';
import { createOps } from './api.js';

const RECORD_SEC = 20;
type DemoPlatform = 'meet' | 'zoom' | 'teams';

/** How each sandbox meeting is set up: the platform's usual hurdles, admitted after 2 s. */
const MEETINGS: Record<DemoPlatform, { label: string; options: CreateMeetingInput }> = {
  meet: { label: 'Google Meet', options: { platform: 'meet', autoAdmitAfterMs: 2_000 } },
  zoom: { label: 'Zoom web client', options: { platform: 'zoom', autoAdmitAfterMs: 2_000, passcode: '584706' } },
  teams: { label: 'Microsoft Teams', options: { platform: 'teams', autoAdmitAfterMs: 2_000 } },
};
const started = Date.now();
const say = (text: string): void => {
  process.stdout.write(`[${((Date.now() - started) / 1000).toFixed(1).padStart(5)}s] ${text}\n`);
};

/**
 * `npm run demo`: the whole path on this machine, once per platform. A sandbox meeting with two
 * talking participants → job on the queue → worker lease → bot joins, is admitted, records
 * ~20 s → the host ends the meeting → recording + manifest in ./recordings (or S3 when configured).
 */
export async function runDemo(platforms: readonly DemoPlatform[]): Promise<void> {
  const home = join(process.cwd(), '.meetcap');
  mkdirSync(home, { recursive: true });
  const sandbox = await startSandbox({ home });
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    MEETCAP_QUEUE_PREFIX: process.env.MEETCAP_QUEUE_PREFIX ?? 'meetcap-demo',
    // The demo records ~20 s; the product minimum (120 s) is lowered for it, and only for it.
    MEETCAP_MIN_DURATION_FLOOR_SEC: '15',
    MEETCAP_SANDBOX_BROWSER_ARGS: JSON.stringify(sandbox.botBrowserArgs()),
    ...(process.getuid?.() === 0 ? { MEETCAP_CHROMIUM_NO_SANDBOX: '1' } : {}),
    // Any free port: the demo must not collide with a worker already serving /metrics here.
    MEETCAP_METRICS_PORT: '0',
  };
  const config = loadConfig(env);
  const sessionLog = join(home, 'demo-session.log');
  const logFile = createWriteStream(sessionLog);
  const worker = await startWorker({
    config,
    log: createRootLogger({ level: 'warn', name: 'meetcap-worker' }),
    sessionEnv: env,
    onLogLine: (line) => logFile.write(`${line}\n`),
  });
  const ops = createOps(config);
  try {
    for (const platform of platforms) {
      const outcome = await runMeeting(sandbox, worker, ops, platform);
      await summarise(outcome, sessionLog);
      if (outcome.state !== 'done') process.exitCode = 1;
    }
  } finally {
    await worker.close();
    await ops.close();
    await sandbox.close();
    logFile.end();
  }
}

type SandboxT = Awaited<ReturnType<typeof startSandbox>>;
type WorkerT = Awaited<ReturnType<typeof startWorker>>;

async function runMeeting(sandbox: SandboxT, worker: WorkerT, ops: ReturnType<typeof createOps>, platform: DemoPlatform): Promise<SessionOutcome> {
  const { label, options } = MEETINGS[platform];
  const { code, url } = sandbox.api.createMeeting(options);
  say(`sandbox: ${label} imitation at ${parseMeetingUrl(url).redactedUrl} (control API ${sandbox.controlUrl})`);
  const alice = await sandbox.api.addParticipant(code, { name: 'Alice Example', toneHz: 440, speaking: true });
  const bob = await sandbox.api.addParticipant(code, { name: 'Bob Example', toneHz: 660, speaking: false });
  say('sandbox: Alice (440 Hz tone) and Bob (660 Hz tone) are in the meeting, taking turns to talk');
  let turn = 0;
  const talk = setInterval(() => {
    turn += 1;
    void sandbox.api.speak(code, alice.id, turn % 2 === 0).catch(() => undefined);
    void sandbox.api.speak(code, bob.id, turn % 2 === 1).catch(() => undefined);
  }, 3_000);

  const meetingId = `demo-${platform}-${new Date().toISOString().replace(/[^0-9]/g, '').slice(0, 14)}`;
  const outcome = followMeeting(worker.events, meetingId, (s) => {
    say(`bot: ${s.state}${s.reason ? ` (${s.reason})` : ''}`);
    if (s.state === 'recording') {
      say(`demo: the host will end the meeting in ${RECORD_SEC} s`);
      setTimeout(() => sandbox.api.end(code), RECORD_SEC * 1000).unref();
    }
  });
  const result = await ops.schedule({
    meetingId,
    tenantId: 'demo',
    meetingUrl: url,
    scheduledStart: new Date().toISOString(),
    joinOffsetSec: 0,
    limits: { minDurationSec: 15 },
  });
  say(`queue: scheduled ${result.meetingId} (${result.status}); waiting for a worker to lease it`);
  try {
    return await outcome;
  } finally {
    clearInterval(talk);
  }
}

async function summarise(outcome: SessionOutcome, sessionLog: string): Promise<void> {
  say(`outcome: ${outcome.state}${outcome.reason ? ` (${outcome.reason})` : ''}`);
  const rec = outcome.recording;
  if (!rec) {
    say(`no recording kept. Session log: ${sessionLog}`);
    return;
  }
  const media = rec.objects[0]!;
  say(`recording: ${media.uri}`);
  say(`manifest:  ${rec.manifest.uri}`);
  let streams = 'streams unknown';
  if (!media.uri.startsWith('s3://')) {
    const probe = await ffprobeFile(media.uri);
    streams = probe.streams.map((s) => `${s.type} ${s.codec}${s.width ? ` ${s.width}x${s.height}` : ''}`).join(' + ');
  }
  say(`summary: ${rec.durationSec.toFixed(1)} s, ${streams}, ${(media.size / 1e6).toFixed(2)} MB`);
  say(`session log (pino JSON): ${sessionLog}`);
}

