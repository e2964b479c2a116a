import type { ElfError, ElfInfo } from '../elf/types.js';

/** How a soname was found, as in the JSON contract of `nixpy tree`. */
export type Via = 'rpath' | 'ld_library_path' | 'runpath' | 'cache' | 'default' | 'loaded' | 'path';

export type EnvName = 'nixos' | 'host';

export interface LibraryResult {
  soname: string;
  /** Absolute path of the file ld.so would map, or null when not found. */
  path: string | null;
  via: Via | null;
}

/** `nixpy tree FILE --json` document for one FILE. */
export interface TreeResult {
  path: string;
  libraries: LibraryResult[];
}

/**
 * One entry of a closure as the loader model computes it. A superset of LibraryResult: the
 * extra fields serve `scan` and `doctor` and are not printed by `tree --json`.
 */
export interface LoadedLibrary extends LibraryResult {
  /** Path of the object whose DT_NEEDED first asked for this soname (in load order). */
  requiredBy: string;
  /** For a search that failed: the directories tried, in order (for "not found" reports); "." is
   * the current directory, "ld.so.cache" a cache hit that could not be used. */
  tried?: string[];
  /** A found candidate that stops ld.so (e.g. a linker script under the right name). */
  error?: string;
  /** Objects whose own search for this name failed before a later search found it (ld.so
   * outside of ldd's trace mode would already have stopped at the first of those). */
  notFoundFor?: string[];
}

export interface Closure {
  /** The object as given (not realpath'ed). */
  path: string;
  /**
   * Breadth-first load order, each soname once, excluding the object itself and the vDSO.
   * Closures that share dependencies share their entries (loadClosure's memo): never modify one.
   */
  libraries: LoadedLibrary[];
  /** Set when ld.so would stop (the last library entry then carries `error`). */
  error?: ClosureError;
  /**
   * Versions a found library does not define, in ld.so's checking order (only when there are
   * any, and never with `error`: ld.so stops before checking versions).
   */
  versionErrors?: VersionError[];
}

/**
 * ld.so's "version `VERSION' not found (required by NEEDEDBY)", reported against the library at
 * `path`: a refusal like a missing soname (dlopen fails on the first one).
 */
export interface VersionError {
  /** The DT_VERNEED file name (the soname asked for). */
  soname: string;
  version: string;
  /** Path of the object that needs the version (as the loader reached it). */
  neededBy: string;
  /** Path of the library that lacks it. */
  path: string;
  /** The versions that library defines (its DT_VERDEF, as already read). */
  defined: readonly string[];
}

/*
 * The loader module (src/loader/index.ts) exports:
 *   createLoaderEnv(name: EnvName, opts?: { ldLibraryPath?: string; cwd?: string;
 *                   ldSoCachePath?: string; cpuinfoPath?: string }): LoaderEnv
 *   loadClosure(path: string, env: LoaderEnv, objects?: ObjectCache): Closure
 *     (throws RootObjectError, with `reason`, when `path` itself cannot be the root object)
 *   createObjectCache(): ObjectCache
 * An ObjectCache memoises ELF reads and stat results across many loadClosure calls (a scan
 * resolves thousands of objects that share most of their dependencies).
 */

/** Closure extras (additive): set when ld.so would stop with an error (e.g. a linker script). */
export interface ClosureError {
  /** The name being loaded when ld.so gave up. */
  soname: string;
  /** ld.so's reason, e.g. "invalid ELF header". */
  message: string;
}

/** How one ld.so.cache entry looks once parsed (only what the lookup needs). */
export interface LdSoCacheEntry {
  key: string;
  value: string;
  flags: number;
  hwcap: bigint;
  /** For a glibc-hwcaps entry: the subdirectory name (x86-64-v3, ...); otherwise null. */
  hwcapsName: string | null;
}

/**
 * A loader environment: everything the search rules read besides the objects themselves.
 * Built once by createLoaderEnv and shared by many loadClosure calls.
 */
export interface LoaderEnv {
  name: EnvName;
  /** The ELF class and machine this loader accepts (others are skipped during a search). */
  elfClass: 32 | 64;
  machine: number;
  /** LD_LIBRARY_PATH as given (split at search time: $ORIGIN there is the root's origin). */
  ldLibraryPath: string | null;
  /** Subdirectories tried in each search directory before the directory itself, e.g.
   * "glibc-hwcaps/x86-64-v3/"; always ends with "" (the directory itself). */
  subdirs: readonly string[];
  /** ld.so.cache lookup (host only): name -> path, or null. */
  cacheLookup: ((name: string) => string | null) | null;
  /** Directories the cache may not serve from for a DF_1_NODEFLIB object (glibc's system dirs). */
  systemDirs: readonly string[];
  /** Default directories searched last (with their subdirs). */
  defaultDirs: readonly string[];
  /** nixos: a directory that is not on disk, holding exactly these libraries (soname -> its
   * DT_NEEDED). */
  virtualDefault: { dir: string; libraries: ReadonlyMap<string, readonly string[]> } | null;
  /** The dynamic loader, always already loaded. */
  rtld: { path: string; soname: string };
  /** Values of $LIB and $PLATFORM. */
  dstLib: string;
  dstPlatform: string;
  /** Directory relative paths are resolved against (process cwd at creation). */
  cwd: string;
}

/** What a path is (symlinks followed): `other` is a socket or a device. */
export type FileKind = 'file' | 'dir' | 'fifo' | 'other';

/** What a filesystem probe found at a path (symlinks followed). */
export type FileProbe = { kind: FileKind; id: string; size: number } | null;

/**
 * The names a directory's listing holds; 'unlistable' for a directory that exists but cannot be
 * read (any name may be there); null when it does not exist.
 */
export type DirNames = ReadonlySet<string> | 'unlistable' | null;

/**
 * Memoises filesystem and ELF reads across loadClosure calls. Assumes files do not change while
 * it lives (make a new one per scan).
 */
export interface ObjectCache {
  /** stat (following links): null when missing or unreachable. id is "dev:ino". */
  probe(path: string): FileProbe;
  /** What the listing of `dir` holds (DirNames). */
  names(dir: string): DirNames;
  /** Parsed ELF of the file with this id (path used to open it the first time). */
  elf(path: string, id: string): ElfInfo | ElfError;
}
