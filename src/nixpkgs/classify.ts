import type { Category } from '../scan/types.js';
import { NIXOS_GLIBC_SONAMES } from '../loader/nixos-glibc.js';
import { isDriverSoname } from './driver.js';
import { embeddedIndex } from './embedded.js';

export interface ClassifyContext {
  /** Venv-relative paths of files elsewhere in the venv that carry this soname (may be empty). */
  venvProviders: readonly string[];
}

/**
 * The category of an unresolved soname (docs/design.md): glibc before driver before venv, so that a
 * wheel bundling its own libcuda stub is still told to use the driver. Synchronous: the embedded
 * index is loaded on first use.
 */
export function classifySoname(soname: string, ctx: ClassifyContext): Category {
  if (NIXOS_GLIBC_SONAMES.has(soname)) return 'glibc';
  if (isDriverSoname(soname)) return 'driver';
  if (ctx.venvProviders.length > 0) return 'venv';
  if (embeddedIndex().has(soname)) return 'package';
  return 'unknown';
}
