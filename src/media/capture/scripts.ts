import { readFileSync } from 'node:fs';

/**
 * The page-side code lives in plain .js files, read once at first use and sent as source text:
 * TS functions passed to page.evaluate get esbuild's `__name` helpers injected under tsx, and
 * those do not exist in the page.
 */
const sources = new Map<string, string>();

function source(name: 'recorder' | 'quiet-mic'): string {
  let text = sources.get(name);
  if (text === undefined) {
    text = readFileSync(new URL(`./page/${name}.js`, import.meta.url), 'utf8').trim().replace(/;$/, '');
    sources.set(name, text);
  }
  return text;
}

/** Source that installs recorder.start/stop/pause/resume under `key` (one function expression taking the key). */
export function recorderScript(key: string): string {
  return `(${source('recorder')})(${JSON.stringify(key)});`;
}

/** Source to run in every document before the page's own scripts: the bot's microphone, unprocessed. */
export function quietMicScript(): string {
  return `${source('quiet-mic')};`;
}

/** An expression calling the recorder; `args` is serialised as JSON, never spliced as code. */
export function recorderCall(key: string, method: 'start' | 'stop' | 'pause' | 'resume', args?: unknown): string {
  const call = args === undefined ? '' : JSON.stringify(args);
  return `window[Symbol.for(${JSON.stringify(key)})].recorder.${method}(${call})`;
}
