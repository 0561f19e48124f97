import { SignJWT } from 'jose';
import { MeetcapError } from '../../../contracts/index.js';

export interface SdkSignatureInput {
  sdkKey: string;
  sdkSecret: string;
  /** The Zoom meeting or webinar number, digits only. */
  meetingNumber: string;
  /** 0 joins as a participant, 1 starts as the host (needs the host's ZAK as well). */
  role: 0 | 1;
  /** Seconds from `iat` to `exp`; Zoom accepts 1,800 s to 48 h. Default 2 h. */
  lifetimeSec?: number;
  /** Epoch ms to sign at (tests); defaults to the clock. */
  now?: number;
  /** Zoom's optional `video_webrtc_mode` claim (1 = WebRTC video, 0 = the Wasm video path). */
  videoWebrtcMode?: 0 | 1;
}

export const SDK_SIGNATURE_DEFAULT_LIFETIME_SEC = 2 * 60 * 60;
export const SDK_SIGNATURE_MIN_LIFETIME_SEC = 1_800;
export const SDK_SIGNATURE_MAX_LIFETIME_SEC = 48 * 60 * 60;
/** Zoom's own signature samples back-date `iat`: a host whose clock runs ahead of Zoom's would otherwise sign a token "from the future". */
export const SDK_SIGNATURE_CLOCK_SKEW_SEC = 30;

const MEETING_NUMBER = /^\d{9,11}$/;

/**
 * Signs the Meeting SDK JWT (HS256) that `ZoomMtg.join` takes as `signature`.
 *
 * Refusals are thrown before anything reaches Zoom, with codes chosen by who must act:
 * - a meeting number that is not 9-11 digits comes from the job → `invalid_job`;
 * - a missing key/secret, a bad role or a lifetime outside Zoom's window comes from this
 *   deployment's SDK configuration, and Zoom would reject such a token anyway →
 *   `sdk_signature_rejected` (fault: configuration) with `details.stage = 'local'`, so one code
 *   covers every signature problem whether we or Zoom noticed it.
 * Neither the secret nor the token is ever put in a message or in details.
 */
export async function signMeetingSdkSignature(input: SdkSignatureInput): Promise<string> {
  const { sdkKey, sdkSecret, meetingNumber, role } = input;
  const lifetimeSec = input.lifetimeSec ?? SDK_SIGNATURE_DEFAULT_LIFETIME_SEC;
  if (!MEETING_NUMBER.test(meetingNumber)) {
    throw new MeetcapError('invalid_job', 'the Zoom meeting number must be 9 to 11 digits for a Meeting SDK join');
  }
  if (!sdkKey || !sdkSecret) refuse('the Meeting SDK key or secret is empty');
  if (role !== 0 && role !== 1) refuse('the Meeting SDK role must be 0 (join) or 1 (host)');
  if (!Number.isInteger(lifetimeSec) || lifetimeSec < SDK_SIGNATURE_MIN_LIFETIME_SEC || lifetimeSec > SDK_SIGNATURE_MAX_LIFETIME_SEC) {
    refuse(`the Meeting SDK signature lifetime must be ${SDK_SIGNATURE_MIN_LIFETIME_SEC}-${SDK_SIGNATURE_MAX_LIFETIME_SEC} s (got ${lifetimeSec})`, { lifetimeSec });
  }
  const iat = Math.floor((input.now ?? Date.now()) / 1000) - SDK_SIGNATURE_CLOCK_SKEW_SEC;
  const exp = iat + lifetimeSec;
  const claims: Record<string, unknown> = {
    // Zoom reads `appKey` since SDK 5.0; `sdkKey` is kept for older readers of the same token.
    appKey: sdkKey,
    sdkKey,
    mn: meetingNumber,
    role,
    iat,
    exp,
    tokenExp: exp,
  };
  if (input.videoWebrtcMode !== undefined) claims.video_webrtc_mode = input.videoWebrtcMode;
  return new SignJWT(claims).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).sign(new TextEncoder().encode(sdkSecret));
}

function refuse(message: string, details: Record<string, unknown> = {}): never {
  throw new MeetcapError('sdk_signature_rejected', message, { stage: 'local', ...details });
}
