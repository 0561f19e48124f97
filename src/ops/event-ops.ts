import type { OpsDeps } from './api.js';

// Placeholder: implemented in its own change.
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface EventOps {}

export function eventOps(_deps: OpsDeps): EventOps {
  return {};
}
