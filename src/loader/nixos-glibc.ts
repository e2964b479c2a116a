/**
 * Sonames in the lib directory of nixpkgs' glibc for x86_64-linux, i.e. what the NixOS loader's
 * built-in default path provides. Checked against nixpkgs pkgs/development/libraries/glibc
 * (glibc 2.42; common.nix configure flags, default.nix install steps) and against the file list
 * of Debian's libc6 2.36, which is built from the same upstream sources:
 * - nixpkgs' preInstall copies gcc's libgcc_s.so.1 into glibc's lib directory;
 * - no libcrypt (glibc >= 2.38 no longer builds it by default; libxcrypt provides it);
 * - libnsl.so.1 is still built (as a compat shared library, without --enable-obsolete-nsl);
 * - the NIS/NIS+ NSS modules are gone from glibc since 2.28;
 * - libmemusage.so and libpcprofile.so are preload helpers shipped under those names.
 */
export const NIXOS_GLIBC_X86_64_SONAMES: ReadonlySet<string> = new Set([
  'libc.so.6',
  'libm.so.6',
  'libdl.so.2',
  'libpthread.so.0',
  'librt.so.1',
  'libresolv.so.2',
  'libutil.so.1',
  'libanl.so.1',
  'libmvec.so.1',
  'libnsl.so.1',
  'libBrokenLocale.so.1',
  'libthread_db.so.1',
  'libc_malloc_debug.so.0',
  'libmemusage.so',
  'libpcprofile.so',
  'libnss_files.so.2',
  'libnss_dns.so.2',
  'libnss_compat.so.2',
  'libnss_db.so.2',
  'libnss_hesiod.so.2',
  'libgcc_s.so.1',
  'ld-linux-x86-64.so.2',
]);

/**
 * Every soname that belongs to glibc in nixpkgs, whatever the architecture: the x86_64 set plus
 * the dynamic loaders of the other common platforms (glibc's lib directory on aarch64-linux and
 * i686-linux holds those instead of ld-linux-x86-64.so.2). Classification uses this set; the
 * `nixos` loader environment (x86-64) uses NIXOS_GLIBC_X86_64_SONAMES.
 */
export const NIXOS_GLIBC_SONAMES: ReadonlySet<string> = new Set([
  ...NIXOS_GLIBC_X86_64_SONAMES,
  'ld-linux-aarch64.so.1',
  'ld-linux.so.2',
]);
