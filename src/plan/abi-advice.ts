/**
 * The answer to a symbol-version error (``version `GLIBCXX_3.4.32' not found``), as data: which
 * library the error names, what it would take to provide the version, and the exact element to
 * write for the user's nixpkgs release. Pure: the facts come in (src/nixpkgs/toolchain.ts), the
 * release comes in (detected elsewhere; `unstable` when unknown), nothing is read here.
 */
import { compareNumbers, parseVersionName } from '../elf/version-names.js';
import {
  firstGccProviding,
  dottedNumbers,
  highestProvidedBy,
  releaseRow,
  toolchain,
  type ReleaseRow,
  type Toolchain,
} from '../nixpkgs/toolchain.js';
import { gccVersionOfPath, glibcVersionOfPath } from './error-text.js';

/** Where a library path points: nixpkgs' store, the host's own directories, a Python environment's own copy, or elsewhere. */
export type PathOrigin = 'nix-store' | 'host' | 'venv' | 'other';

const HOST_DIRS = /^\/(?:usr\/)?lib(?:32|64|x32)?\/|^\/usr\/local\/lib/;

export function pathOrigin(path: string | null): PathOrigin | null {
  if (!path || !path.startsWith('/')) return null;
  if (path.startsWith('/nix/store/')) return 'nix-store';
  if (HOST_DIRS.test(path)) return 'host';
  // A wheel's bundled copy (`site-packages/x.libs/`), a venv's or a conda environment's lib/.
  return /\/site-packages\/|\/\.?venv\/|\/(?:ana|mini)conda[0-9]*\/|\/envs\/[^/]+\/lib\//.test(path) ? 'venv' : 'other';
}

/** What a version error says: the version, and the two paths when the message gives them. */
export interface VersionError {
  version: string;
  /** The library that lacks the version, as written (path or soname), or null. */
  library: string | null;
  /** The object that needs it, or null. */
  requiredBy: string | null;
}

export interface AdviceOptions {
  /** The user's nixpkgs release (`24.05` … `unstable`); `unstable` when not detected. */
  release?: string;
  /** Attributes the Nix file's library list already has (`stdenv.cc.cc.lib`, `pkgs.zlib` …). */
  listed?: readonly string[];
  /** The facts; the shipped data/toolchain.json by default. */
  facts?: Toolchain;
}

interface Common {
  /** The version the error says is missing. */
  needed: string;
  library: string | null;
  requiredBy: string | null;
  /** The release the answer is for, and whether nixpy has facts about it. */
  release: string;
  releaseKnown: boolean;
}

/** A `GLIBCXX_*` / `CXXABI_*` (libstdc++) or `GCC_*` (libgcc_s) version: a newer gcc runtime fixes it. */
export interface GccRuntimeAdvice extends Common {
  kind: 'gcc-runtime';
  /** `libstdc++` for GLIBCXX/CXXABI, `libgcc_s` for GCC_*. */
  runtime: 'libstdc++' | 'libgcc_s';
  /** GCC version of the library the loader found, from its store path (`12.3.0`), or null. */
  loadedGcc: string | null;
  /** Where that library is: another nixpkgs, the host, or a venv / conda / home directory. */
  loadedFrom: PathOrigin | null;
  /** The highest version of the needed family that library defines, when its GCC is known. */
  loadedProvides: string | null;
  /** The first GCC release whose runtime defines the version (`13.2.0`), or null when newer than all nixpy knows. */
  firstGcc: string | null;
  /** That row of the ABI table rests on an inference, not gcc's own list. */
  indirect: boolean;
  /** GCC major of the release's `stdenv.cc.cc`, or null when not known. */
  stdenvGcc: number | null;
  /** The release's `stdenv.cc.cc.lib` provides the version (null: not known). */
  stdenvEnough: boolean | null;
  /** The attribute to put on the library path, without `pkgs.` (`gcc13.cc.lib`), or null. */
  attr: string | null;
  /** `gccN.cc.lib` for the first GCC that has it, whatever the release (null for libgcc_s or unknown). */
  firstAttr: string | null;
  /** The release is known to have that attribute (null: not established). */
  attrInRelease: boolean | null;
  /** The listed element it replaces (`stdenv.cc.cc.lib`), as listed, or null. */
  replaces: string | null;
  /** The library list already has `attr`: what the loader found comes from elsewhere (an earlier path entry, another nixpkgs). */
  alreadyListed: boolean;
  /** The element to write in the library list: `pkgs.gcc13.cc.lib`. */
  write: string | null;
  /** The first release whose `stdenv.cc.cc.lib` provides it (an alternative: update nixpkgs). */
  newerRelease: string | null;
}

