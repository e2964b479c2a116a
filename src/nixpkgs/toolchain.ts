/**
 * Toolchain facts nixpy answers symbol-version errors with: which libstdc++ symbol versions each
 * GCC release defines, and which GCC / glibc each nixpkgs release gives. Kept as two readable
 * tables with their evidence (src/nixpkgs/data/libstdcxx-abi.tsv, nixpkgs-releases.tsv), compiled
 * into data/toolchain.json (src/nixpkgs/generate.ts), the file the package ships.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { compareNumbers, parseVersionName } from '../elf/version-names.js';
import { tsvRows } from './tsv.js';

/** One GCC release's libstdc++: the highest version of each family it defines. */
export interface AbiRow {
  /** `13.2.0`. */
  gcc: string;
  glibcxx: string;
  /** Null when no primary source gave it. */
  cxxabi: string | null;
  /** The row rests on an inference, not on gcc's own ABI list (see the table's header). */
  indirect: boolean;
}

/** One nixpkgs release (`24.11`, ..., `unstable`). Null fields: not established. */
export interface ReleaseRow {
  release: string;
  /** GCC major of `stdenv.cc.cc`. */
  stdenvGcc: number | null;
  /** GCC majors known to exist as `gccN` attributes. */
  gccAttrs: number[];
  glibc: string | null;
  evidence: string[];
}

export interface Toolchain {
  format: 1;
  abi: AbiRow[];
  releases: ReleaseRow[];
}

const GCC_VERSION = /^[0-9]+\.[0-9]+\.[0-9]+$/;
const RELEASE = /^(?:[0-9]{2}\.(?:05|11)|unstable)$/;

function versionOf(family: string, name: string, where: string): string {
  const p = parseVersionName(name);
  if (!p || p.family !== family) throw new Error(`${where}: bad ${family} version ${JSON.stringify(name)}`);
  return name;
}

export function parseAbiTable(tsv: string): AbiRow[] {
  const rows = tsvRows(tsv, 'libstdcxx-abi.tsv', 4).map(({ cols, where }) => {
    const [gcc, glibcxx, cxxabi, evidence] = cols as [string, string, string, string];
    if (!GCC_VERSION.test(gcc)) throw new Error(`${where}: bad gcc version ${JSON.stringify(gcc)}`);
    if (evidence === '' || evidence === '-') throw new Error(`${where}: a row needs its evidence`);
    return {
      gcc,
      glibcxx: versionOf('GLIBCXX', glibcxx, where),
      cxxabi: cxxabi === '-' ? null : versionOf('CXXABI', cxxabi, where),
      indirect: evidence === 'indirect',
    };
  });
  // Later releases define every earlier version (libstdc++'s versions are cumulative): the table
  // must grow monotonically, or a lookup by "first release that provides" would be wrong.
  for (let i = 1; i < rows.length; i++) {
    const a = rows[i - 1]!;
    const b = rows[i]!;
    if (compareNumbers(dottedNumbers(a.gcc), dottedNumbers(b.gcc)) >= 0) throw new Error(`libstdcxx-abi.tsv: ${b.gcc} out of order`);
    if (compareNumbers(parseVersionName(a.glibcxx)!.numbers, parseVersionName(b.glibcxx)!.numbers) > 0) {
      throw new Error(`libstdcxx-abi.tsv: ${b.gcc} has a lower GLIBCXX than ${a.gcc}`);
    }
  }
  return rows;
}

export function parseReleaseTable(tsv: string): ReleaseRow[] {
  return tsvRows(tsv, 'nixpkgs-releases.tsv', 5).map(({ cols, where }) => {
    const [release, stdenvGcc, attrs, glibc, evidence] = cols as [string, string, string, string, string];
    if (!RELEASE.test(release)) throw new Error(`${where}: bad release ${JSON.stringify(release)}`);
    const major = (s: string): number => {
      if (!/^[0-9]+$/.test(s)) throw new Error(`${where}: bad gcc major ${JSON.stringify(s)}`);
      return Number(s);
    };
    if (glibc !== '-' && !/^2\.[0-9]+$/.test(glibc)) throw new Error(`${where}: bad glibc ${JSON.stringify(glibc)}`);
    const facts = stdenvGcc !== '-' || attrs !== '-' || glibc !== '-';
    if (facts && evidence === '-') throw new Error(`${where}: a fact needs its evidence`);
    const row: ReleaseRow = {
      release,
      stdenvGcc: stdenvGcc === '-' ? null : major(stdenvGcc),
      gccAttrs: attrs === '-' ? [] : attrs.split(',').map(major),
      glibc: glibc === '-' ? null : glibc,
      evidence: evidence === '-' ? [] : evidence.split(','),
    };
    if (row.stdenvGcc !== null && !row.gccAttrs.includes(row.stdenvGcc)) {
      throw new Error(`${where}: the stdenv gcc must be among the gcc attributes`);
    }
    return row;
  });
}

/** `13.2.0` -> [13, 2, 0] (a GCC or glibc release). */
export function dottedNumbers(version: string): number[] {
  return version.split('.').map(Number);
}

export function compileToolchain(abiTsv: string, releasesTsv: string): Toolchain {
  return { format: 1, abi: parseAbiTable(abiTsv), releases: parseReleaseTable(releasesTsv) };
}

/** data/ sits two levels above both src/nixpkgs/ (tests) and dist/nixpkgs/ (installed package). */
export const TOOLCHAIN_PATH = fileURLToPath(new URL('../../data/toolchain.json', import.meta.url));

let cached: Toolchain | null = null;

/** The toolchain facts shipped with the package, read once on first use. */
export function toolchain(): Toolchain {
  if (cached === null) cached = JSON.parse(readFileSync(TOOLCHAIN_PATH, 'utf8')) as Toolchain;
  return cached;
}

/** The column of an ABI row that holds `family`'s highest version (libstdc++'s two families). */
function familyValue(row: AbiRow, family: string): string | null {
  if (family === 'GLIBCXX') return row.glibcxx;
  if (family === 'CXXABI') return row.cxxabi;
  return null;
}

/**
 * The first GCC release whose libstdc++ defines `version` (`GLIBCXX_3.4.32` -> 13.2.0), or null
 * when the version is newer than every row, or not a libstdc++ family. Versions are cumulative
 * (abi.xml: "the later release has both versions"), so "defines" is "highest >= version".
 */
export function firstGccProviding(facts: Toolchain, version: string): AbiRow | null {
  const need = parseVersionName(version);
  if (!need) return null;
  for (const row of facts.abi) {
    const have = familyValue(row, need.family);
    if (have !== null && compareNumbers(parseVersionName(have)!.numbers, need.numbers) >= 0) return row;
  }
  return null;
}

/** The highest `family` version the libstdc++ of GCC `gccVersion` defines (rows are cumulative). */
export function highestProvidedBy(facts: Toolchain, gccVersion: string, family: string): string | null {
  let best: string | null = null;
  for (const row of facts.abi) {
    if (compareNumbers(dottedNumbers(row.gcc), dottedNumbers(gccVersion)) > 0) break;
    best = familyValue(row, family) ?? best;
  }
  return best;
}

export function releaseRow(facts: Toolchain, release: string): ReleaseRow | null {
  return facts.releases.find((r) => r.release === release) ?? null;
}
