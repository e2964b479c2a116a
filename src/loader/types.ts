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
