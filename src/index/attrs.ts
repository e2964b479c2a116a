import { embeddedIndex } from './embedded.js';

/**
 * Attribute equivalence for makeLibraryPath purposes. `lib.makeLibraryPath` takes `lib.getLib`
 * of each element, so `foo`, `foo.lib` and `foo.out` put the same directory on the path when the
 * library lives in that output; and several attribute paths name the same derivation.
 */
const SAME_DERIVATION: readonly (readonly string[])[] = [
  ['stdenv.cc.cc', 'gcc-unwrapped', 'gcc.cc', 'stdenv.cc.cc.lib', 'gcc-unwrapped.lib', 'gcc.cc.lib'],
  ['gfortran.cc', 'gfortran.cc.lib'],
  ['libGL', 'libglvnd', 'libGLX'],
  ['libGLU', 'mesa_glu', 'mesa-glu'],
  ['libglut', 'freeglut'],
  ['alsa-lib', 'alsaLib'],
  ['at-spi2-core', 'atk', 'at-spi2-atk'],
  ['openal', 'openalSoft'],
  ['SDL2', 'sdl2-compat'],
  ['sdl3', 'SDL3'],
  ['libjpeg', 'libjpeg_turbo', 'libjpeg-turbo'],
  ['unixODBC', 'unixodbc'],
  ['libuuid', 'util-linux.lib', 'util-linuxMinimal'],
  ['json_c', 'json-c'],
  ['mpi', 'openmpi'],
  ['tbb', 'onetbb'],
  ['udev', 'systemdLibs'],
  ['cudaPackages.cuda_cudart', 'cudaPackages_12.cuda_cudart'],
];

/** Strips a trailing `.lib`/`.out` output selector: getLib makes them equivalent to the bare attr. */
export function baseAttr(attr: string): string {
  const a = attr.replace(/^pkgs\./, '');
  return a.replace(/\.(lib|out)$/, '');
}

let groups: Map<string, number> | null = null;

function groupOf(attr: string): number | undefined {
  if (groups === null) {
    groups = new Map();
    SAME_DERIVATION.forEach((g, i) => g.forEach((a) => groups!.set(baseAttr(a), i)));
  }
  return groups.get(baseAttr(attr));
}

/** True when two attribute paths put the same library directory on a makeLibraryPath. */
export function sameLibrary(a: string, b: string): boolean {
  if (baseAttr(a) === baseAttr(b)) return true;
  // xorg.libX11 and libx11 are the same package since the 2025 xorg move (the old names remain
  // aliases inside the xorg set); a case-insensitive match on the last component covers them.
  const lastA = baseAttr(a).replace(/^xorg\./, '');
  const lastB = baseAttr(b).replace(/^xorg\./, '');
  if ((a.startsWith('xorg.') || b.startsWith('xorg.')) && lastA.toLowerCase() === lastB.toLowerCase()) return true;
  const ga = groupOf(a);
  return ga !== undefined && ga === groupOf(b);
}

/**
 * Does an attribute already in the user's file (`existing`) cover the one nixpy wants (`wanted`)?
 * Also true when `existing` is a curated alternative for a soname whose pick is `wanted` (e.g. an
 * old spelling such as `xorg.libXScrnSaver` for `libxscrnsaver`).
 */
export function attrCovers(existing: string, wanted: string, soname?: string): boolean {
  if (sameLibrary(existing, wanted)) return true;
  const index = embeddedIndex();
  if (soname !== undefined) {
    const e = index.get(soname);
    if (e !== undefined && [e.attr, ...e.alternatives].some((a) => sameLibrary(a, existing))) {
      return [e.attr, ...e.alternatives].some((a) => sameLibrary(a, wanted));
    }
    return false;
  }
  // Without a soname: an alternative spelling of `wanted` in any curated entry counts.
  for (const e of index.values()) {
    if (sameLibrary(e.attr, wanted) && e.alternatives.some((a) => sameLibrary(a, existing))) return true;
  }
  return false;
}

/** Alias kept for callers that prefer the name in the brief. */
export const equivalentAttrs = sameLibrary;
