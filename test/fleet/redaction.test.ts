import { Writable } from 'node:stream';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseMeetingJob } from '../../src/contracts/index.js';
import { signEnvelope } from '../../src/control/envelope.js';
import type { WorkerEventMap } from '../../src/fleet/context.js';
import { fleetKeys } from '../../src/fleet/keys.js';
import { createRootLogger, scrubText, sessionLogger } from '../../src/observability/logger.js';
import { startHarness, TEST_CONTROL_SECRET, type Harness } from '../helpers/harness.js';

/**
 * Issue 5 §3: passcodes, tokens, signatures and credentials are redacted everywhere. Every shape
 * of secret the code logs (or could, through an error) goes through the production logger.
 */
const CONTROL_SECRET = 'ctl-SECRET-0123456789abcdef';
const S3_SECRET = 's3-SECRET-wJalrXUtnFEMI';
const SDK_SECRET = 'sdk-SECRET-9f8e7d';
const WEBHOOK_SECRET = 'whsec_SECRET_c2VjcmV0';
const ENV = { MEETCAP_CONTROL_SECRET: CONTROL_SECRET, AWS_SECRET_ACCESS_KEY: S3_SECRET, MEETCAP_ZOOM_SDK_SECRET: SDK_SECRET, MEETCAP_WEBHOOK_SECRET_ACME: WEBHOOK_SECRET };
const JWT = 'eyJhbGciOiJIUzI1NiJ9.eyJhcHBLZXkiOiJrIn0.c2lnbmF0dXJlLXNlY3JldA';
const SECRETS = ['584706', 'PWDSECRET.1', 'zak-SECRET-1', 'obf-SECRET-2', 'tk-SECRET-3', 'teamsP-SECRET', 'AKIA-SESSION-TOKEN', 'amzsig-SECRET', 'redis-PASSWORD',
  'Bearer-SECRET', JWT, CONTROL_SECRET, S3_SECRET, SDK_SECRET, WEBHOOK_SECRET];

function logger() {
  const lines: string[] = [];
  const destination = new Writable({ write: (c: Buffer, _e, done) => (lines.push(c.toString()), done()) });
  const root = createRootLogger({ level: 'debug', destination, env: ENV });
  return { lines, log: sessionLogger(root, { sessionId: 'ses_1', meetingId: 'crm-1' }) };
}

const job = parseMeetingJob({
  meetingId: 'crm-1', tenantId: 'acme', meetingUrl: 'https://zoom.us/j/88240852079?pwd=PWDSECRET.1&tk=tk-SECRET-3', scheduledStart: '2026-11-21T10:00:00Z',
  passcode: '584706', zoom: { zak: 'zak-SECRET-1', obfToken: 'obf-SECRET-2' },
});

describe('redaction', () => {
  it('censors every secret-bearing field we log, however deep, and keeps the rest', () => {
    const { lines, log } = logger();
    log.info({ job }, 'leased');
    log.debug({ msg: { type: 'start', sessionId: 'ses_1', job } }, 'ipc'); // the IPC start message
    log.info({ storage: { kind: 's3', bucket: 'rec', credentials: { accessKeyId: 'AKIAEXAMPLE', secretAccessKey: S3_SECRET, sessionToken: 'AKIA-SESSION-TOKEN' } } }, 's3');
    log.info({ s3: { client: { config: { credentials: { secretAccessKey: S3_SECRET } } } } }, 'deep s3');
    log.info({ envelope: signEnvelope({ meetingId: 'crm-1', command: 'pause' }, CONTROL_SECRET), config: { controlSecret: CONTROL_SECRET } }, 'control');
    log.info({ webhook: { url: 'https://hooks.example/x', secret: WEBHOOK_SECRET }, request: { headers: { 'webhook-signature': 'v1,abc', authorization: 'Bearer-SECRET' } } }, 'webhook');
    log.info({ join: { signature: JWT, sdkKey: 'key', sdkSecret: SDK_SECRET, zak: 'zak-SECRET-1' }, passcodeInUrl: 'PWDSECRET.1' }, 'sdk');
    log.info({ meeting: { joinUrl: 'https://teams.microsoft.com/meet/123?p=teamsP-SECRET', redactedUrl: 'https://zoom.us/wc/join/1?pwd=REDACTED' } }, 'meeting');
    const text = lines.join('');
    for (const s of SECRETS) expect(text, s).not.toContain(s);
    expect(lines).toHaveLength(8);
    const parsed = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(parsed[0]).toMatchObject({ sessionId: 'ses_1', meetingId: 'crm-1', job: { passcode: '[REDACTED]', meetingUrl: '[REDACTED]', meetingId: 'crm-1' } });
    expect(parsed[2]).toMatchObject({ storage: { kind: 's3', bucket: 'rec', credentials: { accessKeyId: 'AKIAEXAMPLE', secretAccessKey: '[REDACTED]', sessionToken: '[REDACTED]' } } });
    expect(parsed[4]).toMatchObject({ envelope: { signature: '[REDACTED]', meetingId: 'crm-1', command: 'pause' } });
    expect(parsed[6]).toMatchObject({ join: { sdkKey: 'key', signature: '[REDACTED]' } });
  });

  it('scrubs secrets out of text: error messages and stacks, stderr tails, messages, bare errors', () => {
    const { lines, log } = logger();
    const navError = new Error('net::ERR_ABORTED at https://zoom.us/wc/join/88240852079?pwd=PWDSECRET.1&tk=tk-SECRET-3');
    log.warn({ err: navError }, 'join failed');
    log.error(new Error(`HMAC with ${CONTROL_SECRET} failed`));
    log.error({ stderr: `GET https://rec.s3.amazonaws.com/k?X-Amz-Signature=amzsig-SECRET&X-Amz-Credential=AKIA%2F1\nredis://:redis-PASSWORD@10.0.0.5:6379 ${S3_SECRET}` }, 'session exited without an outcome');
    log.info(`joining https://teams.microsoft.com/meet/123?p=teamsP-SECRET with ${JWT}`);
    log.warn({ nested: { cause: new Error(`sdk secret ${SDK_SECRET}`) } }, 'nested error');
    const text = lines.join('');
    for (const s of SECRETS) expect(text, s).not.toContain(s);
    expect(JSON.parse(lines[0]!)).toMatchObject({ err: { type: 'Error', message: expect.stringContaining('pwd=[REDACTED]&tk=[REDACTED]') } });
    expect(JSON.parse(lines[1]!)).toMatchObject({ msg: 'HMAC with [REDACTED] failed', err: { message: 'HMAC with [REDACTED] failed' } });
    expect(JSON.parse(lines[2]!).stderr).toContain('redis://:[REDACTED]@10.0.0.5:6379');
  });

  it('leaves ordinary text alone', () => {
    expect(scrubText('https://meet.google.com/abc-defg-hij?hl=en state=recording', ['some-long-secret'])).toBe('https://meet.google.com/abc-defg-hij?hl=en state=recording');
  });
});

