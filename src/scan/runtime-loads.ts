import { readSync, openSync, closeSync, fstatSync } from 'node:fs';
import fg from 'fast-glob';
import { NIXOS_GLIBC_SONAMES } from '../loader/nixos-glibc.js';
import { classifySoname } from '../nixpkgs/classify.js';
import { embeddedIndex } from '../nixpkgs/embedded.js';
import { runtimeLoadsOf, sonameForLinkName } from '../nixpkgs/runtime.js';
import { formatWhen, normalizeDistName, type RuntimeEntry, type RuntimeLookup } from '../nixpkgs/runtime-table.js';
import { findLoadCalls, sonameOfCall, TRIGGERS, type LoadCall } from './python-loads.js';
import type { Category } from './types.js';

/**
 * The `runtime` section: libraries the venv's Python code opens itself. Two sources, merged per
 * (distribution, soname): the curated table for the distributions installed ("known"), and the
 * static pass over the venv's Python files ("ctypes", "cffi").
 */
export interface RuntimeLoad {
  soname: string;
  category: Category;
  dist: string;
  source: 'known' | 'ctypes' | 'cffi';
  /** Venv-relative file and 1-based line of the call (static pass only). */
  file?: string;
  line?: number;
  /** How the package names it; `find_library` alone fails on NixOS without binutils on PATH. */
  lookup: RuntimeLookup[];
  /** required | optional | if:CONDITION (known entries; static ones are `required`). */
  when: string;
  /** Evidence of a known entry: the upstream source line. */
  evidence?: string;
  note?: string;
}

/** A distribution that needs GObject-introspection typelibs (GI_TYPELIB_PATH, not a library). */
export interface TypelibNeed {
  dist: string;
  note: string;
}

export interface RuntimeScan {
  runtime: RuntimeLoad[];
  typelibs: TypelibNeed[];
  /** What the static pass read, and why it stopped early (null when it read everything). */
  pass: { files: number; bytes: number; truncated: string | null };
}

/** The distributions of a venv and the owner of a venv-relative file (project/dists.ts). */
export interface DistView {
  names: readonly string[];
  distributionOf: (rel: string) => string;
}

export interface RuntimeScanOptions {
  /** Normalised or not: distributions `[tool.nixpy]` turned off. */
  disabled?: readonly string[];
  /** Bounds of the static pass (defaults below). */
  maxFiles?: number;
  maxBytes?: number;
  maxFileBytes?: number;
  /** Milliseconds; the pass stops (and says so) once this much time has gone by. */
  timeBudgetMs?: number;
  now?: () => number;
}

const SITE_PACKAGES = ['lib/python*/site-packages', 'lib64/python*/site-packages', 'lib/pypy*/site-packages'];
/** Enough for a venv with torch, tensorflow and jax (about 30 000 .py files, 400 MB). */
const DEFAULTS = { maxFiles: 60_000, maxBytes: 512 * 1024 * 1024, maxFileBytes: 2 * 1024 * 1024, timeBudgetMs: 20_000 };

/** Known entries of the installed distributions, minus those a bundled copy in the venv serves. */
function knownLoads(dists: DistView, bundled: (glob: string) => boolean, off: ReadonlySet<string>): { loads: RuntimeLoad[]; typelibs: TypelibNeed[] } {
  const loads: RuntimeLoad[] = [];
  const typelibs: TypelibNeed[] = [];
  for (const name of [...new Set(dists.names)].sort()) {
    if (off.has(normalizeDistName(name))) continue;
    for (const e of runtimeLoadsOf(name)) {
      if (e.soname.startsWith('typelib:')) {
        typelibs.push({ dist: name, note: e.note ?? 'needs GObject-introspection typelibs on GI_TYPELIB_PATH' });
        continue;
      }
      if (e.bundled !== null && bundled(e.bundled)) continue;
      loads.push(fromKnown(name, e));
    }
  }
  return { loads, typelibs };
}

