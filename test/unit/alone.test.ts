import { describe, expect, it } from 'vitest';
import { monitorCall } from '../../src/session/monitor.js';
import { isNotetaker } from '../../src/session/notetakers.js';
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

  it('other notetaker bots are nobody: left with them only, the bot leaves after its limit', async () => {
    const clock = new FakeClock();
    const tile = (name: string) => ({ id: name, name, speaking: false, self: false });
    const ann = tile('Ann Lee');
    const notetakers = [tile('Fireflies.ai Notetaker'), tile("Ann's Otter.ai")];
    const { ctx } = scriptedCall(clock, [
      [{ participants: [ann, ...notetakers], headcount: 4 }, 1_000],
      [{ participants: [ann, ...notetakers], headcount: 4 }, 120_000],
      [{ participants: notetakers, headcount: 3 }, 1_000], // Ann left: from here, alone
      // Someone the page counts but shows no tile of is somebody: the count is more than bot + notetakers.
      [{ participants: notetakers.slice(0, 1), headcount: 3 }, 30_000],
      [{ participants: notetakers, headcount: 3 }, 1_000],
      [{ participants: notetakers, headcount: 3 }, 60_000],
    ], 60);
    const start = clock.now();
    expect(await monitorCall(ctx, () => start)).toBe('everyone_left');
    expect(clock.now() - start).toBe(153_000 + 60_000);
  });

  it('notetakers are known by names that say what they are, never by a person\'s name', () => {
    for (const name of ['Fireflies.ai Notetaker', 'Fred from Fireflies.ai', "Jane's Otter.ai", 'Read.ai meeting notes', 'tl;dv Recorder',
      'Fathom Notetaker', 'Avoma Assistant', 'Sembly AI', 'Meeting Notes', 'AI Notetaker (Guest)', 'Tactiq', 'Read AI', 'Fathom', 'Semblian',
      'Gong Recorder', 'Chorus.ai', 'Grain Recorder', 'Notta Bot', 'MeetGeek', 'Supernormal', 'Circleback', 'Bluedot', "Jane's OtterPilot"]) {
      expect(isNotetaker(name), name).toBe(true);
    }
    for (const name of ['Otto Reader', 'Ann Lee', 'Notes', 'Recorder', 'Dave (Read only)', 'Fathima Noor', 'Gong Li', 'Amy Note',
      'Jane Doe (note taker)', 'Jane Doe (note taker) (Guest)', 'Anne Otter', 'Jamie Smith', 'Grace Grain']) {
      expect(isNotetaker(name), name).toBe(false);
    }
  });
});
