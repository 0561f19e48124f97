import { describe, expect, it } from 'vitest';
import { monitorCall } from '../../src/session/monitor.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { scriptedCall } from '../helpers/scripted-call.js';

/** No tile shows anyone but the bot. */
const noTiles = { participants: [] };

describe('alone in the call: tiles, the page headcount and a screen share', () => {
  it('a share that hides every tile keeps the bot while the page counts others; alone by the count, it leaves after its limit', async () => {
    const clock = new FakeClock();
    const { ctx } = scriptedCall(clock, [
      [{ ...noTiles, headcount: 3 }, 1_000],
      [{ ...noTiles, headcount: 3 }, 120_000], // on tiles alone: alone for 120 s of 60, everyone_left here
      [{ ...noTiles, presenting: true }, 120_000], // a share on show, no headcount read
      [{ ...noTiles, headcount: 1 }, 1_000], // the bot alone, by the page's count: alone from here
      [{ ...noTiles, headcount: 1 }, 59_000],
      [{ ...noTiles, headcount: 1 }, 1_000],
    ], 60);
    const start = clock.now();
    expect(await monitorCall(ctx, () => start)).toBe('everyone_left');
    expect(clock.now() - start).toBe(242_000 + 60_000);
  });

  it('a count of the bot alone does not outvote tiles that show someone', async () => {
    const clock = new FakeClock();
    const { ctx } = scriptedCall(clock, [
      [{ headcount: 1 }, 1_000], // Ann's tile (the script's default) with a stale badge
      [{ headcount: 1 }, 120_000],
      [{ ...noTiles, headcount: 1 }, 1_000],
      [{ ...noTiles, headcount: 1 }, 60_000],
    ], 60);
    const start = clock.now();
    expect(await monitorCall(ctx, () => start)).toBe('everyone_left');
    expect(clock.now() - start).toBe(182_000);
  });
});
