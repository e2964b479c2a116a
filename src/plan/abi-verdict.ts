/**
 * The one-sentence verdict for a symbol-version error, written from `abiAdvice`'s data: what the
 * loaded library has, what is needed, and the exact element to write (or the nixpkgs to move to).
 * Kept apart from abi-advice.ts so the facts stay data and the wording has one home.
 */
import type { AbiAdvice, GccRuntimeAdvice, GlibcAdvice } from './abi-advice.js';

const code = (s: string): string => `\`${s}\``;

function loadedPart(a: GccRuntimeAdvice): string {
  const lib = a.runtime === 'libstdc++' ? 'libstdc++.so.6' : 'libgcc_s.so.1';
  if (a.loadedGcc) {
    return `the ${lib} loaded is gcc ${a.loadedGcc}'s (its store path)${a.loadedProvides ? `, which stops at ${a.loadedProvides}` : ''}`;
  }
  if (a.loadedFrom === 'host') return `the ${lib} loaded is the host's (${a.library})`;
  if (a.loadedFrom === 'venv') return `the ${lib} loaded is the Python environment's own copy (${a.library})`;
  if (a.loadedFrom === 'other') return `the ${lib} loaded is a private copy (${a.library})`;
  return `the ${lib} loaded lacks it`;
}

/** Where the older copy the loader found comes from, when its path tells. */
function culprit(a: GccRuntimeAdvice): string {
  switch (a.loadedFrom) {
    case 'nix-store':
      return `another nixpkgs (gcc ${a.loadedGcc ?? '?'}) comes first on the library path (a second flake input, a stale LD_LIBRARY_PATH)`;
    case 'host':
      return 'a host library directory comes first on the library path (LD_LIBRARY_PATH)';
    case 'venv':
      // glibc searches DT_RPATH (when there is no DT_RUNPATH), then LD_LIBRARY_PATH, then DT_RUNPATH.
      return 'the copy a wheel or the environment ships is found first (a newer build of it fixes that too; LD_LIBRARY_PATH wins over a RUNPATH, not over an RPATH)';
    case 'other':
      return 'a private copy comes first on the library path';
    default:
      return 'an older libstdc++ comes first (another nixpkgs input, a stale LD_LIBRARY_PATH, or the venv)';
  }
}

function neededPart(a: GccRuntimeAdvice): string {
  if (!a.firstGcc) return `${a.needed} is newer than any GCC release nixpy knows`;
  return `${a.needed} first ships with GCC ${a.firstGcc}${a.indirect ? ' (inferred, see libstdcxx-abi.tsv)' : ''}`;
}

function gccAction(a: GccRuntimeAdvice): string {
  const nixpkgs = `nixpkgs ${a.release}`;
  const orNewer = a.newerRelease ? `, or move to nixpkgs ${a.newerRelease}, whose ${code('stdenv.cc.cc.lib')} has it` : '';
  if (a.runtime === 'libgcc_s') {
    // NixOS takes libgcc_s.so.1 from glibc's directory (nixpkgs copies gcc's there).
    return a.newerRelease
      ? `on NixOS libgcc_s.so.1 comes with nixpkgs' glibc: move to nixpkgs ${a.newerRelease}, whose gcc is new enough`
      : `on NixOS libgcc_s.so.1 comes with nixpkgs' glibc: a nixpkgs whose gcc is ${a.firstGcc ?? 'newer'} or newer brings it`;
  }
  if (!a.write) return `put the newest ${code('pkgs.gccN.cc.lib')} your nixpkgs has first in the library list`;
  if (a.stdenvEnough && a.alreadyListed) {
    return `${nixpkgs}'s ${code(a.write)} (gcc ${a.stdenvGcc}) has it and the library list has it, so ${culprit(a)}: put ${code(a.write)} first`;
  }
  if (a.stdenvEnough) {
    // The loaded copy is an older nixpkgs' gcc: the user's nixpkgs may be older than assumed.
    const older =
      a.loadedGcc && a.firstAttr && a.stdenvGcc !== null && Number(a.loadedGcc.split('.')[0]) < a.stdenvGcc
        ? `; with an older nixpkgs, like the one gcc ${a.loadedGcc} came from, ${code(`pkgs.${a.firstAttr}`)}`
        : '';
    return `write ${code(a.write)} in the library list (gcc ${a.stdenvGcc} on ${nixpkgs})${a.replaces ? ` in place of ${code(a.replaces)}` : ''}${older}`;
  }
  const why =
    a.stdenvEnough === false
      ? ` (${nixpkgs}'s ${code('stdenv.cc.cc.lib')} is gcc ${a.stdenvGcc}, too old)`
      : a.releaseKnown
        ? ''
        : ` (nixpy knows nothing of nixpkgs ${a.release})`;
  const unsure = a.attrInRelease === null && a.releaseKnown ? `, if ${nixpkgs} has it` : '';
  const verb = a.replaces ? `replace ${code(a.replaces)} with ${code(a.write)}` : `write ${code(a.write)} first in the library list`;
  return `${verb}${why}${unsure}${orNewer}`;
}

function glibcVerdict(a: GlibcAdvice): string {
  const loaded = a.loadedGlibc ? `the libc loaded is glibc ${a.loadedGlibc} (its store path)` : 'the libc loaded is older';
  const head = `${a.needed} first ships with glibc ${a.neededGlibc}; ${loaded}. glibc comes with the program that loads it and cannot be swapped on the library path: `;
  const needer = code(a.requiredBy ?? '');
  if (a.mixedNixpkgs) return `${head}${needer} is from a newer nixpkgs than that program; take both from one nixpkgs (one flake input).`;
  if (a.requiredByFrom === 'host') return `${head}${needer} is the host's, built for the host's newer glibc; keep host library directories off LD_LIBRARY_PATH.`;
  if (a.releaseEnough && a.releaseGlibc) {
    return `${head}nixpkgs ${a.release} has glibc ${a.releaseGlibc}, so the program comes from an older nixpkgs: use ${a.release}'s (its \`pkgs.python3\`), or a wheel built for an older manylinux.`;
  }
  const where = a.newerRelease
    ? ` (nixpkgs ${a.newerRelease} has glibc ${a.newerReleaseGlibc})`
    : a.firstRelease && a.releaseEnough === null
      ? ` (nixpkgs ${a.firstRelease} and later: glibc ${a.firstReleaseGlibc} or newer)`
      : '';
  return `${head}use a Python from a nixpkgs whose glibc is ${a.neededGlibc} or newer${where}, or a wheel built for an older manylinux.`;
}

/** The sentence for a version finding's focus entry. */
export function abiVerdict(a: AbiAdvice, soname: string): string {
  switch (a.kind) {
    case 'gcc-runtime':
      return `${neededPart(a)}; ${loadedPart(a)}: ${gccAction(a)}.`;
    case 'glibc':
      return glibcVerdict(a);
    case 'other':
      return `${soname} lacks ${a.needed}: use a newer build of the package that ships it (update nixpkgs, or pick a newer attribute for it).`;
  }
}
