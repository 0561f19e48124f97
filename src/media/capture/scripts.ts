import { readFileSync } from 'node:fs';

/**
 * The page-side code lives in a plain .js file, read once at first use and sent as source text:
 * TS functions passed to page.evaluate get esbuild's `__name` helpers injected under tsx, and
 * those do not exist in the page. The file is one function expression taking the hidden key.
 */
let recorderSource: string | undefined;

function source(): string {
  recorderSource ??= readFileSync(new URL('./page/recorder.js', import.meta.url), 'utf8').trim().replace(/;$/, '');
  return recorderSource;
}

/** Source that installs recorder.start/stop/pause/resume under `key`. */
export function recorderScript(key: string): string {
  return `(${source()})(${JSON.stringify(key)});`;
}

/** An expression calling the recorder; `args` is serialised as JSON, never spliced as code. */
export function recorderCall(key: string, method: 'start' | 'stop' | 'pause' | 'resume', args?: unknown): string {
  const call = args === undefined ? '' : JSON.stringify(args);
  return `window[Symbol.for(${JSON.stringify(key)})].recorder.${method}(${call})`;
}
