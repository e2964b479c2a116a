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

/** `nixpy scan VENV --json` document (docs/design.md). Extra fields may be added, never removed. */
export interface ScanResult {
  root: string;
  env: EnvName;
  objects: number;
  skipped: SkippedFile[];
  missing: MissingSoname[];
}
