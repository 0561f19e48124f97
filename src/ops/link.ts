import type { PlatformId } from '../contracts/index.js';
import { extractMeetingFromInvite } from '../platforms/invite.js';

/** What `meetcap link` prints: enough to check a link, with every secret left out. */
export interface LinkReport {
  platform: string;
  meetingCode: string;
  passcodeFound: boolean;
  passcodeSource?: 'url' | 'invite_text';
  /** The redacted join URL (the real one carries passcodes and is never printed). */
  joinUrl: string;
}

/**
 * Accepts a bare link or whole invite text; throws MeetcapError `url_not_allowed` when there is no
 * meeting or several different ones (`platform` picks among platforms), `platform_unsupported`
 * when the meeting is on a service no adapter joins (Webex…).
 */
export function describeLink(input: string, platform?: PlatformId): LinkReport {
  const { meeting, passcode, passcodeSource } = extractMeetingFromInvite(input, platform);
  return {
    platform: meeting.platform,
    meetingCode: meeting.meetingCode,
    passcodeFound: passcode !== undefined || meeting.passcodeInUrl !== undefined,
    ...(passcodeSource ? { passcodeSource } : {}),
    joinUrl: meeting.redactedUrl,
  };
}
