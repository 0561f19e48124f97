import type { Command } from 'commander';
import { registerEventCommands } from './events.js';
import { registerLogCommands } from './logs.js';
import { registerOperatorCommands } from './operator.js';
import { registerSessionCommands } from './sessions.js';

/** Operator commands over the fleet (docs/operations.md); each file owns its commands. */
export function registerFleetCommands(program: Command): void {
  registerSessionCommands(program);
  registerLogCommands(program);
  registerOperatorCommands(program);
  registerEventCommands(program);
}
