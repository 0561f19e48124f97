import type { Clock } from '../../src/session/clock.js';

/** A clock tests move by hand. */
export class FakeClock implements Clock {
  constructor(private t = Date.parse('2026-11-21T10:00:00Z')) {}
  now(): number {
    return this.t;
  }
  advance(ms: number): void {
    this.t += ms;
  }
}
