import { readdirSync, statSync } from 'node:fs';
import { readElfFile } from '../elf/index.js';
import { ElfError, type ElfInfo } from '../elf/types.js';
import type { DirNames, FileKind, FileProbe, ObjectCache } from './types.js';

/** What stat says a path is: files are read, FIFOs never opened (open() would block). */
function kindOf(st: { isFile(): boolean; isDirectory(): boolean; isFIFO(): boolean }): FileKind {
  return st.isFile() ? 'file' : st.isDirectory() ? 'dir' : st.isFIFO() ? 'fifo' : 'other';
}

/**
 * The default ObjectCache. Directory listings answer "is there a file of this name" for the
 * thousands of candidate paths a search builds (most search directories hold no match), so only
 * real candidates are stat'ed, and each file is parsed once per device+inode however many names
 * reach it.
 */
export function createObjectCache(): ObjectCache {
  const probes = new Map<string, FileProbe>();
  const listings = new Map<string, DirNames>();
  const elves = new Map<string, ElfInfo | ElfError>();

  function listing(dir: string): DirNames {
    let l = listings.get(dir);
    if (l !== undefined) return l;
    l = absentByParent(dir) ? null : list(dir);
    listings.set(dir, l);
    return l;
  }

  /**
   * A directory its parent's listing does not name does not exist (open() fails with ENOENT, or
   * ENOTDIR below a file): answered without a readdir that throws. A search asks for every hwcaps
   * subdirectory of every search directory (19 on x86-64), nearly all missing, and Node builds an
   * Error with a stack for each failed readdir.
   */
  function absentByParent(dir: string): boolean {
    const end = dir.endsWith('/') ? dir.length - 1 : dir.length;
    const slash = dir.lastIndexOf('/', end - 1);
    if (slash < 0) return false;
    const name = dir.slice(slash + 1, end);
    if (name === '' || name === '.' || name === '..') return false;
    const parent = listing(dir.slice(0, slash + 1));
    return parent === null || (parent !== 'unlistable' && !parent.has(name));
  }

  function list(dir: string): DirNames {
    let l: DirNames;
    try {
      l = new Set(readdirSync(dir === '' ? '.' : dir));
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      // Searchable but unreadable directories still let ld.so open files by name.
      l = code === 'ENOENT' || code === 'ENOTDIR' ? null : 'unlistable';
    }
    return l;
  }

  return {
    probe(path) {
      let p = probes.get(path);
      if (p !== undefined) return p;
      try {
        // Number stats (cheaper to build than bigint ones, and no exception for a missing file,
        // the common case in a search) are exact below 2^53; bigger inode or device numbers are
        // read again as bigints so that two files never share an id.
        const st = statSync(path, { throwIfNoEntry: false });
        if (st === undefined) {
          p = null;
        } else if (st.ino <= Number.MAX_SAFE_INTEGER && st.dev <= Number.MAX_SAFE_INTEGER) {
          p = { kind: kindOf(st), id: `${st.dev}:${st.ino}`, size: st.size };
        } else {
          const big = statSync(path, { bigint: true });
          p = { kind: kindOf(big), id: `${big.dev}:${big.ino}`, size: Number(big.size) };
        }
      } catch {
        p = null;
      }
      probes.set(path, p);
      return p;
    },
    names: listing,
    elf(path, id) {
      let e = elves.get(id);
      if (e === undefined) {
        try {
          // probe(path) came first (both callers do so): its size spares readElfFile an fstat.
          const p = probes.get(path);
          e = readElfFile(path, p && p.kind === 'file' ? p.size : undefined);
        } catch (err) {
          e = err instanceof ElfError ? err : new ElfError('io', String((err as Error)?.message ?? err));
        }
        elves.set(id, e);
      }
      return e;
    },
  };
}
