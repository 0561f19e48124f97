import type { Attached, FleetContext } from './context.js';

// Placeholder: implemented in its own change.
export async function attachWebhooks(_ctx: FleetContext): Promise<Attached> {
  return { close: async () => undefined };
}
