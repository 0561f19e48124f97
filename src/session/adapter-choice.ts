import type { Logger } from 'pino';
import type { Config } from '../config/index.js';
import { MeetcapError, type BotProfile, type MeetingJob } from '../contracts/index.js';
import type { ParsedMeeting, PlatformAdapter } from '../platforms/platform.js';
import { createZoomSdkAdapter, startSdkAssetServer } from '../platforms/zoom/sdk/index.js';
import type { CleanupStack } from './cleanup.js';

export interface ChosenAdapter {
  adapter: PlatformAdapter;
  /** The origin the meeting page loads from: it gets the camera/microphone grant. */
  origin: string;
}

/**
 * The platform's adapter, or for Zoom with a `meeting_sdk` bot profile, the Meeting SDK adapter
 * on its own loopback asset server (closed with the session).
 */
export async function chooseAdapter(
  meeting: ParsedMeeting,
  platformAdapter: PlatformAdapter,
  ctx: { job: MeetingJob; profile: BotProfile; config: Config; cleanup: CleanupStack; log: Logger },
): Promise<ChosenAdapter> {
  const { job, profile, config, cleanup, log } = ctx;
  if (meeting.platform !== 'zoom' || profile.zoomClient !== 'meeting_sdk') {
    return { adapter: platformAdapter, origin: `https://${meeting.host}` };
  }
  if (!config.zoomSdk) {
    throw new MeetcapError('sdk_signature_rejected', 'the bot profile uses the Zoom Meeting SDK but MEETCAP_ZOOM_SDK_KEY / MEETCAP_ZOOM_SDK_SECRET are not set', {
      stage: 'local',
    });
  }
  const assets = await startSdkAssetServer();
  cleanup.defer('zoom sdk assets', assets.close);
  log.info({ origin: assets.origin, zak: Boolean(job.zoom?.zak), obfToken: Boolean(job.zoom?.obfToken) }, 'joining through the Zoom Meeting SDK');
  const adapter = createZoomSdkAdapter({
    origin: assets.origin,
    ...config.zoomSdk,
    ...(job.zoom?.zak ? { zak: job.zoom.zak } : {}),
    ...(job.zoom?.obfToken ? { obfToken: job.zoom.obfToken } : {}),
  });
  return { adapter, origin: assets.origin };
}
