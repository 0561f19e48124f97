import type { Attached, FleetContext } from './context.js';

// Placeholder: implemented in its own change.
export async function attachRegistry(_ctx: FleetContext): Promise<Attached> {
  return { close: async () => undefined };
}
