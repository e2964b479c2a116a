/**
 * nixpkgs attribute spellings: normalising what a user wrote and deciding when one element of a
 * library list already covers a wanted attribute.
 */

/** Strips a leading `pkgs.` (as people write it in `--add pkgs.zlib`). */
export function normalizeAttr(attr: string): string {
  return attr.trim().replace(/^pkgs\./, '');
}

/**
 * gcc's runtime libraries (libstdc++, libgcc_s): makeLibraryPath takes the `lib` output, so all
 * these spellings put the same directory on the path.
 */
const GCC_LIB = new Set([
  'stdenv.cc.cc', 'stdenv.cc.cc.lib', 'gcc-unwrapped', 'gcc-unwrapped.lib', 'gcc.cc', 'gcc.cc.lib',
]);

/** Attributes whose default output is not the one holding the libraries. */
export function needsLibOutput(attr: string): boolean {
  return GCC_LIB.has(attr) && !attr.endsWith('.lib');
}

/**
 * Default equivalence under makeLibraryPath (which reads `x.lib or x.out or x`): the gcc runtime
 * spellings are one; otherwise `X` and `X.lib` are the same element.
 */
export function defaultAttrCovers(existing: string, wanted: string): boolean {
  const norm = (a: string): string => {
    const n = normalizeAttr(a);
    if (GCC_LIB.has(n)) return 'stdenv.cc.cc';
    return n.endsWith('.lib') ? n.slice(0, -4) : n;
  };
  return norm(existing) === norm(wanted);
}

/** The element for the driver directory `/run/opengl-driver/lib` (nixpkgs' addDriverRunpath). */
export const DRIVER_ATTR = 'addDriverRunpath.driverLink';
export const DRIVER_LINK = '/run/opengl-driver';
