import type { Command } from 'commander';

// Placeholder: implemented in its own change.
export function registerEventCommands(_program: Command): void {}
