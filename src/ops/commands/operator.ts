import type { Command } from 'commander';

// Placeholder: implemented in its own change.
export function registerOperatorCommands(_program: Command): void {}
