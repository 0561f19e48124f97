import type { Command } from 'commander';

// Placeholder: implemented in its own change.
export function registerLogCommands(_program: Command): void {}