/** A `GLIBC_2.x` version: glibc comes with the interpreter; only a newer nixpkgs (or an older build) helps. */
export interface GlibcAdvice extends Common {
  kind: 'glibc';
  /** The glibc release the version first appears in (`GLIBC_2.38` -> `2.38`). */
  neededGlibc: string;
  /** glibc version of the library the loader found, from its store path (`2.37`), or null. */
  loadedGlibc: string | null;
  /** The needing object is itself in the Nix store: two nixpkgs revisions are mixed on the library path. */
  mixedNixpkgs: boolean;
  /** Where the needing object is (a host library leaking in through LD_LIBRARY_PATH is `host`). */
  requiredByFrom: PathOrigin | null;
  /** glibc of the release, and whether it is new enough (null: not known). */
  releaseGlibc: string | null;
  releaseEnough: boolean | null;
  /** The first release after the user's whose glibc defines the version, and its glibc; null when not known. */
  newerRelease: string | null;
  newerReleaseGlibc: string | null;
  /** The first release in nixpy's table whose glibc defines it, whatever the user's release. */
  firstRelease: string | null;
  firstReleaseGlibc: string | null;
}

/** Any other family (`OPENSSL_3.2.0`, `VERS_2.0`): a newer build of that library. */
export interface OtherAdvice extends Common {
  kind: 'other';
}

export type AbiAdvice = GccRuntimeAdvice | GlibcAdvice | OtherAdvice;

const DEFAULT_RELEASE = 'unstable';

/** Elements that put gcc's runtime (libstdc++, libgcc_s) on the path, `pkgs.` optional. */
const GCC_RUNTIME_ATTR = /^(?:pkgs\.)?(?:stdenv\.cc\.cc(?:\.lib)?|gcc[0-9]*\.cc(?:\.lib)?|gcc-unwrapped(?:\.lib)?|libgcc)$/;

function common(e: VersionError, release: string, known: boolean): Common {
  return { needed: e.version, library: e.library, requiredBy: e.requiredBy, release, releaseKnown: known };
}

export function abiAdvice(e: VersionError, o: AdviceOptions = {}): AbiAdvice {
  const facts = o.facts ?? toolchain();
  const release = o.release ?? DEFAULT_RELEASE;
  const known = releaseRow(facts, release) !== null;
  const family = parseVersionName(e.version)?.family;
  if (family === 'GLIBCXX' || family === 'CXXABI' || family === 'GCC') {
    return gccRuntimeAdvice(e, facts, release, o.listed ?? [], common(e, release, known));
  }
  if (family === 'GLIBC') return glibcAdvice(e, facts, release, common(e, release, known));
  return { kind: 'other', ...common(e, release, known) };
}

/** First GCC for a version: libstdc++'s from gcc's ABI table; libgcc_s's `GCC_X.Y.Z` is named for GCC X.Y.Z itself. */
function firstGccFor(facts: Toolchain, version: string): { gcc: string; indirect: boolean } | null {
  const p = parseVersionName(version)!;
  // libgcc's labels are GCC_<major>.0.0 for GCC 7 on (GCC_7.0.0 … GCC_14.0.0), GCC_x.y.z before.
  if (p.family === 'GCC') return { gcc: p.numbers[0]! >= 7 ? String(p.numbers[0]) : p.numbers.join('.'), indirect: false };
  const row = firstGccProviding(facts, version);
  return row ? { gcc: row.gcc, indirect: row.indirect } : null;
}

