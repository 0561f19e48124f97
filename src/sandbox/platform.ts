import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Meeting } from './meeting.js';
import type { PlatformId } from './types.js';

export interface PlatformContext {
  findMeeting(code: string): Meeting | undefined;
}

/**
 * One imitated platform. Each lives in its own folder (`meet/`, later `teams/`, `zoom/`) with an
 * `index.ts` exporting a SandboxPlatform and a `public/` folder of plain browser files.
 */
export interface SandboxPlatform {
  readonly id: PlatformId;
  /** Exact hostnames, or `*.domain` for any subdomain. */
  readonly hosts: readonly string[];
  isValidCode(code: string): boolean;
  randomCode(): string;
  meetingUrl(code: string): string;
  handle(req: IncomingMessage, res: ServerResponse, url: URL, ctx: PlatformContext): Promise<void>;
}

export function hostMatches(patterns: readonly string[], host: string): boolean {
  return patterns.some((p) => (p.startsWith('*.') ? host.endsWith(p.slice(1)) : host === p));
}
