import { readFileSync } from 'node:fs';

/**
 * The page-side code lives in plain .js files, read at runtime and sent as source text: TS
 * functions passed to page.evaluate get esbuild's `__name` helpers injected under tsx, and
 * those do not exist in the page. Each file is one function expression taking the hidden key.
 */
const cache = new Map<string, string>();

function source(name: 'recorder.js'): string {
  let text = cache.get(name);
  if (text === undefined) {
    text = readFileSync(new URL(`./page/${name}`, import.meta.url), 'utf8').trim().replace(/;$/, '');
    cache.set(name, text);
  }
  return text;
}

/** Source that installs recorder.start/stop/pause/resume under `key`. */
export function recorderScript(key: string): string {
  return `(${source('recorder.js')})(${JSON.stringify(key)});`;
}

/** An expression calling the recorder; `args` is serialised as JSON, never spliced as code. */
export function recorderCall(key: string, method: 'start' | 'stop' | 'pause' | 'resume', args?: unknown): string {
  const call = args === undefined ? '' : JSON.stringify(args);
  return `window[Symbol.for(${JSON.stringify(key)})].recorder.${method}(${call})`;
}
