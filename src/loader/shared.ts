import { DF_1_NODEFLIB, type ElfInfo } from '../elf/types.js';
import { computeClosure, withVersionErrors, type Computed } from './closure.js';
import { originOf } from './dst.js';
import { createObjectCache } from './objects.js';
import { memoFor, type MemoTable } from './memo.js';
import { readRoot } from './root.js';
import type { Closure, LoadedLibrary, LoaderEnv, ObjectCache } from './types.js';
import { versionErrorsOf } from './versions.js';

/**
 * One object's closure as ld.so (dlopen, or ldd's trace mode) loads it. Throws RootObjectError
 * when `path` itself cannot be the root object.
 */
export function loadClosure(path: string, env: LoaderEnv, objects: ObjectCache = createObjectCache()): Closure {
  const rootInfo = readRoot(env, objects, path);
  const key = sharedKey(env, rootInfo.info, path);
  if (key === null) return computeClosure(path, rootInfo, env, objects).closure;
  const memo = memoFor(memos, objects, env);
  const shared = memo.get(key);
  if (shared !== undefined && fits(shared, rootInfo)) return instantiate(shared, path, rootInfo.info);
  const computed = computeClosure(path, rootInfo, env, objects);
  if (computed.rootSpecific) return computed.closure;
  // A root whose own file (or a link to it) is in this closure would meet itself there: such a
  // root (its id among `ids`) computes its own closure.
  const mine: SharedClosure = { ...computed, rootPath: path };
  if (shared === undefined) memo.set(key, mine);
  return instantiate(mine, path, rootInfo.info);
}

/**
 * Whether a shared closure is this root's too: a root meets itself where the walk accepted its
 * file (its id) or asked for its soname; such a root computes its own closure.
 */
function fits(s: SharedClosure, root: { info: ElfInfo; id: string }): boolean {
  return !s.ids.has(root.id) && !(root.info.soname !== null && s.asked.has(root.info.soname));
}

/*
 * Closures shared between roots. ld.so's walk from a root depends on the root's path only
 * through $ORIGIN (its DT_NEEDED, RPATH, RUNPATH, and LD_LIBRARY_PATH expand it), through the
 * names the root answers to (its path, matched by a DT_NEEDED with a '/', and its soname), and
 * through its file identity (a search that finds the root's own file gets the root). Roots that agree on
 * everything else (extension modules of one package often need exactly the same libraries; a
 * venv may hold the same file at several paths) get the same closure, with the root's path in
 * `requiredBy` and `notFoundFor`. A closure is shared only when neither the root's path, soname
 * nor identity played any part in it (computeClosure's `rootSpecific`), and reused only by a root
 * whose soname and identity play no part in it either (`fits`). The root's own DT_VERNEED is not
 * part of the key: its version check is made per root, against what the shared closure's files
 * define (`providers`).
 */

/**
 * A walk's result as computeClosure gives it, for the root path it was computed for. A root with
 * one of its `ids` (files the walk accepted) or `asked` names as soname computes its own (fits).
 */
type SharedClosure = Omit<Computed, 'rootSpecific'> & { rootPath: string };

const memos: MemoTable<SharedClosure> = new WeakMap();

/** null and '' kept apart in keys (a DT_RUNPATH of '' still disables DT_RPATH). */
function keyPart(s: string | null): string {
  return s === null ? '\u0001' : `=${s}`;
}

/** A root's key parts that do not depend on its path, per parsed object (see sharedKey). */
interface KeyBase {
  /** The key when the root's directory plays no part: one string, so its hash is computed once. */
  plain: string;
  /** Everything but the directory, for roots whose key needs it. */
  base: string;
  /** $ORIGIN (or another token) in its DT_NEEDED, DT_RPATH or DT_RUNPATH. */
  usesDst: boolean;
}

/** Parsed objects are shared by every path that reaches the same file: so are their key parts. */
const keyBases = new WeakMap<ElfInfo, KeyBase | null>();

function keyBaseOf(info: ElfInfo): KeyBase | null {
  let k = keyBases.get(info);
  if (k !== undefined) return k;
  if (info.needed.some((n) => n.includes('/'))) {
    k = null;
  } else {
    // No soname: a root's soname matters only when its closure asks for that name, which
    // loadClosure checks against the shared closure's `asked`.
    const base = [
      keyPart(info.interp),
      keyPart(info.rpath),
      keyPart(info.runpath),
      (info.flags1 & DF_1_NODEFLIB) !== 0 ? '1' : '0',
      ...info.needed,
    ].join('\u0000');
    const usesDst =
      (info.rpath !== null && info.rpath.includes('$')) ||
      (info.runpath !== null && info.runpath.includes('$')) ||
      info.needed.some((n) => n.includes('$'));
    k = { plain: `${keyPart(null)}\u0000${base}`, base, usesDst };
  }
  keyBases.set(info, k);
  return k;
}

/**
 * What a root's closure can depend on besides its path and identity; null when a DT_NEEDED names
 * a path (the root's path could be that name). $ORIGIN anywhere makes the directory part of it.
 */
function sharedKey(env: LoaderEnv, info: ElfInfo, path: string): string | null {
  // A root named without a '/' answers to a plain soname-like name.
  if (!path.includes('/')) return null;
  const k = keyBaseOf(info);
  if (k === null) return null;
  const dst = k.usesDst || (env.ldLibraryPath !== null && env.ldLibraryPath.includes('$'));
  return dst ? `${keyPart(originOf(path, env.cwd))}\u0000${k.base}` : k.plain;
}

/**
 * The shared closure as computed for `path`, with the root's path in place: the entries that
 * name the root are copies, the others (most: what the root's dependencies need) are the shared
 * closure's own, as closures are never modified once computed.
 */
function instantiate(s: SharedClosure, path: string, root: ElfInfo): Closure {
  const { rootPath } = s;
  const swap = (p: string): string => (p === rootPath ? path : p);
  const libraries = s.closure.libraries.map((l) => {
    if (l.requiredBy !== rootPath && (l.notFoundFor === undefined || !l.notFoundFor.includes(rootPath))) return l;
    const copy: LoadedLibrary = { ...l, requiredBy: swap(l.requiredBy) };
    if (l.notFoundFor !== undefined) copy.notFoundFor = l.notFoundFor.map(swap);
    return copy;
  });
  const out: Closure = { path, libraries };
  if (s.closure.error !== undefined) {
    out.error = { ...s.closure.error };
    return out;
  }
  // Dependencies never name the root's path (a closure that reaches the root is not shared).
  return withVersionErrors(out, [...versionErrorsOf(path, root.verneed, s.providers), ...s.dependencyVersionErrors.map((e) => ({ ...e }))]);
}
