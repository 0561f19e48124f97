import type { SandboxPlatform } from '../platform.js';
import { SandboxError } from '../errors.js';

// Placeholder until the zoom imitation lands: registered so the wiring is in place.
export const zoomPlatform: SandboxPlatform = {
  id: 'zoom',
  hosts: [],
  isValidCode: () => false,
  randomCode: () => '000000000000',
  meetingUrl: (code) => `https://invalid.example/${code}`,
  handle: () => Promise.reject(new SandboxError('not_found', 'not yet')),
};
