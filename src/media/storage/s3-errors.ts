import { MeetcapError } from '../../contracts/errors.js';

export function httpStatus(err: unknown): number | undefined {
  return (err as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;
}

/**
 * SDK errors carry the whole HTTP response (sockets, agents); keep only what explains the
 * failure, so logging the error stays small and never includes request headers.
 */
export function s3Failure(err: unknown, operation: string): MeetcapError {
  if (err instanceof MeetcapError) return err;
  const e = err as { name?: string; message?: string };
  const details = { operation, s3Code: e.name, status: httpStatus(err) };
  return new MeetcapError('upload_failed', `S3 ${operation} failed: ${e.message ?? String(err)}`, details);
}
