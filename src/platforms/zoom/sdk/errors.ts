import type { ReasonCode } from '../../../contracts/index.js';

/**
 * Meeting SDK join error codes (the `errorCode` of `ZoomMtg.join`'s error callback) mapped to the
 * catalogue. 4017 maps to `meeting_not_started` (retryable) rather than a token error: the OBF
 * token is valid, but its owner has to be in the meeting before the app can join on their behalf,
 * which is the same situation as a host who has not started yet, and a later retry can succeed.
 */
export const SDK_ERROR_REASONS: Readonly<Record<number, ReasonCode>> = {
  3001: 'meeting_not_found',
  3004: 'passcode_wrong',
  3008: 'meeting_not_started',
  3009: 'removed_by_host',
  3099: 'join_blocked',
  3100: 'sign_in_required',
  3705: 'sdk_signature_rejected',
  3708: 'sdk_signature_rejected',
  3712: 'sdk_signature_rejected',
  // TOKEN_ERROR (3265, 3623) and 3636 (both tokens given): the join has no token that works.
  3265: 'sdk_token_required',
  3623: 'sdk_token_required',
  3636: 'sdk_token_required',
  4011: 'sdk_token_required',
  4012: 'sdk_token_required',
  4017: 'meeting_not_started',
};

/** Any code not in the table is a refusal we cannot name: `join_blocked`; the caller keeps the raw code in details. */
export function reasonForSdkError(code: number): ReasonCode {
  return SDK_ERROR_REASONS[code] ?? 'join_blocked';
}

/** `onUserLeave` reason codes for the bot itself (Zoom's `reasonCode` enum). */
export const LEAVE_REASONS: Readonly<Record<number, ReasonCode>> = {
  1: 'meeting_ended', // HOST_ENDED_MEETING
  6: 'removed_by_host', // KICK_OUT_FROM_MEETING
  7: 'denied_by_host', // KICK_OUT_FROM_WAITING_ROOM: never admitted, so a denial
};

/** Everything else (self leave, transfer, other) reads as the meeting being over for the bot. */
export function reasonForUserLeave(reason: number): ReasonCode {
  return LEAVE_REASONS[reason] ?? 'meeting_ended';
}
