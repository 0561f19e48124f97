import { MeetcapError } from '../../contracts/errors.js';

/**
 * Object keys come from job settings (tenant prefix, meeting id), so they are untrusted: the
 * same key must be safe as an S3 key and as a path below the local recordings directory.
 */
export function validateKey(key: string): string {
  const problem = keyProblem(key);
  if (problem) throw new MeetcapError('upload_failed', `invalid storage key: ${problem}`, { key });
  return key;
}

function keyProblem(key: string): string | undefined {
  if (key.length === 0) return 'empty';
  if (key.length > 1024) return 'longer than 1024 characters';
  if (key.startsWith('/') || key.startsWith('\\') || /^[A-Za-z]:/.test(key)) return 'absolute path';
  if (key.includes('\\')) return 'backslash';
  // Control characters (NUL above all) have no business in a key and confuse file systems.
  if (/[\u0000-\u001f\u007f]/.test(key)) return 'control character';
  const segments = key.split('/');
  if (segments.some((s) => s === '..' || s === '.')) return 'dot segment';
  if (segments.some((s) => s === '')) return 'empty path segment';
  return undefined;
}
