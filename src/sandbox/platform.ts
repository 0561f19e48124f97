import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Meeting } from './meeting.js';
import type { MeetingOptions, PlatformId } from './types.js';

export interface PlatformContext {
  findMeeting(code: string): Meeting | undefined;
}

/**
 * One imitated platform. Each lives in its own folder (`meet/`, `teams/`, `zoom/`) with an
 * `index.ts` exporting a SandboxPlatform and a `public/` folder of plain browser files.
 */
export interface SandboxPlatform {
  readonly id: PlatformId;
  /** Exact hostnames, or `*.domain` for any subdomain. */
  readonly hosts: readonly string[];
  isValidCode(code: string): boolean;
  randomCode(): string;
  /** The link an invite would carry; with `passcodeInUrl`, the passcode's encoded form (Zoom `pwd`, Teams `p=`). */
  meetingUrl(code: string, options: MeetingOptions): string;
  /** Encoded forms of a passcode the platform's links carry (Zoom's encrypted `pwd`, Teams' hashed `p=`); accepted from a link only. */
  passcodeAliases?(code: string, passcode: string): string[];
  handle(req: IncomingMessage, res: ServerResponse, url: URL, ctx: PlatformContext): Promise<void>;
}

export function hostMatches(patterns: readonly string[], host: string): boolean {
  return patterns.some((p) => (p.startsWith('*.') ? host.endsWith(p.slice(1)) : host === p));
}
