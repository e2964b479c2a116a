import { execFile } from 'node:child_process';
import { realpathSync } from 'node:fs';
import type { Closure } from '../../src/loader/index.js';

/** What `ldd FILE` reported, reduced to what the model can be compared on. */
export type LddReport =
  | { kind: 'listed'; lines: LddLine[] }
  | { kind: 'error'; message: string }
  | { kind: 'rejected'; message: string };

/** One line of ldd output: `name => path`, `name => not found`, or a bare `path`. */
export interface LddLine {
  name: string;
  path: string | null;
  arrow: boolean;
}

export function parseLdd(stdout: string, stderr: string, exitCode: number): LddReport {
  // In trace mode ld.so reports a fatal error on stdout; a failed exec reports on stderr.
  const fatal = /error while loading shared libraries: (.*)$/m.exec(stdout + '\n' + stderr);
  if (fatal) return { kind: 'error', message: (fatal[1] as string).trim() };
  if (exitCode !== 0 && stdout.trim() === '') return { kind: 'rejected', message: stderr.trim() };
  // ld.so says "statically linked" for any main object without DT_NEEDED (libX11-xcb.so.1,
  // ld.so itself): an empty closure, not a rejection.
  if (/^\s*statically linked\s*$/m.test(stdout)) return { kind: 'listed', lines: [] };
  if (/not a dynamic executable/.test(stdout + stderr)) return { kind: 'rejected', message: 'not a dynamic executable' };
  const lines: LddLine[] = [];
  for (const raw of stdout.split('\n')) {
    const line = raw.trim();
    if (line === '') continue;
    let m = /^(.*) => not found$/.exec(line);
    if (m) {
      lines.push({ name: m[1] as string, path: null, arrow: true });
      continue;
    }
    m = /^(.*) => (.*) \(0x[0-9a-f]+\)$/.exec(line);
    if (m) {
      lines.push({ name: m[1] as string, path: m[2] as string, arrow: true });
      continue;
    }
    m = /^(.*) \(0x[0-9a-f]+\)$/.exec(line);
    if (m) {
      const name = m[1] as string;
      if (name === 'linux-vdso.so.1') continue; // the vDSO is never part of a closure
      lines.push({ name, path: name, arrow: false });
      continue;
    }
    throw new Error(`unparsed ldd line: ${JSON.stringify(raw)}`);
  }
  return { kind: 'listed', lines };
}

export function runLdd(file: string, opts: { cwd?: string; ldLibraryPath?: string } = {}): Promise<LddReport> {
  const env: NodeJS.ProcessEnv = { ...process.env, LC_ALL: 'C' };
  delete env.LD_LIBRARY_PATH;
  delete env.LD_PRELOAD;
  if (opts.ldLibraryPath !== undefined) env.LD_LIBRARY_PATH = opts.ldLibraryPath;
  return new Promise((resolve, reject) => {
    execFile('ldd', [file], { cwd: opts.cwd, env, maxBuffer: 1 << 22 }, (err, stdout, stderr) => {
      const code = err ? ((err as { code?: number }).code ?? 1) : 0;
      try {
        resolve(parseLdd(String(stdout), String(stderr), typeof code === 'number' ? code : 1));
      } catch (e) {
        reject(e as Error);
      }
    });
  });
}

function real(p: string, cwd: string): string {
  try {
    // .native is realpath(3): the JS version folds '..' lexically before following links.
    return realpathSync.native(p.startsWith('/') ? p : `${cwd}/${p}`);
  } catch {
    return `<unresolvable:${p}>`;
  }
}

/** The comparable form of a closure or an ldd listing: found objects in load order, missing names. */
export interface Comparable {
  found: { name: string | null; real: string }[];
  missing: string[];
}

/**
 * ldd lists one line per mapped object (its first name), plus a line per failed search. A
 * closure lists one entry per name. So: drop closure entries that reach an object already
 * listed (or the root), and compare missing names as sets (ldd repeats a name each time a
 * search for it fails, and also lists it as not found when a later search finds it).
 */
export function comparableClosure(c: Closure, cwd: string): Comparable {
  const seen = new Set<string>([real(c.path, cwd)]);
  const found: Comparable['found'] = [];
  for (const l of c.libraries) {
    if (l.path === null) continue;
    const r = real(l.path, cwd);
    if (seen.has(r)) continue;
    seen.add(r);
    found.push({ name: l.soname, real: r });
  }
  const missing = c.libraries.filter((l) => l.path === null).map((l) => l.soname);
  return { found, missing: [...new Set(missing)].sort() };
}

export function comparableLdd(lines: LddLine[], cwd: string): Comparable {
  const found = lines
    .filter((l) => l.path !== null)
    .map((l) => ({ name: l.arrow ? l.name : null, real: real(l.path as string, cwd) }));
  const foundNames = new Set(lines.filter((l) => l.path !== null).map((l) => l.name));
  const missing = lines.filter((l) => l.path === null && !foundNames.has(l.name)).map((l) => l.name);
  return { found, missing: [...new Set(missing)].sort() };
}

/** Names compare only where ldd prints one (`name => path`); bare lines are compared by path. */
export function sameComparable(model: Comparable, ldd: Comparable): boolean {
  if (model.found.length !== ldd.found.length) return false;
  for (let i = 0; i < model.found.length; i++) {
    const a = model.found[i] as Comparable['found'][number];
    const b = ldd.found[i] as Comparable['found'][number];
    if (a.real !== b.real) return false;
    if (b.name !== null && a.name !== b.name) return false;
  }
  return model.missing.join('\n') === ldd.missing.join('\n');
}

/** Runs `fn` over items with at most `limit` in flight (the machine has 2 cores, shared). */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
