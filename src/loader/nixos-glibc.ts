/**
 * The libraries in the lib directory of nixpkgs' glibc for x86_64-linux, i.e. what the NixOS
 * loader's built-in default path provides, each with its DT_NEEDED list in file order.
 *
 * The set was checked against nixpkgs pkgs/development/libraries/glibc (glibc 2.42; common.nix
 * configure flags, default.nix install steps) and against the file list of Debian's libc6 2.36,
 * which is built from the same upstream sources:
 * - nixpkgs' preInstall copies gcc's libgcc_s.so.1 into glibc's lib directory;
 * - no libcrypt (glibc >= 2.38 no longer builds it by default; libxcrypt provides it);
 * - libnsl.so.1 is still built (as a compat shared library, without --enable-obsolete-nsl);
 * - the NIS/NIS+ NSS modules are gone from glibc since 2.28;
 * - libmemusage.so and libpcprofile.so are preload helpers shipped under those names.
 *
 * The DT_NEEDED lists are `readelf -d` of Debian 12's libc6 2.36 (amd64) and libgcc-s1: since
 * glibc 2.34 merged libpthread, libdl, librt and libutil into libc, every glibc library links
 * against libc.so.6, and a few against ld-linux-x86-64.so.2 too (test/loader/nixos-glibc.test.ts
 * compares the lists with the files where Debian ships them). libnss_db.so.2 is not in Debian's libc6: its
 * list is libc's alone, as for the other NSS modules since nss_files moved into libc (2.34).
 * ld.so loads these breadth-first like any other library, so in a NixOS root `libm.so.6` brings
 * `libc.so.6` after it, and `libc.so.6` the (already loaded) `ld-linux-x86-64.so.2`.
 */
export const NIXOS_GLIBC_X86_64_LIBRARIES: ReadonlyMap<string, readonly string[]> = new Map([
  ['libc.so.6', ['ld-linux-x86-64.so.2']],
  ['libm.so.6', ['libc.so.6', 'ld-linux-x86-64.so.2']],
  ['libdl.so.2', ['libc.so.6']],
  ['libpthread.so.0', ['libc.so.6']],
  ['librt.so.1', ['libc.so.6']],
  ['libresolv.so.2', ['libc.so.6']],
  ['libutil.so.1', ['libc.so.6']],
  ['libanl.so.1', ['libc.so.6']],
  ['libmvec.so.1', ['libm.so.6', 'ld-linux-x86-64.so.2', 'libc.so.6']],
  ['libnsl.so.1', ['libc.so.6']],
  ['libBrokenLocale.so.1', ['libc.so.6']],
  ['libthread_db.so.1', ['libc.so.6']],
  ['libc_malloc_debug.so.0', ['libc.so.6', 'ld-linux-x86-64.so.2']],
  ['libmemusage.so', ['libc.so.6', 'ld-linux-x86-64.so.2']],
  ['libpcprofile.so', ['libc.so.6']],
  ['libnss_files.so.2', ['libc.so.6']],
  ['libnss_dns.so.2', ['libc.so.6']],
  ['libnss_compat.so.2', ['libc.so.6']],
  ['libnss_db.so.2', ['libc.so.6']],
  ['libnss_hesiod.so.2', ['libresolv.so.2', 'libc.so.6']],
  ['libgcc_s.so.1', ['libc.so.6']],
  ['ld-linux-x86-64.so.2', []],
]);

/** The sonames of NIXOS_GLIBC_X86_64_LIBRARIES. */
export const NIXOS_GLIBC_X86_64_SONAMES: ReadonlySet<string> = new Set(NIXOS_GLIBC_X86_64_LIBRARIES.keys());

/**
 * The same for aarch64-linux, with the DT_NEEDED lists of Debian 12's libc6:arm64 2.36 and
 * libgcc-s1:arm64 (`readelf -d`; arm64 links a few more of them against the loader than amd64).
 * libmvec is built for aarch64 since glibc 2.38 (sysdeps/aarch64/fpu/*_advsimd.c, *_sve.c), which
 * nixpkgs' 2.42 is and Debian's 2.36 is not: its list is x86-64's with the aarch64 loader.
 */
export const NIXOS_GLIBC_AARCH64_LIBRARIES: ReadonlyMap<string, readonly string[]> = new Map([
  ['libc.so.6', ['ld-linux-aarch64.so.1']],
  ['libm.so.6', ['libc.so.6', 'ld-linux-aarch64.so.1']],
  ['libdl.so.2', ['libc.so.6']],
  ['libpthread.so.0', ['libc.so.6']],
  ['librt.so.1', ['libc.so.6', 'ld-linux-aarch64.so.1']],
  ['libresolv.so.2', ['libc.so.6', 'ld-linux-aarch64.so.1']],
  ['libutil.so.1', ['libc.so.6']],
  ['libanl.so.1', ['libc.so.6']],
  ['libmvec.so.1', ['libm.so.6', 'ld-linux-aarch64.so.1', 'libc.so.6']],
  ['libnsl.so.1', ['libc.so.6', 'ld-linux-aarch64.so.1']],
  ['libBrokenLocale.so.1', ['libc.so.6', 'ld-linux-aarch64.so.1']],
  ['libthread_db.so.1', ['libc.so.6', 'ld-linux-aarch64.so.1']],
  ['libc_malloc_debug.so.0', ['libc.so.6', 'ld-linux-aarch64.so.1']],
  ['libmemusage.so', ['libc.so.6', 'ld-linux-aarch64.so.1']],
  ['libpcprofile.so', ['libc.so.6', 'ld-linux-aarch64.so.1']],
  ['libnss_files.so.2', ['libc.so.6']],
  ['libnss_dns.so.2', ['libc.so.6']],
  ['libnss_compat.so.2', ['libc.so.6', 'ld-linux-aarch64.so.1']],
  ['libnss_db.so.2', ['libc.so.6']],
  ['libnss_hesiod.so.2', ['libresolv.so.2', 'libc.so.6', 'ld-linux-aarch64.so.1']],
  ['libgcc_s.so.1', ['libc.so.6']],
  ['ld-linux-aarch64.so.1', []],
]);

/**
 * Every soname that belongs to glibc in nixpkgs, whatever the architecture: the x86_64 set plus
 * the dynamic loaders of the other common platforms (glibc's lib directory on aarch64-linux and
 * i686-linux holds those instead of ld-linux-x86-64.so.2). Classification uses this set; the
 * `nixos` loader environment (x86-64) uses NIXOS_GLIBC_X86_64_LIBRARIES.
 */
export const NIXOS_GLIBC_SONAMES: ReadonlySet<string> = new Set([
  ...NIXOS_GLIBC_X86_64_SONAMES,
  'ld-linux-aarch64.so.1',
  'ld-linux.so.2',
]);
