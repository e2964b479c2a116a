import { execFile } from 'node:child_process';
import { realpathSync } from 'node:fs';
import type { Closure } from '../../src/loader/index.js';

/** What `ldd FILE` reported, reduced to what the model can be compared on. */
export type LddReport =
  | { kind: 'listed'; lines: LddLine[]; versionErrors: LddVersionError[] }
  | { kind: 'error'; message: string }
  | { kind: 'rejected'; message: string };

/** `FILE: LIB: version `V' not found (required by X)`, which ld.so's trace mode prints and goes on. */
export interface LddVersionError {
  library: string;
  version: string;
  requiredBy: string;
}

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
  if (/^\s*statically linked\s*$/m.test(stdout)) return { kind: 'listed', lines: [], versionErrors: [] };
  if (/not a dynamic executable/.test(stdout + stderr)) return { kind: 'rejected', message: 'not a dynamic executable' };
  const lines: LddLine[] = [];
  const versionErrors: LddVersionError[] = [];
  for (const raw of stdout.split('\n')) {
    const line = raw.trim();
    if (line === '') continue;
    let m = /^.*?: (\/.*|[^:]*): version `(.*)' not found \(required by (.*)\)$/.exec(line);
    if (m) {
      versionErrors.push({ library: m[1] as string, version: m[2] as string, requiredBy: m[3] as string });
      continue;
    }
    m = /^(.*) => not found$/.exec(line);
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
  return { kind: 'listed', lines, versionErrors };
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

/** The real path of a path ld.so or the model printed (relative ones against `cwd`). */
export function real(p: string, cwd: string): string {
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

/**
 * A second oracle, for `via`: ld.so in ldd's trace mode with LD_DEBUG=libs prints, for each
 * search, the list it searches ("search path=... (RUNPATH from file X)", "search cache=...") and
 * each file it tries. The last file tried in a search that succeeded is the one mapped.
 */
export function runLdDebug(file: string, opts: { cwd?: string; ldLibraryPath?: string; rtld: string }): Promise<string> {
  const env: NodeJS.ProcessEnv = { LC_ALL: 'C', LD_TRACE_LOADED_OBJECTS: '1', LD_DEBUG: 'libs' };
  if (opts.ldLibraryPath !== undefined) env.LD_LIBRARY_PATH = opts.ldLibraryPath;
  return new Promise((resolve) => {
    execFile(opts.rtld, [file], { cwd: opts.cwd, env, maxBuffer: 1 << 24 }, (_err, _stdout, stderr) => resolve(String(stderr)));
  });
}

/** One search in LD_DEBUG=libs output: the name and each file tried, with its list's label. */
export interface LdDebugSearch {
  name: string;
  /** `from`: the object named in the label ("RUNPATH from file X"). */
  tries: { via: string; from?: string; file: string }[];
}

export function parseLdDebug(text: string): LdDebugSearch[] {
  const out: LdDebugSearch[] = [];
  let via = '?';
  let from: string | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.replace(/^\s*\d+:\s?/, '');
    const find = /^find library=(.*) \[\d+\]; searching$/.exec(line);
    if (find) {
      out.push({ name: find[1] as string, tries: [] });
      via = '?';
      continue;
    }
    if (/^\s*search (cache|path)=/.test(line)) from = /\t\(R(UN)?PATH from file (.*)\)$/.exec(line)?.[2];
    if (/^\s*search cache=/.test(line)) via = 'cache';
    else if (/^\s*search path=/.test(line)) {
      via = /\t\(RPATH from file /.test(line) ? 'rpath' : /\t\(RUNPATH from file /.test(line) ? 'runpath'
        : /\t\(LD_LIBRARY_PATH\)$/.test(line) ? 'ld_library_path' : /\t\(system search path\)$/.test(line) ? 'default' : `?${line}`;
    }
    const trying = /^\s*trying file=(.*)$/.exec(line);
    if (trying && out.length > 0) (out.at(-1) as LdDebugSearch).tries.push({ via, from, file: trying[1] as string });
  }
  return out;
}

/**
 * Entries whose `via` differs from what ld.so's searches show. ld.so keeps one record per
 * directory, labelled by the list that met it first: the system directories, then the main
 * object's RPATH/RUNPATH and LD_LIBRARY_PATH (_dl_init_paths), then each object's lists as it is
 * loaded. A list naming a directory met before shows the earlier label ("system search path",
 * "RUNPATH from file <another object>"): those are excused, any other difference is not.
 */
export function viaDisagreements(c: Closure, searches: LdDebugSearch[], cwd: string, systemDirs: readonly string[]): string[] {
  const bad: string[] = [];
  for (const l of c.libraries) {
    if (l.path === null || l.via === null || l.via === 'loaded' || l.via === 'path') continue;
    const target = real(l.path, cwd);
    const ends = searches.filter((s) => s.name === l.soname && s.tries.length > 0 && real((s.tries.at(-1) as { file: string }).file, cwd) === target);
    const seen = ends.at(-1)?.tries.at(-1);
    if (seen === undefined) {
      bad.push(`${l.soname}: model ${l.via} ${l.path}, no ld.so search ends there`);
      continue;
    }
    if (seen.via === l.via) continue;
    const dir = l.path.slice(0, l.path.lastIndexOf('/') + 1);
    const earlierRecord =
      (seen.via === 'default' && systemDirs.includes(dir)) ||
      (seen.via === 'ld_library_path' && (l.via === 'rpath' || l.via === 'runpath')) ||
      (l.via === 'ld_library_path' && seen.from === c.path) ||
      (seen.from !== undefined && seen.from !== l.requiredBy && seen.via !== 'cache');
    if (!earlierRecord) bad.push(`${l.soname}: model ${l.via}, ld.so ${seen.via}${seen.from ? ` (from ${seen.from})` : ''}`);
  }
  return bad;
}
