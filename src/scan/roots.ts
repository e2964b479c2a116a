import { realpathSync } from 'node:fs';
import type { JudgedObject } from './missing.js';

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
): T[] {
  // Identity by real path: a closure reaches a vendored library under its soname link, the scan
  // lists it under its file name. Computed only for paths inside the venv.
  const real = new Map<string, string | null>();
  const realOf = (path: string): string | null => {
    let r = real.get(path);
    if (r === undefined) {
      try {
        r = realpathSync.native(path);
      } catch {
        r = null;
      }
      real.set(path, r);
    }
    return r;
  };
  let byReal: Map<string, T> | null = null;
  const loaded = new Set<T>();
  for (const o of objects) {
    for (const lib of o.closure.libraries) {
      if (lib.path === null || lib.error !== undefined || locate(lib.path) === null) continue;
      byReal ??= new Map(objects.map((x) => [realOf(x.abs) ?? x.abs, x]));
      const r = realOf(lib.path);
      const target = r === null ? undefined : byReal.get(r);
      if (target !== undefined && target !== o) loaded.add(target);
    }
  }
  const roots = objects.filter((o) => !loaded.has(o) || EXTENSION_MODULE.test(o.rel));
  // Objects that load each other in a cycle with no entry point above them: judge them all.
  if (roots.length === 0) return [...objects];
  return roots;
}