function fromKnown(dist: string, e: RuntimeEntry): RuntimeLoad {
  const load: RuntimeLoad = {
    soname: e.soname,
    category: classifySoname(e.soname, { venvProviders: [] }),
    dist,
    source: 'known',
    lookup: [...e.lookup],
    when: formatWhen(e.when),
    evidence: e.evidence,
  };
  if (e.note !== undefined) load.note = e.note;
  return load;
}

/**
 * Reads at most `max` bytes of a file; null when unreadable. `text` is '' when no trigger word
 * occurs in the bytes: most files have none, and decoding them would be the pass's main cost.
 */
function readHead(abs: string, max: number): { text: string; bytes: number } | null {
  let fd: number | null = null;
  try {
    fd = openSync(abs, 'r');
    const size = fstatSync(fd).size;
    const n = Math.min(size, max);
    const buf = Buffer.alloc(n);
    let got = 0;
    while (got < n) {
      const r = readSync(fd, buf, got, n - got, got);
      if (r === 0) break;
      got += r;
    }
    const view = buf.subarray(0, got);
    return { text: TRIGGERS.some((t) => view.includes(t)) ? view.toString('utf8') : '', bytes: got };
  } catch {
    return null;
  } finally {
    if (fd !== null) closeSync(fd);
  }
}

/** Sonames a link-time name can stand for: the index's and glibc's (find_library("c")). */
function knownSonames(): string[] {
  return [...embeddedIndex().keys(), ...NIXOS_GLIBC_SONAMES];
}

/**
 * Code for other platforms inside a package (pyglet/libs/darwin/, pyglet/libs/win32/): what it
 * loads (AppKit, CoreFoundation, user32) is never looked for on Linux.
 */
const OTHER_PLATFORM_DIR = /\/(?:darwin|macos|macosx|osx|cocoa[a-z]*|win32|win64|windows|wgl|uwp)\//i;

/** The static pass's findings as runtime entries (one per distribution and soname). */
function staticLoad(call: LoadCall, file: string, dist: string, providers: ReadonlyMap<string, string[]>): RuntimeLoad | null {
  const s = sonameOfCall(call);
  if (s === null) return null;
  const soname = s.bare ? (sonameForLinkName(s.soname, knownSonames()) ?? s.soname) : s.soname;
  const category = classifySoname(soname, { venvProviders: providers.get(soname) ?? [] });
  if (category === 'glibc') return null; // find_library("c") and friends: always there
  return {
    soname,
    category,
    dist,
    source: call.kind === 'cffi' ? 'cffi' : 'ctypes',
    file,
    line: call.line,
    lookup: call.kind === 'find_library' || s.bare ? ['find_library'] : ['name'],
    when: 'required',
  };
}

/**
 * Runs both sources over a venv. Never imports or executes anything: files are read as text,
 * within `maxFiles`, `maxBytes` (and `maxFileBytes` each) and `timeBudgetMs`.
 */
