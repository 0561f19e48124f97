/** Time as the session sees it. Watchdogs take a Clock so tests can drive them with a fake one. */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };
