import type { JudgedObject } from './missing.js';
import type { VersionRefusal } from './types.js';
import { byCodeUnit } from './walk.js';

/**
 * Version refusals across all judged objects, each once: the loader found them while mapping
 * the closures (DT_VERNEED against the found library's DT_VERDEF), so nothing is read again.
 * Also returns each refusing library's defined versions (what it provides instead).
 */
export function collectVersionErrors(
  objects: readonly JudgedObject[],
  /** Venv-relative path of an object the loader reported, or null when outside the venv. */
  locate: (path: string) => string | null,
): { refusals: VersionRefusal[]; defined: Map<string, readonly string[]> } {
  const seen = new Map<string, VersionRefusal>();
  const defined = new Map<string, readonly string[]>();
  for (const o of objects) {
    for (const v of o.closure.versionErrors ?? []) {
      const refusal: VersionRefusal = { soname: v.soname, version: v.version, neededBy: locate(v.neededBy) ?? v.neededBy, library: v.path };
      const key = `${refusal.neededBy}\u0000${refusal.soname}\u0000${refusal.version}`;
      if (!seen.has(key)) seen.set(key, refusal);
      defined.set(v.path, v.defined);
    }
  }
  const refusals = [...seen.values()].sort(
    (a, b) => byCodeUnit(a.neededBy, b.neededBy) || byCodeUnit(a.soname, b.soname) || byCodeUnit(a.version, b.version),
  );
  return { refusals, defined };
}
