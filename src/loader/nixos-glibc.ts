/**
 * Sonames that nixpkgs' glibc package ships in its lib directory, i.e. what the NixOS loader's
 * built-in default path provides to a nixpkgs Python. nixpkgs also copies libgcc_s.so.1 into
 * glibc. libcrypt is not here: nixpkgs builds glibc without it (libxcrypt provides it).
 */
export const NIXOS_GLIBC_SONAMES: ReadonlySet<string> = new Set([
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
  'libnss_files.so.2',
  'libnss_dns.so.2',
  'libnss_compat.so.2',
  'libnss_db.so.2',
  'libnss_hesiod.so.2',
  'libgcc_s.so.1',
  'ld-linux-x86-64.so.2',
  'ld-linux-aarch64.so.1',
  'ld-linux.so.2',
]);
