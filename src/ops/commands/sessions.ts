import type { Command } from 'commander';

// Placeholder: implemented in its own change.
export function registerSessionCommands(_program: Command): void {}
