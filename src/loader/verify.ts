import { readHeader } from '../elf/header.js';
import { fdSource } from '../elf/source.js';
import { DF_1_PIE, ET_DYN, ET_EXEC, ElfError, type ElfInfo } from '../elf/types.js';
import { closeSync, constants, fstatSync, openSync } from 'node:fs';
import { memoFor, type MemoTable } from './memo.js';
import type { LoaderEnv, ObjectCache } from './types.js';

/*
 * What glibc's open_verify (elf/dl-load.c) and the first checks of _dl_map_object_from_fd decide
 * about a file found under the right name: use it, skip it (the search goes on), or stop ld.so.
 */

export type Candidate =
  | { kind: 'ok'; info: ElfInfo; id: string }
  | { kind: 'skip' }
  | { kind: 'fatal'; message: string };

/** A path as the process opens it: relative ones against the environment's cwd. */
export function onDisk(env: LoaderEnv, p: string): string {
  return p.startsWith('/') ? p : (env.cwd.endsWith('/') ? env.cwd : env.cwd + '/') + p;
}

/**
 * What open_verify decides about a path, remembered per (ObjectCache, environment): the answer
 * depends on nothing else (the cache assumes files do not change), and a scan asks about the same
 * candidates (libc.so.6 in the cache, each search directory) in thousands of closures.
 */
const verdicts: MemoTable<Candidate | null> = new WeakMap();

export function verifier(env: LoaderEnv, objects: ObjectCache): (path: string) => Candidate | null {
  const verdictOf = memoFor(verdicts, objects, env);
  return (path) => {
    let v = verdictOf.get(path);
    if (v === undefined) verdictOf.set(path, (v = openVerify(env, objects, path)));
    return v;
  };
}

/** What open_verify decides about a file found under the right name; null: open() fails. */
function openVerify(env: LoaderEnv, objects: ObjectCache, path: string): Candidate | null {
  const disk = onDisk(env, path);
  const slash = disk.lastIndexOf('/');
  // A name the directory's listing lacks cannot be opened (an unlistable directory: try it).
  const listed = objects.names(disk.slice(0, slash + 1));
  if (listed === null || (listed !== 'unlistable' && !listed.has(disk.slice(slash + 1)))) return null;
  const probe = objects.probe(disk);
  if (probe === null) return null; // missing or dangling link: open() fails, search goes on
  if (probe.kind === 'dir') return { kind: 'fatal', message: 'cannot read file data: Is a directory' };
  // ld.so's open() of a FIFO without a writer never returns: the model never opens one, and
  // reports the hang as the error it is. A socket or device cannot hold an object either.
  if (probe.kind === 'fifo') return { kind: 'fatal', message: 'a FIFO (named pipe): ld.so would block opening it' };
  if (probe.kind === 'other') return { kind: 'fatal', message: 'cannot read file data: not a regular file' };
  // open_verify reads a whole ELF header before looking at any byte of it.
  if (probe.size < (env.elfClass === 64 ? 64 : 52)) return { kind: 'fatal', message: 'file too short' };
  const info = objects.elf(disk, probe.id);
  if (info instanceof ElfError) {
    switch (info.code) {
      case 'io':
        return null; // EACCES and friends: ld.so moves on
      case 'not-elf':
        return { kind: 'fatal', message: 'invalid ELF header' };
      case 'truncated':
        return { kind: 'fatal', message: 'cannot read file data' };
      default:
        return classOrMachineMismatch(env, disk)
          ? { kind: 'skip' }
          : { kind: 'fatal', message: `cannot load: ${info.message}` };
    }
  }
  // The order of open_verify's checks decides which problems skip and which are fatal.
  if (info.elfClass !== env.elfClass) return { kind: 'skip' };
  if (info.endian !== 'little') return { kind: 'fatal', message: 'ELF file data encoding not little-endian' };
  if (info.osabi !== 0 && info.osabi !== 3) return { kind: 'fatal', message: 'ELF file OS ABI invalid' };
  if (info.machine !== env.machine) return { kind: 'skip' };
  if (info.type !== ET_DYN && info.type !== ET_EXEC) {
    return { kind: 'fatal', message: 'only ET_DYN and ET_EXEC can be loaded' };
  }
  return { kind: 'ok', info, id: probe.id };
}

/** For an object the full reader rejects: would ld.so have skipped it on class or machine? */
function classOrMachineMismatch(env: LoaderEnv, disk: string): boolean {
  let fd: number | null = null;
  try {
    // O_NONBLOCK: the file was a regular file when probed; should it have become a FIFO since,
    // open() still returns at once.
    fd = openSync(disk, constants.O_RDONLY | constants.O_NONBLOCK);
    const st = fstatSync(fd);
    if (!st.isFile()) return false;
    const h = readHeader(fdSource(fd, st.size));
    return (h.is64 ? 64 : 32) !== env.elfClass || h.machine !== env.machine;
  } catch {
    return false;
  } finally {
    if (fd !== null) closeSync(fd);
  }
}

/** Checks _dl_map_object_from_fd makes after open_verify, for a dependency (never the root). */
export function mappingError(info: ElfInfo): string | null {
  if (info.type === ET_EXEC) return 'cannot dynamically load executable';
  // A shared object without a (non-empty) PT_DYNAMIC: typically separate debuginfo.
  if (!info.dynamic) return 'object file has no dynamic section';
  if ((info.flags1 & DF_1_PIE) !== 0) return 'cannot dynamically load position-independent executable';
  return null;
}
