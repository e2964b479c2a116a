import type { LoaderEnv, ObjectCache } from './types.js';

/**
 * Per (object cache, environment) memos: what the model decides from the filesystem (a
 * verdict, a directory's subdirectories, a shared closure) depends on nothing else, and both are
 * fixed for the memo's lifetime (the cache assumes files do not change). Weakly held: a memo
 * goes with its cache.
 */
export type MemoTable<V> = WeakMap<ObjectCache, WeakMap<LoaderEnv, Map<string, V>>>;

/** The memo of one (object cache, environment) pair in `table`, made on first use. */
export function memoFor<V>(table: MemoTable<V>, objects: ObjectCache, env: LoaderEnv): Map<string, V> {
  let byEnv = table.get(objects);
  if (byEnv === undefined) table.set(objects, (byEnv = new WeakMap()));
  let memo = byEnv.get(env);
  if (memo === undefined) byEnv.set(env, (memo = new Map()));
  return memo;
}
