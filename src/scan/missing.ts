import { isAbsolute, relative, sep } from 'node:path';
import type { Closure } from '../loader/types.js';
import type { Category, MissingSoname } from './types.js';

export interface JudgedObject {
  rel: string;
  closure: Closure;
}

export type Classify = (soname: string, venvProviders: readonly string[]) => Category;

/**
 * Venv-relative form of a path, lexically, or null when it lies outside the venv. The loader's
 * paths keep `..` after $ORIGIN (the kernel resolves it physically), so a caller must check that
 * such a path really is the file it lexically names.
 */
export function venvRelative(root: string, path: string): string | null {
  const r = relative(root, path);
  if (r === '' || r.startsWith('..') || isAbsolute(r)) return null;
  return sep === '/' ? r : r.split(sep).join('/');
}

const byString = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Unresolved sonames across all judged objects. Each is charged to the venv file whose DT_NEEDED
 * named it (so a missing dependency of a bundled library points at that library), or to the
 * scanned object when the asker lies outside the venv.
 */
export function collectMissing(
  objects: readonly JudgedObject[],
  /** Venv-relative path of an object the loader reported, or null when outside the venv. */
  locate: (path: string) => string | null,
  providers: ReadonlyMap<string, readonly string[]>,
  classify: Classify,
): MissingSoname[] {
  const neededBy = new Map<string, Set<string>>();
  for (const o of objects) {
    for (const lib of o.closure.libraries) {
      if (lib.path !== null) continue;
      const who = locate(lib.requiredBy) ?? o.rel;
      let set = neededBy.get(lib.soname);
      if (set === undefined) neededBy.set(lib.soname, (set = new Set()));
      set.add(who);
    }
  }
  const out: MissingSoname[] = [];
  for (const soname of [...neededBy.keys()].sort(byString)) {
    const venvProviders = [...(providers.get(soname) ?? [])].sort(byString);
    const category = classify(soname, venvProviders);
    const entry: MissingSoname = { soname, category, neededBy: [...neededBy.get(soname)!].sort(byString) };
    if (category === 'venv') entry.providedBy = venvProviders;
    out.push(entry);
  }
  return out;
}
