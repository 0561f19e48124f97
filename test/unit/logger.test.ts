import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { parseMeetingJob } from '../../src/contracts/index.js';
import { createRootLogger, sessionLogger } from '../../src/observability/logger.js';
import { redactJob } from '../../src/session/manifest.js';

/** Every line a logger wrote, as text. */
function capture(): { lines: string[]; stream: Writable } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { lines, stream };
}

const SECRETS = ['584706', 'zak-SECRET-1', 'obf-SECRET-2', 'sig.SECRET.3', 'sdk-SECRET-4'];

describe('secrets never reach a log line or the manifest', () => {
  it('redacts passcodes, Zoom tokens, SDK signatures and secrets however the caller nests them', () => {
    const { lines, stream } = capture();
    const log = sessionLogger(createRootLogger({ level: 'debug', destination: stream }), { sessionId: 's', meetingId: 'm' });
    const job = parseMeetingJob({
      meetingId: 'm', tenantId: 't', meetingUrl: 'https://zoom.us/j/88240852079?pwd=abc.1', scheduledStart: '2026-11-21T10:00:00Z',
      passcode: '584706', zoom: { zak: 'zak-SECRET-1', obfToken: 'obf-SECRET-2' },
    });
    log.info({ job }, 'job');
    log.info({ zoom: job.zoom, passcode: job.passcode }, 'flat');
    log.info({ join: { signature: 'sig.SECRET.3', zak: 'zak-SECRET-1' }, cfg: { sdkSecret: 'sdk-SECRET-4' } }, 'nested');
    const text = lines.join('');
    expect(lines).toHaveLength(3);
    for (const secret of SECRETS) expect(text).not.toContain(secret);
    expect(text).not.toContain('pwd=abc.1');
  });

  it('the manifest says which secrets were given, never their values', () => {
    const job = parseMeetingJob({
      meetingId: 'm', tenantId: 't', meetingUrl: 'https://zoom.us/j/88240852079', scheduledStart: '2026-11-21T10:00:00Z',
      passcode: '584706', zoom: { zak: 'zak-SECRET-1' },
    });
    const manifestJob = redactJob(job, 'https://zoom.us/wc/join/88240852079');
    expect(manifestJob).toMatchObject({ passcode: '[REDACTED]', zoom: { zak: '[REDACTED]' } });
    for (const secret of SECRETS) expect(JSON.stringify(manifestJob)).not.toContain(secret);
  });
});