/**
 * End to end (Chromium, sandbox, S3, a real worker and session): a Zoom job whose link carries a
 * `pwd` the platform refuses and whose job carries the passcode the bot must type, with the
 * control secret set and a pause/resume sent through the signed channel. Nothing the worker or
 * the session wrote, on stdout or in the session's Redis stream, contains any of the secrets.
 */
describe('redaction end to end', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('a Zoom session with a passcode leaks no passcode, pwd, control secret or S3 secret key', async () => {
    const passcode = 'Pq7xZ3kW9';
    const stalePwd = 'c3RhbGVzdGFsZXN0YWxl.1';
    const { code, url } = h.sandbox.api.createMeeting({ platform: 'zoom', passcode, autoAdmitAfterMs: 0 });
    await h.sandbox.api.addParticipant(code, { name: 'Frank Host', toneHz: 440, speaking: true });
    const job = h.job(url.replace(/pwd=[^&]+/, `pwd=${stalePwd}`), { passcode, limits: { minDurationSec: 1 } });
    const t = h.track(job.meetingId);
    const media = new Promise<WorkerEventMap['health']>((resolve) => {
      const on = (e: WorkerEventMap['health']): void => {
        if (e.meetingId !== job.meetingId || e.mediaBytes === 0) return;
        h.worker.events.off('health', on);
        resolve(e);
      };
      h.worker.events.on('health', on);
    });
    expect((await h.ops.schedule(job)).status).toBe('scheduled');
    const { sessionId } = await media;
    expect((await h.ops.pause(job.meetingId)).state).toBe('paused');
    expect((await h.ops.resume(job.meetingId)).state).toBe('recording');
    h.sandbox.api.end(code);
    expect(await t.outcome).toMatchObject({ state: 'done', reason: 'meeting_ended' });

    const streamed: string[] = [];
    const read = await h.ops.logs(job.meetingId, { follow: true, onLine: ({ line }) => streamed.push(line) });
    expect(read).toMatchObject({ sessionId, ended: true });
    const keys = fleetKeys(h.config.queuePrefix);
    const raw = await rawStream(h, keys.logs(sessionId));
    expect(streamed.length).toBeGreaterThan(10);
    expect(streamed.some((l) => l.includes('typed the meeting passcode'))).toBe(true);
    const everything = [...h.workerLogLines, ...h.logLines, ...streamed, raw].join('\n');
    for (const secret of [passcode, stalePwd, TEST_CONTROL_SECRET, 'S3RVER']) expect(everything, secret).not.toContain(secret);
  });
});

async function rawStream(h: Harness, key: string): Promise<string> {
  const redis = new Redis(h.config.redisUrl);
  try {
    return JSON.stringify(await redis.xrange(key, '-', '+'));
  } finally {
    await redis.quit();
  }
}
