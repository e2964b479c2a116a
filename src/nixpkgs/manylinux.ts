/**
 * What nixpkgs' manylinux bundles put on a library path, so a file that already lists
 * `pkgs.pythonManylinuxPackages.manylinux2014` gets none of it again.
 *
 * Evidence: NixOS/nixpkgs pkgs/development/interpreters/python/manylinux/default.nix at commit
 * c091be90572eabf3e9ce5087bf3fea3f4ded2942: `manylinux2014Libs` maps the PEP 599 sonames to
 * glibc (libgcc_s, libm, libdl, librt, libc, libnsl, libutil, libpthread, libresolv),
 * stdenv.cc.cc (libstdc++), xorg.libX11, xorg.libXext, xorg.libXrender, xorg.libICE, xorg.libSM,
 * libGL and glib (libgobject, libgthread, libglib); `manylinux2010Libs = manylinux2014Libs`;
 * `manylinux1Libs` adds ncurses5 (libpanelw, libncursesw) and libxcrypt (libcrypt.so.1). Each
 * list is `lib.unique (lib.attrValues (getLibOutputs …))`: the `lib` output where there is one.
 * zlib and expat are not in them.
 */
const MANYLINUX2014: readonly string[] = [
  'glibc', 'stdenv.cc.cc', 'xorg.libX11', 'xorg.libXext', 'xorg.libXrender', 'xorg.libICE', 'xorg.libSM', 'libGL', 'glib',
];

const BUNDLES: ReadonlyMap<string, readonly string[]> = new Map([
  ['pythonManylinuxPackages.manylinux2014', MANYLINUX2014],
  ['pythonManylinuxPackages.manylinux2010', MANYLINUX2014],
  ['pythonManylinuxPackages.manylinux1', [...MANYLINUX2014, 'ncurses5', 'libxcrypt']],
]);

/** The attributes a nixpkgs list attribute (`pythonManylinuxPackages.manylinux2014`) holds, if known. */
export function bundleContents(attr: string): readonly string[] | undefined {
  return BUNDLES.get(attr);
}
