/**
 * The one error catalogue. Every failure, discard or stop reason a session can end with is a
 * code here. Codes are stable: consumers (the capture-policy service, dashboards) key on them.
 *
 * fault: who has to act — the meeting (host/attendees), configuration (our customer's setup or
 * the job), the platform (Zoom/Meet/Teams behaviour or outage), or us (a meetcap defect/infra).
 * retryable: whether running the same job again, unchanged, can plausibly succeed.
 * A recording that reached the minimum duration is kept whatever reason ends it (docs/errors.md).
 */
export type Fault = 'meeting' | 'configuration' | 'platform' | 'us';

export interface ReasonInfo {
  readonly fault: Fault;
  readonly retryable: boolean;
  readonly summary: string;
}

export const REASONS = {
  // --- refused before anything is queued or launched ---
  invalid_job: { fault: 'configuration', retryable: false, summary: 'The job does not match the MeetingJob schema.' },
  url_not_allowed: { fault: 'configuration', retryable: false, summary: 'The meeting URL is not on a known meeting host.' },
  platform_unsupported: { fault: 'configuration', retryable: false, summary: 'The meeting is on a platform this deployment cannot join yet.' },
  unknown_bot_profile: { fault: 'configuration', retryable: false, summary: 'The job names a bot profile that does not exist.' },
  // --- joining ---
  meeting_not_found: { fault: 'meeting', retryable: false, summary: 'The platform says the meeting link or code is invalid.' },
  meeting_not_started: { fault: 'meeting', retryable: true, summary: 'The host had not started the meeting when the wait limit passed.' },
  passcode_required: { fault: 'configuration', retryable: false, summary: 'The meeting needs a passcode and the job has none.' },
  passcode_wrong: { fault: 'configuration', retryable: false, summary: 'The platform rejected the passcode.' },
  sign_in_required: { fault: 'meeting', retryable: false, summary: 'The meeting only admits signed-in users.' },
  captcha_wall: { fault: 'platform', retryable: false, summary: 'The platform showed a CAPTCHA or bot wall.' },
  join_blocked: { fault: 'platform', retryable: false, summary: 'The platform refused the join outright.' },
  sdk_signature_rejected: { fault: 'configuration', retryable: false, summary: "Zoom rejected the Meeting SDK signature (expired, malformed, wrong key or role)." },
  sdk_token_required: { fault: 'configuration', retryable: false, summary: 'Zoom requires a ZAK or OBF token for this Meeting SDK join and the job has none that works.' },
  connection_failed: { fault: 'platform', retryable: true, summary: 'The meeting page could not be loaded, the platform could not connect the bot to the call, or lost it for longer than the reconnect allowance.' },
  join_ui_unrecognised: { fault: 'platform', retryable: true, summary: 'The join page did not match any known state within the limit.' },
  denied_by_host: { fault: 'meeting', retryable: false, summary: 'Someone in the meeting denied the bot entry.' },
  waiting_room_timeout: { fault: 'meeting', retryable: false, summary: 'Nobody admitted the bot before the waiting-room limit (also after being put back in the waiting room mid-call).' },
  // --- in the call: the meeting ends the recording (kept when long enough) ---
  removed_by_host: { fault: 'meeting', retryable: false, summary: 'The host removed the bot from the meeting.' },
  meeting_ended: { fault: 'meeting', retryable: false, summary: 'The host ended the meeting (or the call page went away and did not come back).' },
  everyone_left: { fault: 'meeting', retryable: false, summary: 'The bot was alone in the meeting for longer than the limit.' },
  max_duration_reached: { fault: 'configuration', retryable: false, summary: 'The recording reached its maximum duration; what was recorded is kept.' },
  stopped_by_operator: { fault: 'configuration', retryable: false, summary: 'An operator or the job owner stopped the session.' },
  // --- recordings that arrive as files (source = file) ---
  source_not_allowed: { fault: 'configuration', retryable: false, summary: "The file's URL is not on the tenant's ingest allow-list." },
  source_not_found: { fault: 'configuration', retryable: false, summary: 'The file named by the job does not exist.' },
  source_unreadable: { fault: 'configuration', retryable: false, summary: 'The file is empty, corrupt, truncated or not audio/video.' },
  source_fetch_failed: { fault: 'platform', retryable: true, summary: 'The file could not be fetched (network or storage error).' },
  // --- outcome of a short recording ---
  below_minimum_duration: { fault: 'meeting', retryable: false, summary: 'The recording was shorter than the minimum; nothing was kept.' },
  // --- our side ---
  browser_crashed: { fault: 'us', retryable: true, summary: 'Chromium crashed or stopped responding.' },
  capture_failed: { fault: 'us', retryable: true, summary: 'The page could not start or keep capturing media.' },
  transcode_failed: { fault: 'us', retryable: true, summary: 'ffmpeg failed while processing the media.' },
  upload_failed: { fault: 'us', retryable: true, summary: 'The recording could not be written to storage.' },
  spool_full: { fault: 'us', retryable: true, summary: 'Storage was unreachable for longer than the local spool could hold; what was spooled is kept.' },
  session_crashed: { fault: 'us', retryable: true, summary: 'The session process exited without reporting an outcome.' },
  stuck_session_killed: { fault: 'us', retryable: true, summary: 'The session made no progress and captured no media for too long (or its browser stopped answering) and was killed; what was uploaded is kept.' },
  worker_lost: { fault: 'us', retryable: true, summary: 'The worker running the session died; the session kept what it recorded and another worker takes the meeting over.' },
  worker_draining: { fault: 'us', retryable: true, summary: 'The worker was shut down (deploy, scale-in) and stopped the session; what was recorded is kept and the meeting can be leased again.' },
  // --- operator and job-owner commands ---
  meeting_not_live: { fault: 'configuration', retryable: true, summary: 'No worker is running a session for this meeting.' },
  control_refused: { fault: 'configuration', retryable: false, summary: 'The session cannot do that now (e.g. pause before recording).' },
  control_unauthorized: { fault: 'configuration', retryable: false, summary: 'A control command was unsigned, badly signed or stale.' },
  internal_error: { fault: 'us', retryable: true, summary: 'An unexpected error inside meetcap.' },
} as const satisfies Record<string, ReasonInfo>;

export type ReasonCode = keyof typeof REASONS;

export const REASON_CODES = Object.keys(REASONS) as ReasonCode[];

/** An error that carries a catalogue code. Everything that crosses a process or API boundary is one of these. */
export class MeetcapError extends Error {
  readonly code: ReasonCode;
  readonly details: Readonly<Record<string, unknown>>;

  constructor(code: ReasonCode, message?: string, details: Record<string, unknown> = {}, options?: ErrorOptions) {
    super(message ?? REASONS[code].summary, options);
    this.name = 'MeetcapError';
    this.code = code;
    this.details = details;
  }

  get fault(): Fault {
    return REASONS[this.code].fault;
  }

  get retryable(): boolean {
    return REASONS[this.code].retryable;
  }

  toJSON(): SerializedError {
    return { code: this.code, message: this.message, fault: this.fault, retryable: this.retryable, details: { ...this.details } };
  }
}

export interface SerializedError {
  code: ReasonCode;
  message: string;
  fault: Fault;
  retryable: boolean;
  details: Record<string, unknown>;
}

/** Maps anything thrown to a catalogue error, so no raw exception escapes a boundary. */
export function toMeetcapError(err: unknown, fallback: ReasonCode = 'internal_error'): MeetcapError {
  if (err instanceof MeetcapError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new MeetcapError(fallback, message, {}, { cause: err });
}
