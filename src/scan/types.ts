import type { EnvName } from '../loader/types.js';

export type Category = 'glibc' | 'driver' | 'venv' | 'package' | 'unknown';

export interface SkippedFile {
  /** Relative to the venv root. */
  path: string;
  reason: string;
}

export interface MissingSoname {
  soname: string;
  category: Category;
  /** Venv-relative paths of the objects that need it, sorted. */
  neededBy: string[];
  /** For `venv`: venv-relative paths of files elsewhere in the venv that carry this soname. */
  providedBy?: string[];
}

/**
 * A symbol version a found library does not define: ld.so refuses the object that needs it
 * ("version `VERSION' not found (required by NEEDEDBY)") as surely as a missing library.
 */
export interface VersionRefusal {
  /** The soname asked for (the DT_VERNEED file name). */
  soname: string;
  version: string;
  /** Venv-relative path of the object that needs it; absolute when it lies outside the venv. */
  neededBy: string;
  /** Absolute path of the library that lacks it (as the loader found it). */
  library: string;
}

/** `nixpy scan VENV --json` document (docs/design.md). Extra fields may be added, never removed. */
export interface ScanResult {
  root: string;
  env: EnvName;
  objects: number;
  skipped: SkippedFile[];
  missing: MissingSoname[];
  /** Sorted by neededBy, soname, version; each once. */
  versionErrors: VersionRefusal[];
}
