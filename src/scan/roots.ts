import type { JudgedObject } from './missing.js';
import type { RealPaths } from './real-path.js';
import { fileName } from './walk.js';

/**
 * Python loads a venv's native code through extension modules (and the odd library opened with
 * ctypes); the libraries that wheels vendor beside them (`numpy.libs/`, `scipy.libs/`) are loaded
 * as their dependencies, through the extension's RPATH chain. Judging such a library on its own
 * reports needs that never fail in practice (scipy's vendored libgfortran needs its vendored
 * libquadmath, found through the extension's inherited `$ORIGIN/../scipy.libs`). So an object
 * counts as an entry point unless another scanned object loads it; extension modules always
 * count, since Python dlopens them itself. What a vendored library needs still shows through the
 * closures of the objects that load it.
 */
const EXTENSION_MODULE = /\.(cpython-[^/]*|abi3|pypy[^/]*)\.so$/;

export function entryPoints<T extends JudgedObject & { abs: string }>(
  objects: readonly T[],
  /** Venv-relative path of a loaded file, or null when it lies outside the venv. */
  locate: (path: string) => string | null,
  /**
   * Identity is by real path: a closure reaches a vendored library under its soname link, the
   * scan lists it under its file name.
   */
  real: RealPaths,
  /** Objects that are symlinks (by abs), with the real path the walk found for each. */
  symlinks: ReadonlyMap<string, string>,
): T[] {
  // What the closures load from the venv, by real path, and which objects load each.
  const reached: { real: string; by: T }[] = [];
  // Indexed loops: every entry of every closure (tens of thousands), and a for-of in code V8 has
  // not optimised (most of a nixpy run: src/cli/tiering.ts) allocates an iterator result per step.
  for (let i = 0; i < objects.length; i++) {
    const o = objects[i]!;
    const libs = o.closure.libraries;
    for (let j = 0; j < libs.length; j++) {
      const lib = libs[j]!;
      if (lib.path === null || lib.error !== undefined || locate(lib.path) === null) continue;
      const r = real.of(lib.path);
      if (r !== null) reached.push({ real: r, by: o });
    }
  }
  if (reached.length === 0) return [...objects];
  const byReal = objectsByRealPath(objects, real, symlinks, new Set(reached.map((x) => fileName(x.real))));
  const loaded = new Set<T>();
  for (const { real: r, by } of reached) {
    const target = byReal.get(r);
    if (target !== undefined && target !== by) loaded.add(target);
  }
  const roots = objects.filter((o) => !loaded.has(o) || EXTENSION_MODULE.test(o.rel));
  // Objects that load each other in a cycle with no entry point above them: judge them all.
  if (roots.length === 0) return [...objects];
  return roots;
}

/**
 * The objects by real path, for the real paths named `names` only: a file that is not a symlink
 * has its own name as its real name, so the others need no real path at all (a venv has
 * thousands of objects, and closures reach a few of them). When two objects share a real path
 * the later one is kept.
 */
function objectsByRealPath<T extends { abs: string }>(
  objects: readonly T[],
  real: RealPaths,
  symlinks: ReadonlyMap<string, string>,
  names: ReadonlySet<string>,
): Map<string, T> {
  const byReal = new Map<string, T>();
  for (const o of objects) {
    const linkTarget = symlinks.get(o.abs);
    if (linkTarget === undefined && !names.has(fileName(o.abs))) continue;
    // A symlink's real path is the one the walk already resolved.
    byReal.set(linkTarget ?? real.of(o.abs) ?? o.abs, o);
  }
  return byReal;
}
