import { compareNumbers, parseVersionName } from '../elf/version-names.js';
import type { Release } from '../nixpkgs/releases.js';
import { abiAdvice } from './abi-advice.js';
import { abiVerdict } from './abi-verdict.js';
import { highestOfFamily, type VersionProblem } from './symbol-versions.js';

/**
 * Objects that need a newer glibc than the user's nixpkgs ships. Under the NixOS model the
 * interpreter loads nixpkgs' glibc whatever the library path, so no attribute fixes such an
 * object: only another nixpkgs release (or an older build of the wheel). glibc names each
 * version node after the release that introduced it (GLIBC_2.41 is first defined by glibc
 * 2.41), so the node an object asks for is the glibc it needs. Nothing is said where the
 * release's glibc is not established (the toolchain table says so).
 */
export interface GlibcNeed {
  /** Venv-relative path of the object. */
  path: string;
  /** The highest GLIBC_2.x its DT_VERNEED asks for (weak needs left out), or null. */
  glibc: string | null;
}

/** One problem per GLIBC version too new, naming the first object (sorted) and how many more. */
export function glibcFloorProblems(objects: readonly GlibcNeed[], release: Release): VersionProblem[] {
  const byVersion = new Map<string, string[]>();
  for (const o of objects) {
    if (o.glibc !== null) byVersion.set(o.glibc, [...(byVersion.get(o.glibc) ?? []), o.path]);
  }
  const out: VersionProblem[] = [];
  for (const [version, paths] of byVersion) {
    const advice = abiAdvice({ version, library: 'libc.so.6', requiredBy: null }, { release });
    if (advice.kind !== 'glibc' || advice.releaseEnough !== false) continue;
    const sorted = [...paths].sort();
    const more = sorted.length > 1 ? ` (and ${sorted.length - 1} more objects)` : '';
    out.push({
      neededBy: sorted[0]! + more,
      soname: 'libc.so.6',
      libraryPath: `nixpkgs ${release}'s glibc ${advice.releaseGlibc}`,
      missing: [version],
      providesUpTo: `GLIBC_${advice.releaseGlibc}`,
      advice: abiVerdict(advice, 'libc.so.6'),
    });
  }
  return out.sort((a, b) => compareNumbers(numbersOf(b.missing[0]!), numbersOf(a.missing[0]!)));
}

/** The highest GLIBC_2.x among version names, or null. */
export function highestGlibc(versions: Iterable<string>): string | null {
  return highestOfFamily([...versions], 'GLIBC');
}

function numbersOf(version: string): readonly number[] {
  return parseVersionName(version)?.numbers ?? [];
}
