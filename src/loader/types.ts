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
  /** For a search that failed: the directories tried, in order (for "not found" reports). */
  tried?: string[];
  /** A found candidate that stops ld.so (e.g. a linker script under the right name). */
  error?: string;
}

export interface Closure {
  /** The object as given (not realpath'ed). */
  path: string;
  /** Breadth-first load order, each soname once, excluding the object itself and the vDSO. */
  libraries: LoadedLibrary[];
}

/*
 * The loader module (src/loader/index.ts) exports:
 *   createLoaderEnv(name: EnvName, opts?: { ldLibraryPath?: string }): LoaderEnv
 *   loadClosure(path: string, env: LoaderEnv, objects?: ObjectCache): Closure
 * An ObjectCache memoises ELF reads and stat results across many loadClosure calls (a scan
 * resolves thousands of objects that share most of their dependencies).
 */
