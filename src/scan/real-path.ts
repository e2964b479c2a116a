import { lstatSync, realpathSync } from 'node:fs';

/** Real paths of files, each from a single lstat and one cached realpath of its directory. */
export interface RealPaths {
  /** realpath(3) of `path`, or null when it cannot be resolved (dangling, looping, absent). */
  of(path: string): string | null;
}

/**
 * realpath(3) of a file costs a readlink per path component (glibc resolves every one); in a venv
 * thousands of files share a few hundred directories. A name that is not itself a symlink (nor
 * `.` or `..`) resolves to its directory's real path plus that name, so only the directory is
 * resolved, once. realpathSync.native throughout: libc resolves `..` after a symlink physically,
 * where Node's JS realpathSync would first normalise the path lexically.
 */
export function createRealPaths(): RealPaths {
  const dirs = new Map<string, string | null>();
  const files = new Map<string, string | null>();
  const resolve = (path: string): string | null => {
    try {
      return realpathSync.native(path);
    } catch {
      return null;
    }
  };
  const realDir = (dir: string): string | null => {
    let r = dirs.get(dir);
    if (r === undefined) dirs.set(dir, (r = resolve(dir)));
    return r;
  };
  const uncached = (path: string): string | null => {
    const slash = path.lastIndexOf('/');
    const name = path.slice(slash + 1);
    if (slash <= 0 || name === '' || name === '.' || name === '..') return resolve(path);
    try {
      if (lstatSync(path).isSymbolicLink()) return resolve(path);
    } catch {
      return null;
    }
    const dir = realDir(path.slice(0, slash));
    if (dir === null) return null;
    return dir === '/' ? `/${name}` : `${dir}/${name}`;
  };
  return {
    of(path) {
      let r = files.get(path);
      if (r === undefined) files.set(path, (r = uncached(path)));
      return r;
    },
  };
}