export function scanRuntimeLoads(venvRoot: string, dists: DistView, opts: RuntimeScanOptions = {}): RuntimeScan {
  const bounds = { ...DEFAULTS, ...opts };
  const now = opts.now ?? (() => performance.now());
  const off = new Set((opts.disabled ?? []).map(normalizeDistName));
  const files = fg.sync(
    SITE_PACKAGES.flatMap((sp) => [`${sp}/**/*.py`, `${sp}/**/*.so*`]),
    // Test suites are not what the program loads; they may open anything.
    { cwd: venvRoot, dot: true, onlyFiles: true, followSymbolicLinks: false, suppressErrors: true, ignore: ['**/tests/**', '**/test/**'] },
  ).sort();
  const py: string[] = [];
  const providers = new Map<string, string[]>();
  for (const f of files) {
    if (f.endsWith('.py')) py.push(f);
    else {
      const base = f.slice(f.lastIndexOf('/') + 1);
      providers.set(base, [...(providers.get(base) ?? []), f]);
    }
  }
  const bundled = (glob: string): boolean =>
    fg.sync(SITE_PACKAGES.map((sp) => `${sp}/${glob}`), { cwd: venvRoot, dot: true, suppressErrors: true }).length > 0;
  const known = knownLoads(dists, bundled, off);

  const start = now();
  let bytes = 0;
  let read = 0;
  let truncated: string | null = null;
  const found: RuntimeLoad[] = [];
  for (const rel of py) {
    if (read >= bounds.maxFiles) truncated = `stopped after ${read} files (limit ${bounds.maxFiles})`;
    else if (bytes >= bounds.maxBytes) truncated = `stopped after ${bytes} bytes (limit ${bounds.maxBytes})`;
    else if (now() - start > bounds.timeBudgetMs) truncated = `stopped after ${read} files: time budget of ${bounds.timeBudgetMs} ms spent`;
    if (truncated !== null) break;
    if (OTHER_PLATFORM_DIR.test(rel)) continue;
    const dist = dists.distributionOf(rel);
    if (off.has(normalizeDistName(dist))) continue;
    const head = readHead(`${venvRoot}/${rel}`, Math.min(bounds.maxFileBytes, bounds.maxBytes - bytes));
    read++;
    if (head === null) continue;
    bytes += head.bytes;
    for (const call of findLoadCalls(head.text)) {
      const load = staticLoad(call, rel, dist, providers);
      if (load !== null) found.push(load);
    }
  }
  return { runtime: mergeLoads(known.loads, found), typelibs: known.typelibs, pass: { files: read, bytes, truncated } };
}

/** One entry per (distribution, soname): the curated one first, else the first call found. */
export function mergeLoads(known: readonly RuntimeLoad[], found: readonly RuntimeLoad[]): RuntimeLoad[] {
  const out = new Map<string, RuntimeLoad>();
  for (const l of [...known, ...found]) {
    const key = `${normalizeDistName(l.dist)}\u0000${l.soname}`;
    const prev = out.get(key);
    if (prev === undefined) out.set(key, l);
    else if (prev.source !== 'known' && l.source !== 'known' && !prev.lookup.includes('name') && l.lookup.includes('name')) {
      // A literal soname elsewhere in the package makes find_library's failure survivable.
      out.set(key, { ...prev, lookup: [...prev.lookup, 'name'] });
    }
  }
  const order = (a: RuntimeLoad, b: RuntimeLoad): number =>
    a.dist.toLowerCase() < b.dist.toLowerCase() ? -1 : a.dist.toLowerCase() > b.dist.toLowerCase() ? 1 : a.soname < b.soname ? -1 : a.soname > b.soname ? 1 : 0;
  return [...out.values()].sort(order);
}

/**
 * What works on NixOS for a library a package asks ctypes.util.find_library for: that function
 * reads /sbin/ldconfig (absent on NixOS), then runs gcc or `ld -t` with LD_LIBRARY_PATH and
 * objdump (CPython Lib/ctypes/util.py), so the library's directory on LD_LIBRARY_PATH is enough
 * only where binutils are on PATH, as in a stdenv `mkShell`.
 */
export function findLibraryAdvice(load: RuntimeLoad): string | null {
  return findLibraryOnly(load) ? findLibrarySentence([load.dist], load.soname) : null;
}

/** The package names the library through ctypes.util.find_library and nothing else. */
export function findLibraryOnly(load: RuntimeLoad): boolean {
  return !load.lookup.includes('name') && load.lookup.includes('find_library');
}

/** The advice for these distributions' find_library-only loads of `soname`. */
export function findLibrarySentence(dists: readonly string[], soname: string): string {
  const who = dists.length === 1 ? `${dists[0]} finds` : `${dists.join(', ')} find`;
  return (
    `${who} ${soname} only through ctypes.util.find_library, which on NixOS needs ` +
    "binutils' ld and objdump on PATH (a stdenv mkShell, not mkShellNoCC) with the library's directory on " +
    'LD_LIBRARY_PATH; run Python inside that dev shell, or give the package an explicit path where it takes one'
  );
}
