import { isAbsolute, relative, sep } from 'node:path';
import type { Closure } from '../loader/types.js';
import type { Category, MissingSoname } from './types.js';
import { byCodeUnit } from './walk.js';

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

/**
 * Unresolved sonames across all judged objects. Each is charged to the venv file whose DT_NEEDED
 * named it (so a missing dependency of a bundled library points at that library), or to the
 * scanned object when the asker lies outside the venv.
 */
export function collectMissing(
  objects: readonly JudgedObject[],
  /** Venv-relative path of an object the loader reported, or null when outside the venv. */
  locate: (path: string) => string | null,
  /** Venv-relative paths of venv files that carry this soname (DT_SONAME or file name). */
  providersOf: (soname: string) => readonly string[],
  classify: Classify,
): MissingSoname[] {
  const neededBy = new Map<string, Set<string>>();
  const charge = (soname: string, asker: string, o: JudgedObject): void => {
    const who = locate(asker) ?? o.rel;
    let set = neededBy.get(soname);
    if (set === undefined) neededBy.set(soname, (set = new Set()));
    set.add(who);
  };
  // Indexed loops: every entry of every closure (tens of thousands), and a for-of in code V8 has
  // not optimised (most of a nixpy run: src/cli/tiering.ts) allocates an iterator result per step.
  for (let i = 0; i < objects.length; i++) {
    const o = objects[i]!;
    const libs = o.closure.libraries;
    for (let j = 0; j < libs.length; j++) {
      const lib = libs[j]!;
      // Not found; or found only by a later object's search (ldd's trace mode goes on, but
      // dlopen stops at the first failure); or found as a file ld.so refuses (linker script).
      if (lib.path === null || lib.error !== undefined) charge(lib.soname, lib.requiredBy, o);
      if (lib.notFoundFor !== undefined) for (const asker of lib.notFoundFor) charge(lib.soname, asker, o);
    }
  }
  const out: MissingSoname[] = [];
  for (const soname of [...neededBy.keys()].sort(byCodeUnit)) {
    const venvProviders = [...new Set(providersOf(soname))].sort(byCodeUnit);
    const category = classify(soname, venvProviders);
    const entry: MissingSoname = { soname, category, neededBy: [...neededBy.get(soname)!].sort(byCodeUnit) };
    if (category === 'venv') entry.providedBy = venvProviders;
    out.push(entry);
  }
  return out;
}
