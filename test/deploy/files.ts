import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments, parse as parseYaml } from 'yaml';

/** Deployment files are checked by parsing them: no Docker engine or cluster runs here. */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const repoPath = (p: string): string => `${ROOT}${p.replace(/^\.\//, '')}`;
export const read = (p: string): string => readFileSync(repoPath(p), 'utf8');
export const exists = (p: string): boolean => existsSync(repoPath(p));

export function yamlFile<T = Record<string, unknown>>(p: string): T {
  // merge: compose files use `<<: *anchor`, which YAML 1.2 leaves to the application.
  return parseYaml(read(p), { merge: true }) as T;
}

export function yamlDocs<T = Record<string, unknown>>(p: string): T[] {
  return parseAllDocuments(read(p), { merge: true }).map((d) => {
    if (d.errors.length) throw d.errors[0];
    return d.toJS() as T;
  });
}

export interface Instruction {
  /** Upper-case keyword (FROM, RUN, ...). */
  op: string;
  /** Everything after the keyword, continuation lines joined with a space. */
  args: string;
  /** The exec (JSON array) form, when the arguments are one. */
  exec?: string[];
  line: number;
}

/**
 * A small Dockerfile parser: comments, line continuations (`\`), exec vs shell form. Enough for
 * the checks in dockerfile.test.ts; heredocs and escape-directive changes are refused.
 */
export function parseDockerfile(text: string): Instruction[] {
  const out: Instruction[] = [];
  let buf = '';
  let start = 0;
  const lines = text.split('\n');
  lines.forEach((raw, i) => {
    const line = raw.trimEnd();
    if (!buf && (line.trim() === '' || line.trimStart().startsWith('#'))) {
      if (/^#\s*escape\s*=/.test(line)) throw new Error('escape directive not supported');
      return;
    }
    if (buf && line.trimStart().startsWith('#')) return; // comments inside a continuation
    if (!buf) start = i + 1;
    if (line.endsWith('\\')) {
      buf += `${line.slice(0, -1).trim()} `;
      return;
    }
    buf += line.trim();
    const m = /^(\S+)\s*(.*)$/s.exec(buf);
    if (!m) throw new Error(`line ${start}: unparseable`);
    const op = m[1]!.toUpperCase();
    const args = m[2]!.trim();
    if (/<<-?\w/.test(args) && (op === 'RUN' || op === 'COPY')) throw new Error(`line ${start}: heredocs not supported`);
    out.push({ op, args, exec: execForm(args), line: start });
    buf = '';
  });
  if (buf) throw new Error('dangling line continuation at end of Dockerfile');
  return out;
}

function execForm(args: string): string[] | undefined {
  // HEALTHCHECK's options come before CMD; its exec form is after CMD.
  const json = args.startsWith('[') ? args : /\bCMD\s+(\[.*\])$/s.exec(args)?.[1];
  if (!json) return undefined;
  try {
    const v: unknown = JSON.parse(json);
    return Array.isArray(v) && v.every((x) => typeof x === 'string') ? (v as string[]) : undefined;
  } catch {
    return undefined;
  }
}

/** `KEY=value KEY2="v 2"` (ENV, ARG) into a map. */
export function parseKeyValues(args: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of args.matchAll(/([A-Za-z_][A-Za-z0-9_]*)=("(?:[^"\\]|\\.)*"|\S*)/g)) {
    out[m[1]!] = m[2]!.startsWith('"') ? (JSON.parse(m[2]!) as string) : m[2]!;
  }
  return out;
}

/** Top-level entries a .dockerignore excludes (the simple patterns this repo uses). */
export function dockerignored(p: string): boolean {
  const patterns = read('.dockerignore')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  const first = p.replace(/^\.\//, '').split('/')[0]!;
  return patterns.some((pat) => pat === first || pat === p || (pat.includes('*') && new RegExp(`^${pat.replace(/\./g, '\\.').replace(/\*/g, '.*')}$`).test(first)));
}
