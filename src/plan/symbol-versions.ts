import type { VersionRefusal } from '../scan/types.js';

/**
 * Symbol-version mismatches: an object asks its library for `GLIBCXX_3.4.32` (DT_VERNEED) and
 * the library the loader finds defines only up to `GLIBCXX_3.4.30` (DT_VERDEF). ld.so refuses to
 * load it, and no amount of adding libraries to the path helps unless a newer build comes first.
 */

import { compareNumbers, parseVersionName } from '../elf/version-names.js';
import { dottedNumbers, firstGccProviding, toolchain } from '../nixpkgs/toolchain.js';

export { compareNumbers, parseVersionName, type ParsedVersion } from '../elf/version-names.js';

/** The highest version of `family` among `defined`, or null when none is of that family. */
export function highestOfFamily(defined: readonly string[], family: string): string | null {
  let best: { name: string; numbers: number[] } | null = null;
  for (const name of defined) {
    const p = parseVersionName(name);
    if (!p || p.family !== family) continue;
    if (!best || compareNumbers(p.numbers, best.numbers) > 0) best = { name, numbers: p.numbers };
  }
  return best?.name ?? null;
}

/** The oldest GCC major whose libstdc++ defines `version` (gcc's ABI list, data/toolchain.json), or null. */
export function gccMajorFor(version: string): number | null {
  const row = firstGccProviding(toolchain(), version);
  return row ? dottedNumbers(row.gcc)[0]! : null;
}

/** What to do about a missing version: concrete, in nixpkgs terms. */
export function versionAdvice(soname: string, version: string): string {
  const p = parseVersionName(version);
  const family = p?.family ?? '';
  if (family === 'GLIBCXX' || family === 'CXXABI' || soname.startsWith('libstdc++.so')) {
    const gcc = gccMajorFor(version);
    // Newer than every release in gcc's ABI list: the newest gcc nixpy knows is the floor.
    const newest = dottedNumbers(toolchain().abi.at(-1)!.gcc)[0]!;
    const attr = `gcc${gcc ?? newest}.cc.lib`;
    const why = gcc !== null ? ` (${version} first shipped with GCC ${gcc})` : '';
    return (
      `put a newer libstdc++ first in the library list: \`pkgs.${attr}\` or newer${why}, ` +
      'in place of `stdenv.cc.cc.lib`, or update nixpkgs (`nix flake update nixpkgs`) so its default gcc is new enough'
    );
  }
  if (family === 'GLIBC' || soname.startsWith('libc.so') || soname.startsWith('libm.so')) {
    return (
      'glibc cannot be swapped through LD_LIBRARY_PATH: the Python interpreter brings its own. ' +
      `Use a python from a nixpkgs whose glibc defines ${version} (\`nix flake update nixpkgs\`), ` +
      'or install a wheel built for an older manylinux tag'
    );
  }
  if (family === 'GCC' || soname.startsWith('libgcc_s.so')) {
    return 'libgcc_s comes with glibc on NixOS: update nixpkgs (`nix flake update nixpkgs`) for a newer one';
  }
  return `use a newer build of the package that ships ${soname} (update nixpkgs, or pick a newer attribute for it)`;
}

export interface VersionProblem {
  /** Venv-relative path of the object that needs the versions. */
  neededBy: string;
  soname: string;
  /** The library file the loader resolves the soname to. */
  libraryPath: string;
  /** Versions the object needs and the library does not define, sorted. */
  missing: string[];
  /** The highest version of the same family the library defines (e.g. `GLIBCXX_3.4.30`). */
  providesUpTo: string | null;
  advice: string;
}

/**
 * The scan's version refusals (what the loader found while mapping the closures: DT_VERNEED
 * against the found library's DT_VERDEF) as problems, one per object and library, with the
 * highest version of the family the library does define (`definitions`: each refusing library's
 * DT_VERDEF, as the scan read it). Nothing is read from disk here.
 */
export function versionProblemsFromScan(
  refusals: readonly VersionRefusal[],
  definitions: ReadonlyMap<string, readonly string[]>,
): VersionProblem[] {
  const grouped = new Map<string, { neededBy: string; soname: string; library: string; versions: Set<string> }>();
  for (const r of refusals) {
    const key = `${r.neededBy}\u0000${r.soname}\u0000${r.library}`;
    let g = grouped.get(key);
    if (g === undefined) grouped.set(key, (g = { neededBy: r.neededBy, soname: r.soname, library: r.library, versions: new Set() }));
    g.versions.add(r.version);
  }
  const problems = [...grouped.values()].map((g): VersionProblem => {
    const missing = [...g.versions].sort(byVersion);
    const top = missing[missing.length - 1]!;
    const family = parseVersionName(top)?.family;
    return {
      neededBy: g.neededBy,
      soname: g.soname,
      libraryPath: g.library,
      missing,
      providesUpTo: family ? highestOfFamily(definitions.get(g.library) ?? [], family) : null,
      advice: versionAdvice(g.soname, top),
    };
  });
  return problems.sort((a, b) => a.neededBy.localeCompare(b.neededBy) || a.soname.localeCompare(b.soname));
}

/** Numerically within a family (GLIBCXX_3.4.9 before GLIBCXX_3.4.10), else by name. */
function byVersion(a: string, b: string): number {
  const pa = parseVersionName(a);
  const pb = parseVersionName(b);
  return pa && pb && pa.family === pb.family ? compareNumbers(pa.numbers, pb.numbers) : a.localeCompare(b);
}

/** `GLIBCXX_3.4.32 needed by X, the libstdc++.so.6 at Y provides up to GLIBCXX_3.4.30`. */
export function describeVersionProblem(p: VersionProblem): string {
  const top = p.missing[p.missing.length - 1]!;
  const upTo = p.providesUpTo ? `provides up to ${p.providesUpTo}` : `does not define ${top}`;
  return `${p.missing.join(', ')} needed by ${p.neededBy}, the ${p.soname} at ${p.libraryPath} ${upTo}`;
}
