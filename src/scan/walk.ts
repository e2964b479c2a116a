import { readdirSync, realpathSync, statSync, type Dirent } from 'node:fs';
import { basename, dirname } from 'node:path';
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
  /** The candidates that are symlinks, by abs, with their real path; every other candidate is a regular file. */
  symlinks: ReadonlyMap<string, string>;
}

/**
 * The last component of a '/'-separated path without a trailing slash (what path.basename gives,
 * at a small fraction of its cost: the scan asks it for thousands of paths).
 */
export function fileName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** Shared-object file names: `*.so` and `*.so.*`. */
export const SO_NAME = /\.so(\.|$)/;

/**
 * Directories that hold no native code: Python writes only bytecode into `__pycache__` (PEP 3147,
 * importlib.util.cache_from_source), and its path finder looks for extension modules in the
 * package directory itself, never there. In a real site-packages they are about a third of the
 * directories and of the entries.
 */
const BYTECODE_DIR = '__pycache__';

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

/** What one tree holds that the walk cares about: every other entry is left unnamed. */
interface TreeListing {
  /** Regular files named like shared objects. */
  files: Candidate[];
  /** Symlinks named like shared objects. */
  objectLinks: Candidate[];
  /** Other symlinks: they matter only when they lead to a directory outside the venv. */
  otherLinks: Candidate[];
  /** FIFOs, sockets and devices named like shared objects, with why they are never opened. */
  special: SkippedFile[];
}

/** Why a special file named like a library is skipped; null for anything else. */
function specialFileReason(f: { isFIFO(): boolean; isSocket(): boolean; isBlockDevice(): boolean; isCharacterDevice(): boolean }): string | null {
  if (f.isFIFO()) return 'a FIFO (named pipe), not a shared object: never opened';
  if (f.isSocket()) return 'a socket, not a shared object';
  if (f.isBlockDevice() || f.isCharacterDevice()) return 'a device, not a shared object';
  return null;
}

/**
 * Lists the tree under `abs` without following any link, breadth first, each directory in the
 * order readdir gives (libuv sorts it by name): the order in which links then claim an outside
 * directory is the one fast-glob's walk had. Entry types come from the listing itself (d_type):
 * no stat per entry, and no path is built for an entry that is neither a directory nor named
 * like a shared object (a venv holds tens of thousands of Python files for every few hundred
 * shared objects). Unreadable or vanished directories list as empty.
 */
function listTree(abs: string, rel: string): TreeListing {
  const listing: TreeListing = { files: [], objectLinks: [], otherLinks: [], special: [] };
  // Each prefix ends with '/' ('' for the venv root's relative path).
  const dirs = [{ absPrefix: abs.endsWith('/') ? abs : `${abs}/`, relPrefix: rel === '' ? '' : `${rel}/` }];
  for (let i = 0; i < dirs.length; i++) {
    const { absPrefix, relPrefix } = dirs[i]!;
    let entries: Dirent[];
    try {
      entries = readdirSync(absPrefix, { withFileTypes: true });
    } catch {
      continue;
    }
    // Indexed: a venv has tens of thousands of entries, and a for-of in code V8 has not
    // optimised (most of a nixpy run: src/cli/tiering.ts) allocates an iterator result per step.
    for (let j = 0; j < entries.length; j++) {
      const e = entries[j]!;
      const name = e.name;
      if (e.isDirectory()) {
        if (name !== BYTECODE_DIR) dirs.push({ absPrefix: `${absPrefix}${name}/`, relPrefix: `${relPrefix}${name}/` });
      } else if (SO_NAME.test(name)) {
        if (e.isFile()) listing.files.push({ rel: relPrefix + name, abs: absPrefix + name });
        else if (e.isSymbolicLink()) listing.objectLinks.push({ rel: relPrefix + name, abs: absPrefix + name });
        else {
          // A FIFO, socket or device named like a library: never opened (a FIFO blocks open()).
          const reason = specialFileReason(e);
          if (reason !== null) listing.special.push({ path: relPrefix + name, reason });
        }
      } else if (e.isSymbolicLink()) {
        listing.otherLinks.push({ rel: relPrefix + name, abs: absPrefix + name });
      }
    }
  }
  return listing;
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
  const symlinks = new Map<string, string>();
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

  /** A symlink named like a shared object: judged, set aside as a same-directory link, or skipped. */
  const linkedObject = ({ abs, rel }: Candidate, dirLinks: Candidate[]): void => {
    let st;
    try {
      st = statSync(abs);
    } catch (err) {
      skipped.push({ path: rel, reason: errnoReason(err) });
      return;
    }
    if (st.isDirectory()) {
      dirLinks.push({ rel, abs });
      return;
    }
    if (!st.isFile()) {
      skipped.push({ path: rel, reason: specialFileReason(st) ?? 'not a regular file' });
      return;
    }
    let target: string;
    try {
      target = realpathSync.native(abs);
    } catch (err) {
      skipped.push({ path: rel, reason: errnoReason(err) });
      return;
    }
    // Same directory and a shared-object name: the target is judged under its own name with
    // the same $ORIGIN, so this link adds nothing.
    if (dirname(target) === realOfDir(dirname(abs)) && SO_NAME.test(basename(target))) {
      sameDirLinks.push({ rel, abs });
    } else {
      candidates.push({ rel, abs });
      symlinks.set(abs, target);
    }
  };

  for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
    const tree = listTree(next.abs, next.rel);
    for (const f of tree.files) candidates.push(f);
    skipped.push(...tree.special);
    // Links to directories outside the venv claim them in this order: those named like a shared
    // object first, then the others, each in listing order.
    const dirLinks: Candidate[] = [];
    for (const l of tree.objectLinks) linkedObject(l, dirLinks);
    for (const l of tree.otherLinks) {
      try {
        if (statSync(l.abs).isDirectory()) dirLinks.push(l);
      } catch {
        // Dangling or looping, and not named like a shared object: nothing to scan.
      }
    }
    for (const l of dirLinks) followDir(l.abs, l.rel);
  }
  candidates.sort((a, b) => byCodeUnit(a.rel, b.rel));
  sameDirLinks.sort((a, b) => byCodeUnit(a.rel, b.rel));
  skipped.sort((a, b) => byCodeUnit(a.path, b.path));
  return { candidates, sameDirLinks, skipped, symlinks };
}

/** Plain code-unit order (not localeCompare): the same on every machine. */
export function byCodeUnit(x: string, y: string): number {
  return x < y ? -1 : x > y ? 1 : 0;
}