/** What to put on the library path: stdenv's lib when its gcc is new enough, else the first `gccN` that is. */
function pickAttr(runtime: 'libstdc++' | 'libgcc_s', major: number | null, row: ReleaseRow | null) {
  const stdenvGcc = row?.stdenvGcc ?? null;
  const stdenvEnough = major !== null && stdenvGcc !== null ? stdenvGcc >= major : null;
  // The smallest `gccN` the release is known to have that is new enough.
  const knownMajor = major === null ? null : (row?.gccAttrs.filter((m) => m >= major).sort((a, b) => a - b)[0] ?? null);
  const attrMajor = knownMajor ?? major;
  // libgcc_s.so.1 is not gcc's on NixOS: nixpkgs' glibc copies it into its own lib directory (see
  // src/loader/nixos-glibc.ts), which the interpreter's RUNPATH finds. nixpy names no attribute
  // for it; a nixpkgs whose stdenv gcc is new enough (newerRelease) brings a newer one.
  if (runtime === 'libgcc_s' || major === null) {
    return { stdenvGcc, stdenvEnough, attr: null, attrInRelease: null, firstAttr: null };
  }
  const attr = stdenvEnough ? 'stdenv.cc.cc.lib' : `gcc${attrMajor}.cc.lib`;
  const attrInRelease = stdenvEnough || knownMajor !== null ? true : null;
  return { stdenvGcc, stdenvEnough, attr, attrInRelease, firstAttr: `gcc${major}.cc.lib` };
}

/** How `attr` relates to the elements already listed: there already, or replacing an older runtime. */
function listedRelation(attr: string | null, listed: readonly string[]): { alreadyListed: boolean; replaces: string | null } {
  const bare = (l: string): string => l.replace(/^pkgs\./, '');
  if (attr === null) return { alreadyListed: false, replaces: null };
  return {
    alreadyListed: listed.some((l) => bare(l) === attr),
    replaces: listed.find((l) => GCC_RUNTIME_ATTR.test(l) && bare(l) !== attr) ?? null,
  };
}

function gccRuntimeAdvice(e: VersionError, facts: Toolchain, release: string, listed: readonly string[], c: Common): GccRuntimeAdvice {
  const family = parseVersionName(e.version)!.family;
  const runtime = family === 'GCC' ? 'libgcc_s' : 'libstdc++';
  const loadedGcc = gccVersionOfPath(e.library);
  const first = firstGccFor(facts, e.version);
  const major = first ? dottedNumbers(first.gcc)[0]! : null;
  const pick = pickAttr(runtime, major, releaseRow(facts, release));
  const newerRelease =
    major === null || pick.stdenvEnough ? null : (laterReleases(facts, release).find((r) => (r.stdenvGcc ?? 0) >= major)?.release ?? null);
  return {
    kind: 'gcc-runtime',
    ...c,
    runtime,
    loadedGcc,
    loadedFrom: pathOrigin(e.library),
    loadedProvides: loadedGcc && runtime === 'libstdc++' ? highestProvidedBy(facts, loadedGcc, family) : null,
    firstGcc: first?.gcc ?? null,
    indirect: first?.indirect ?? false,
    ...pick,
    ...listedRelation(pick.attr, listed),
    write: pick.attr ? `pkgs.${pick.attr}` : null,
    newerRelease,
  };
}

/** Releases after `release` in the table's order (all of them when `release` is not in it). */
function laterReleases(facts: Toolchain, release: string): Toolchain['releases'] {
  const i = facts.releases.findIndex((r) => r.release === release);
  return facts.releases.slice(i + 1);
}

function glibcAdvice(e: VersionError, facts: Toolchain, release: string, c: Common): GlibcAdvice {
  // glibc names each version node after the release that introduced it (glibc's Versions files:
  // GLIBC_2.38 is first defined by glibc 2.38), so the release needed is the version's x.y.
  const n = parseVersionName(e.version)!.numbers;
  const neededGlibc = `${n[0] ?? 2}.${n[1] ?? 0}`;
  const atLeast = (have: string): boolean => compareNumbers(dottedNumbers(have), dottedNumbers(neededGlibc)) >= 0;
  const releaseGlibc = releaseRow(facts, release)?.glibc ?? null;
  const releaseEnough = releaseGlibc === null ? null : atLeast(releaseGlibc);
  const newer = releaseEnough ? null : (laterReleases(facts, release).find((r) => r.glibc !== null && atLeast(r.glibc)) ?? null);
  const first = facts.releases.find((r) => r.glibc !== null && atLeast(r.glibc)) ?? null;
  return {
    kind: 'glibc',
    ...c,
    neededGlibc,
    loadedGlibc: glibcVersionOfPath(e.library),
    mixedNixpkgs: pathOrigin(e.requiredBy) === 'nix-store',
    requiredByFrom: pathOrigin(e.requiredBy),
    releaseGlibc,
    releaseEnough,
    newerRelease: newer?.release ?? null,
    newerReleaseGlibc: newer?.glibc ?? null,
    firstRelease: first?.release ?? null,
    firstReleaseGlibc: first?.glibc ?? null,
  };
}
