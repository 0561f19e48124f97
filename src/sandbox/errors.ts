/** Typed errors of the sandbox; `status` is what the control API answers with. */
export type SandboxErrorCode =
  | 'invalid_request'
  | 'not_found'
  | 'meeting_not_found'
  | 'meeting_exists'
  | 'meeting_ended'
  | 'joiner_not_found'
  | 'participant_not_found'
  | 'participant_start_failed'
  | 'participant_unresponsive'
  | 'wait_timeout'
  | 'passcode_required'
  | 'passcode_wrong'
  | 'closed';

const STATUS: Record<SandboxErrorCode, number> = {
  invalid_request: 400,
  not_found: 404,
  meeting_not_found: 404,
  meeting_exists: 409,
  meeting_ended: 409,
  joiner_not_found: 404,
  participant_not_found: 404,
  participant_start_failed: 502,
  participant_unresponsive: 504,
  wait_timeout: 408,
  passcode_required: 401,
  passcode_wrong: 403,
  closed: 503,
};

export class SandboxError extends Error {
  readonly code: SandboxErrorCode;
  readonly status: number;
  constructor(code: SandboxErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SandboxError';
    this.code = code;
    this.status = STATUS[code];
  }
}
