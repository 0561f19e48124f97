import type { SandboxPlatform } from '../platform.js';
import { SandboxError } from '../errors.js';

// Placeholder until the teams imitation lands: registered so the wiring is in place.
export const teamsPlatform: SandboxPlatform = {
  id: 'teams',
  hosts: [],
  isValidCode: () => false,
  randomCode: () => '000000000000',
  meetingUrl: (code) => `https://invalid.example/${code}`,
  handle: () => Promise.reject(new SandboxError('not_found', 'not yet')),
};
