import type { OpsDeps } from './api.js';

// Placeholder: implemented in its own change.
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface OperatorOps {}

export function operatorOps(_deps: OpsDeps): OperatorOps {
  return {};
}
