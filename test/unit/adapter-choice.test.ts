import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { BotProfileSchema, parseMeetingJob } from '../../src/contracts/index.js';
import { resolvePlatform } from '../../src/platforms/resolve.js';
import { chooseAdapter } from '../../src/session/adapter-choice.js';
import { CleanupStack } from '../../src/session/cleanup.js';

const log = pino({ level: 'silent' });
const job = parseMeetingJob({
  meetingId: 'm-1', tenantId: 'acme', meetingUrl: 'https://us05web.zoom.us/j/88240852079?pwd=abc.1',
  scheduledStart: '2026-11-21T10:00:00Z', zoom: { zak: 'zak-token' },
});
const sdkProfile = BotProfileSchema.parse({ botName: 'Notetaker', zoomClient: 'meeting_sdk' });
const webProfile = BotProfileSchema.parse({ botName: 'Notetaker' });
const sdkEnv = { MEETCAP_ZOOM_SDK_KEY: 'key', MEETCAP_ZOOM_SDK_SECRET: 'secret-value' };

describe('adapter choice per bot profile', () => {
  let cleanup = new CleanupStack(log);
  afterEach(async () => {
    await cleanup.closeAll();
    cleanup = new CleanupStack(log);
  });

  it('uses the web client by default, with the meeting host as the page origin', async () => {
    const { meeting, adapter } = resolvePlatform(job.meetingUrl);
    const chosen = await chooseAdapter(meeting, adapter, { job, profile: webProfile, config: loadConfig({ ...sdkEnv }), cleanup, log });
    expect(chosen.adapter).toBe(adapter);
    expect(chosen.origin).toBe('https://us05web.zoom.us');
  });

  it('refuses a meeting_sdk profile when the deployment has no SDK credentials', async () => {
    const { meeting, adapter } = resolvePlatform(job.meetingUrl);
    await expect(chooseAdapter(meeting, adapter, { job, profile: sdkProfile, config: loadConfig({}), cleanup, log }))
      .rejects.toMatchObject({ code: 'sdk_signature_rejected' });
  });

  it('serves the SDK page on loopback and closes the asset server with the session', async () => {
    const { meeting, adapter } = resolvePlatform(job.meetingUrl);
    const chosen = await chooseAdapter(meeting, adapter, { job, profile: sdkProfile, config: loadConfig({ ...sdkEnv }), cleanup, log });
    expect(chosen.adapter).not.toBe(adapter);
    expect(chosen.origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(chosen.adapter.allowsNavigationTo('127.0.0.1')).toBe(true);
    expect(chosen.adapter.allowsNavigationTo('zoom.us')).toBe(false);
    expect((await fetch(`${chosen.origin}/`)).status).toBe(200);
    await cleanup.closeAll();
    await expect(fetch(`${chosen.origin}/`)).rejects.toThrow();
  });

  it('keeps Meet and Teams on their own adapters whatever the profile says', async () => {
    const { meeting, adapter } = resolvePlatform('https://meet.google.com/abc-defg-hij');
    const chosen = await chooseAdapter(meeting, adapter, { job, profile: sdkProfile, config: loadConfig({ ...sdkEnv }), cleanup, log });
    expect(chosen.adapter.id).toBe('meet');
  });
});
