import { classifySoname } from '../nixpkgs/classify.js';
import { runtimeLoadsOf, sonameOfLinkName } from '../nixpkgs/runtime.js';
import { formatWhen, normalizeDistName, type RuntimeEntry, type RuntimeLookup } from '../nixpkgs/runtime-table.js';
import { sonameOfCall, type LoadCall } from '../scan/python-loads.js';
import { sitePackagesHas, type PythonWalk, type PythonWalkOptions } from '../scan/python-walk.js';
import { walkForRuntime } from './runtime-walk.js';
import type { Category } from '../scan/types.js';

/**
 * The `runtime` section: libraries the venv's Python code opens itself. Two sources, merged per
 * (distribution, soname): the curated table for the distributions installed ("known"), and the
 * static pass over the venv's Python files ("ctypes", "cffi"), classified like the scan's.
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

export interface RuntimeScanOptions extends Omit<PythonWalkOptions, 'skip'> {
  /** Normalised or not: distributions `[tool.nixpy] runtime-ignore` turns off. */
  disabled?: readonly string[];
}

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

/** A call the static pass found, as a runtime entry; null for glibc and other platforms' names. */
function staticLoad(call: LoadCall, file: string, dist: string, providers: ReadonlyMap<string, readonly string[]>): RuntimeLoad | null {
  const s = sonameOfCall(call);
  if (s === null) return null;
  const soname = s.bare ? (sonameOfLinkName(s.soname) ?? s.soname) : s.soname;
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

/** Runs both sources over a venv; never imports or executes anything (scan/python-walk.ts). */
export function scanRuntimeLoads(venvRoot: string, dists: DistView, opts: RuntimeScanOptions = {}): RuntimeScan {
  const { disabled = [], ...bounds } = opts;
  return runtimeFromWalk(venvRoot, dists, walkForRuntime(venvRoot, dists.distributionOf, disabled, bounds), disabled);
}

/** Both sources, the static pass already run (walkForRuntime, perhaps on another thread). */
export function runtimeFromWalk(venvRoot: string, dists: DistView, walk: PythonWalk, disabled: readonly string[]): RuntimeScan {
  const off = new Set(disabled.map(normalizeDistName));
  const known = knownLoads(dists, (glob) => sitePackagesHas(venvRoot, glob), off);
  const found: RuntimeLoad[] = [];
  for (const { file, call } of walk.calls) {
    const load = staticLoad(call, file, dists.distributionOf(file), walk.soFiles);
    if (load !== null) found.push(load);
  }
  return { runtime: mergeLoads(known.loads, found), typelibs: known.typelibs, pass: walk.pass };
}

/** One entry per (distribution, soname): the curated one first, else the first call found. */
function mergeLoads(known: readonly RuntimeLoad[], found: readonly RuntimeLoad[]): RuntimeLoad[] {
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

/** The package names the library through ctypes.util.find_library and nothing else. */
export function findLibraryOnly(load: RuntimeLoad): boolean {
  return !load.lookup.includes('name') && load.lookup.includes('find_library');
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

/** The advice for these distributions' find_library-only loads of `soname`. */
export function findLibrarySentence(dists: readonly string[], soname: string): string {
  const who = dists.length === 1 ? `${dists[0]} finds` : `${dists.join(', ')} find`;
  return (
    `${who} ${soname} only through ctypes.util.find_library, which on NixOS needs ` +
    "binutils' ld and objdump on PATH (a stdenv mkShell, not mkShellNoCC) with the library's directory on " +
    'LD_LIBRARY_PATH; run Python inside that dev shell, or give the package an explicit path where it takes one'
  );
}
