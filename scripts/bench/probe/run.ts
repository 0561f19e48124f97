import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import puppeteer, { type Page } from 'puppeteer-core';
import { MEET_PROBE } from '../../../src/platforms/meet/selectors.js';
import { TEAMS_PROBE } from '../../../src/platforms/teams/selectors.js';
import { ZOOM_PROBE } from '../../../src/platforms/zoom/selectors.js';

/**
 * The call monitor's page probe (page-kit.browser.js `probe`), timed inside the page, for this
 * checkout's page-kit against the one at `--baseline` (a git revision), alternating probe by
 * probe on the same synthetic pages so both see the same machine:
 *   node --import tsx scripts/bench/probe/run.ts [--baseline <rev>] [--probes N]
 * The pages are a meeting-sized DOM: `elements` nodes in nested tiles, some of them inside open
 * shadow roots (web components), in-call signals present and no outcome text, so every probe
 * reads all of its outcome texts, selectors and tiles (the most a probe does in a call).
 */
const SIZES = [2_000, 10_000, 30_000];
/** Pages without web components, and pages with this many (each holding 22 elements). */
const SHADOW_HOSTS = [0, 40];

function pageHtml(elements: number, shadowHosts: number): string {
  const tiles = Math.max(1, Math.floor(elements / 25));
  const tile = (i: number): string => `<div class="tile" data-participant-id="p${i}"><div><div><span class="notranslate">Person ${i}</span>`
    + `${'<div><span>label</span><i>icon</i></div>'.repeat(10)}</div></div></div>`;
  const shadowFill = '<div><span>control</span><button aria-label="x">x</button></div>'.repeat(7);
  return `<body><main>${Array.from({ length: tiles }, (_, i) => tile(i)).join('')}</main>`
    + '<button aria-label="Leave call">Leave</button><button aria-label="Leave">Leave</button>'
    + `<div id="hosts">${'<x-widget></x-widget>'.repeat(shadowHosts)}</div>`
    + `<script>for (const h of document.querySelectorAll('x-widget')) h.attachShadow({ mode: 'open' }).innerHTML = ${JSON.stringify(shadowFill)};</script></body>`;
}

const kit = (source: string): string => source.trim().replace(/;$/, '');

/** In-page time of one page-kit call; `pierce` as page-kit.ts passes it (the baseline may ignore it). */
async function timeOp(page: Page, source: string, op: string, arg: unknown, pierce: boolean): Promise<number> {
  return (await page.evaluate(`(() => { const t0 = performance.now();
    (${source})(${JSON.stringify(op)}, ${JSON.stringify(arg)}, ${pierce});
    return performance.now() - t0; })()`)) as number;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const p95 = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * 0.95)] ?? NaN;

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { baseline: { type: 'string', default: 'HEAD' }, probes: { type: 'string', default: '200' } } });
  const probes = Number(values.probes);
  const current = kit(readFileSync(new URL('../../../src/platforms/page/page-kit.browser.js', import.meta.url), 'utf8'));
  const baseline = kit(execFileSync('git', ['show', `${values.baseline}:src/platforms/page/page-kit.browser.js`], { encoding: 'utf8' }));
  const browser = await puppeteer.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', headless: true, pipe: true, args: ['--no-sandbox'] });
  try {
    const page = await browser.newPage();
    console.log(`| page elements | platform | probe, baseline ${values.baseline}: median (p95) ms | probe, this checkout | shadow-root check (every 10 s) |`);
    console.log('|---|---|---|---|---|');
    for (const [size, hosts] of SIZES.flatMap((n) => SHADOW_HOSTS.map((h) => [n, h] as const))) {
      await page.setContent(pageHtml(size, hosts));
      const count = (await page.evaluate('document.querySelectorAll("*").length')) as number;
      for (const [name, spec] of [['zoom', ZOOM_PROBE], ['meet', MEET_PROBE], ['teams', TEAMS_PROBE]] as const) {
        const arg = { spec, selfName: 'Recorder' };
        // What page-kit.ts does: probes pierce shadow roots only on pages that have some.
        const pierce = hosts > 0;
        const base: number[] = [];
        const mine: number[] = [];
        const check: number[] = [];
        for (let i = 0; i < 10; i++) await timeOp(page, current, 'probe', arg, pierce); // warm-up: parse and JIT
        for (let i = 0; i < probes; i++) {
          base.push(await timeOp(page, baseline, 'probe', arg, pierce));
          mine.push(await timeOp(page, current, 'probe', arg, pierce));
          if (i % 10 === 0) check.push(await timeOp(page, current, 'shadowRoots', null, true));
        }
        const cell = (xs: number[]): string => `${median(xs).toFixed(2)} (${p95(xs).toFixed(2)})`;
        console.log(`| ${count}${hosts ? ` + ${hosts * 22} in ${hosts} shadow roots` : ''} | ${name} | ${cell(base)} | ${cell(mine)} | ${cell(check)} |`);
      }
    }
  } finally {
    await browser.close();
  }
}

await main();
