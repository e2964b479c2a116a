import { embeddedIndex } from './embedded.js';
import { samePackage, spellingTable } from './spelling.js';

/**
 * The one home of nixpkgs attribute vocabulary: how an attribute path is spelled and validated,
 * which spellings put the same library directory on a `lib.makeLibraryPath` list, and the
 * element that stands for the GPU driver directory. The Nix patcher, the resolver, the config
 * reader and the CLI all ask here.
 */

export { ATTR_PATH_RE, baseAttr, normalizeAttr } from './attrs-syntax.js';
import { ATTR_PATH_RE, baseAttr, normalizeAttr } from './attrs-syntax.js';


/** The normalised attribute path, or null when `raw` is not one. */
export function parseAttrPath(raw: string): string | null {
  const a = normalizeAttr(raw);
  return ATTR_PATH_RE.test(a) ? a : null;
}

/**
 * The element for the driver directory `/run/opengl-driver/lib`: nixpkgs' `addDriverRunpath`
 * (formerly addOpenGLRunpath) has `driverLink = "/run/opengl-driver"`. makeLibraryPath appends
 * `/lib` itself, so the element never carries it.
 */
export const DRIVER_ELEMENT = 'addDriverRunpath.driverLink';
export const DRIVER_LINK = '/run/opengl-driver';
export const DRIVER_LIB_DIR = `${DRIVER_LINK}/lib`;

/**
 * gcc's runtime libraries (libstdc++, libgcc_s): makeLibraryPath takes the `lib` output, so all
 * these spellings put the same directory on the path.
 */
const GCC_LIB = ['stdenv.cc.cc', 'gcc-unwrapped', 'gcc.cc', 'stdenv.cc.cc.lib', 'gcc-unwrapped.lib', 'gcc.cc.lib'];

/**
 * Attributes whose default output is not the one holding the libraries: written into a plain
 * string (`"${pkgs.X}/lib"`) they need `.lib`; makeLibraryPath's getLib picks it by itself.
 */
function needsLibOutput(attr: string): boolean {
  return GCC_LIB.includes(attr) && !attr.endsWith('.lib');
}

/**
 * Attribute paths that name the same derivation (aliases, renames), so each puts the same
 * directory on a makeLibraryPath list.
 */
const SAME_DERIVATION: readonly (readonly string[])[] = [
  GCC_LIB,
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
  ['libuuid', 'util-linux.lib', 'util-linuxMinimal'],
  ['json_c', 'json-c'],
  ['mpi', 'openmpi'],
  ['udev', 'systemdLibs'],
  ['cudaPackages.cuda_cudart', 'cudaPackages_12.cuda_cudart'],
];


let groups: Map<string, number> | null = null;

function groupOf(attr: string): number | undefined {
  if (groups === null) {
    const g = new Map<string, number>();
    SAME_DERIVATION.forEach((names, i) => names.forEach((a) => g.set(baseAttr(a), i)));
    groups = g;
  }
  return groups.get(baseAttr(attr));
}

/**
 * True when two attribute paths put the same library directory on a makeLibraryPath: the same
 * path up to the output selector, aliases of one derivation, or two spellings the rename table
 * (data/renames.json) lists for one package on any release (`xorg.libX11` and `libx11`), so a
 * file that already has an old spelling is covered.
 */
export function sameLibrary(a: string, b: string): boolean {
  if (baseAttr(a) === baseAttr(b)) return true;
  if (samePackage(spellingTable(), baseAttr(a), baseAttr(b))) return true;
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
  if (existing === DRIVER_ELEMENT || wanted === DRIVER_ELEMENT) return false;
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

/**
 * The output that holds an attribute's libraries, from the curated index (`lib` for gcc's
 * runtime, `out` for most): what `lib.getLib` selects, so `"${pkgs.X.<output>}/lib"` names the
 * same directory without needing `lib`. Undefined when the index does not know the attribute.
 */
export function libraryOutput(attr: string): 'lib' | 'out' | undefined {
  const base = baseAttr(attr);
  if (needsLibOutput(base)) return 'lib';
  for (const e of embeddedIndex().values()) {
    if (baseAttr(e.attr) === base) return e.output === 'lib' ? 'lib' : 'out';
  }
  return undefined;
}
