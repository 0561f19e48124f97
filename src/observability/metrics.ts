import type { Attached, FleetContext } from '../fleet/context.js';

// Placeholder: implemented in its own change.
export async function attachMetrics(_ctx: FleetContext): Promise<Attached> {
  return { close: async () => undefined };
}
