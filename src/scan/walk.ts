import fg from 'fast-glob';
import { readdirSync, realpathSync, statSync, type Dirent } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import type { SkippedFile } from './types.js';

/** A file the scanner will judge: where it sits in the venv (the path it is loaded by). */
export interface Candidate {
  /** Relative to the venv root, '/'-separated. */
  rel: string;
  /** root + rel: not realpath'ed, because $ORIGIN is the directory of this path. */
  abs: string;
}

export interface WalkResult {
  /** Files to judge, sorted by rel. */
  candidates: Candidate[];
  /**
   * Links whose target sits in the same directory (libfoo.so.1 -> libfoo.so.1.2.3): judging
   * them again would add nothing, but their names still provide a soname to the venv.
   */
  sameDirLinks: Candidate[];
  skipped: SkippedFile[];
}

/** Shared-object file names: `*.so` and `*.so.*`. */
export const SO_NAME = /\.so(\.|$)/;

/** Directory symlinks followed out of the venv, at most; each real directory is walked once. */
const MAX_LINKED_DIRS = 256;

function isInside(path: string, dir: string): boolean {
  return path === dir || path.startsWith(dir.endsWith('/') ? dir : dir + '/');
}

function errnoReason(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  switch (code) {
    case 'ENOENT':
      return 'dangling symlink';
    case 'ELOOP':
      return 'symlink loop';
    case 'EACCES':
    case 'EPERM':
      return `unreadable (${code})`;
    default:
      return `unreadable (${code ?? (err as Error).message})`;
  }
}

/** Why a special file named like a library is skipped; null for anything else. */
function specialFileReason(f: { isFIFO(): boolean; isSocket(): boolean; isBlockDevice(): boolean; isCharacterDevice(): boolean }): string | null {
  if (f.isFIFO()) return 'a FIFO (named pipe), not a shared object: never opened';
  if (f.isSocket()) return 'a socket, not a shared object';
  if (f.isBlockDevice() || f.isCharacterDevice()) return 'a device, not a shared object';
  return null;
}

/**
 * Lists the shared objects of a venv the way its layout presents them. Directory symlinks that
 * point back into the venv (`lib64 -> lib`) are not walked twice; those pointing outside are
 * walked once per real directory, under the linked path, so $ORIGIN stays the path Python loads
 * from. Nothing here follows a link blindly, so link loops cannot make the walk run forever.
 */
export function walkVenv(root: string): WalkResult {
  const rootReal = realpathSync.native(root);
  const walkedReal = new Set<string>([rootReal]);
  const queue: { abs: string; rel: string }[] = [{ abs: root, rel: '' }];
  const candidates: Candidate[] = [];
  const sameDirLinks: Candidate[] = [];
  const skipped: SkippedFile[] = [];
  const dirReal = new Map<string, string>();
  const realOfDir = (dir: string): string => {
    let r = dirReal.get(dir);
    if (r === undefined) {
      r = realpathSync.native(dir);
      dirReal.set(dir, r);
    }
    return r;
  };

  const followDir = (abs: string, rel: string): void => {
    let real: string;
    try {
      real = realpathSync.native(abs);
    } catch {
      return;
    }
    // Inside the venv (lib64 -> lib) or already walked: the files are listed under another path.
    // An ancestor of the venv (a link to / or to the project directory) would walk the venv
    // again and much else besides: not followed either.
    if (isInside(real, rootReal) || isInside(rootReal, real)) return;
    for (const w of walkedReal) if (isInside(real, w)) return;
    if (walkedReal.size > MAX_LINKED_DIRS) return;
    walkedReal.add(real);
    queue.push({ abs, rel });
  };

  for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
    const cwd = resolve(next.abs);
    // fast-glob keeps only the entries named like shared objects (a venv holds tens of thousands
    // of other files). Symlinks are not followed, so it cannot see a directory link; its
    // directory listings are watched instead, through its documented `fs` option, to collect
    // every symlink it passes for the checks below.
    const links: string[] = [];
    const entries = fg.sync('**/*.so*', {
      cwd,
      dot: true,
      onlyFiles: false,
      followSymbolicLinks: false,
      objectMode: true,
      suppressErrors: true,
      // Links are not followed, so no entry can come twice: skip fast-glob's dedupe set.
      unique: false,
      fs: {
        readdirSync: ((dir: string, opts: { withFileTypes: true }): Dirent[] => {
          const list = readdirSync(dir, opts);
          for (const d of list) {
            if (d.isSymbolicLink() && !SO_NAME.test(d.name)) {
              links.push(dir === cwd ? d.name : `${dir.slice(cwd.length + 1)}/${d.name}`);
            }
          }
          return list;
        }) as typeof readdirSync,
      },
    });
    const base = next.abs.endsWith('/') ? next.abs : `${next.abs}/`;
    const relOf = (path: string): string => (next.rel === '' ? path : `${next.rel}/${path}`);
    for (const e of entries) {
      // '*.so*' also matches names such as x.sock: keep *.so and *.so.* only.
      if (!SO_NAME.test(e.name)) continue;
      const rel = relOf(e.path);
      // fast-glob's paths are already clean and relative: a plain concatenation, not join().
      const abs = base + e.path;
      if (e.dirent.isFile()) {
        candidates.push({ rel, abs });
        continue;
      }
      if (!e.dirent.isSymbolicLink()) {
        // A FIFO, socket or device named like a library: never opened (a FIFO blocks open()).
        const special = specialFileReason(e.dirent);
        if (special !== null) skipped.push({ path: rel, reason: special });
        continue;
      }
      let st;
      try {
        st = statSync(abs);
      } catch (err) {
        skipped.push({ path: rel, reason: errnoReason(err) });
        continue;
      }
      if (st.isDirectory()) {
        followDir(abs, rel);
        continue;
      }
      if (!st.isFile()) {
        skipped.push({ path: rel, reason: specialFileReason(st) ?? 'not a regular file' });
        continue;
      }
      let target: string;
      try {
        target = realpathSync.native(abs);
      } catch (err) {
        skipped.push({ path: rel, reason: errnoReason(err) });
        continue;
      }
      // Same directory and a shared-object name: the target is judged under its own name with
      // the same $ORIGIN, so this link adds nothing.
      if (dirname(target) === realOfDir(dirname(abs)) && SO_NAME.test(basename(target))) {
        sameDirLinks.push({ rel, abs });
      } else {
        candidates.push({ rel, abs });
      }
    }
    // Other symlinks matter only when they lead to a directory outside the venv.
    for (const link of links) {
      const abs = base + link;
      try {
        if (statSync(abs).isDirectory()) followDir(abs, relOf(link));
      } catch {
        // Dangling or looping, and not named like a shared object: nothing to scan.
      }
    }
  }
  // Plain code-unit order (not localeCompare): the same on every machine.
  const order = (x: string, y: string): number => (x < y ? -1 : x > y ? 1 : 0);
  candidates.sort((a, b) => order(a.rel, b.rel));
  sameDirLinks.sort((a, b) => order(a.rel, b.rel));
  skipped.sort((a, b) => order(a.path, b.path));
  return { candidates, sameDirLinks, skipped };
}
