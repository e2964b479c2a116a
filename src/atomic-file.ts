/**
 * The one atomic file writer: the user's Nix file, the nix-locate index cache and the embedded
 * soname table are all written through it. A temporary sibling (same file system, so the rename
 * or link is atomic) is written in full, fsync'ed, given the final mode (and owner), then renamed
 * over the target or linked into place; the directory is fsync'ed so the rename is durable.
 * A failure at any step leaves the target untouched and no temporary file behind.
 */
import {
  accessSync, chmodSync, chownSync, closeSync, constants, fsyncSync, linkSync, mkdirSync, openSync, readFileSync,
  realpathSync, renameSync, statSync, unlinkSync, writeSync, type Stats,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { InputError, ioError } from './errors.js';

export interface AtomicWriteOptions {
  /**
   * The content the file had when it was read. When the file no longer holds it (an editor
   * saved in between), nothing is written and an InputError says so.
   */
  expectCurrent?: string;
  /** The file may not exist yet (a cache, a generated file): create it, with its directories. */
  create?: boolean;
  /** Mode of a file created anew (an existing file keeps its own). Default 0o644. */
  mode?: number;
}

const errCode = (err: unknown): string => (err as NodeJS.ErrnoException).code ?? String(err);

/** I/O failures are worded one way (errors.ts): `PATH: cannot write: permission denied`. */
function cannotWrite(path: string, err: unknown): InputError {
  return ioError(path, 'write', err);
}

function statOrNull(path: string): Stats | null {
  try {
    return statSync(path);
  } catch {
    return null;
  }
}

/**
 * `n` random bytes in hex, for a temporary file's name. From the global Web Crypto object, which
 * Node loads on first use: importing node:crypto would load it (~8 ms) in every command that
 * merely might write a file.
 */
function randomHex(n: number): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(n))).toString('hex');
}

function removeQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // not created, or already renamed
  }
}

function writeAll(fd: number, data: Uint8Array): void {
  let off = 0;
  while (off < data.length) off += writeSync(fd, data, off, data.length - off);
}

/** The temporary sibling of `target`, written, fsync'ed and given `mode`; removed on failure. */
function writeTempSibling(target: string, data: Uint8Array, mode: number): string {
  const tmp = join(dirname(target), `.${basename(target)}.nixpy-${process.pid}-${randomHex(4)}.tmp`);
  let fd: number | null = null;
  try {
    fd = openSync(tmp, 'wx', 0o600);
    writeAll(fd, data);
    fsyncSync(fd);
    closeSync(fd);
    fd = null;
    chmodSync(tmp, mode);
    return tmp;
  } catch (err) {
    if (fd !== null) {
      try {
        closeSync(fd);
      } catch {
        // already failing; the original error is the one to report
      }
    }
    removeQuietly(tmp);
    throw err;
  }
}

/** Makes the rename itself durable; some file systems refuse fsync on a directory, which is fine. */
function syncDir(dir: string): void {
  let fd: number | null = null;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // best effort
  } finally {
    if (fd !== null) closeSync(fd);
  }
}

/**
 * Replacing a file goes through its directory, so a read-only file in a writable directory could
 * be replaced: refuse unless the user could write the file itself (access(2), as `echo >` would).
 */
function assertWritable(path: string, target: string): void {
  try {
    accessSync(target, constants.W_OK);
  } catch (err) {
    const code = errCode(err);
    if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') {
      throw new InputError(`${ioError(path, 'write', err).message} (the file is not writable by you); nothing written`);
    }
    throw cannotWrite(path, err);
  }
}

function toBytes(data: string | Uint8Array): Uint8Array {
  return typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
}

/**
 * Replaces (or creates) `path` with `data` atomically. An existing file keeps its mode and owner
 * (the owner only where the system permits: root may give a file away); a symlink is followed so
 * the link stays a link. On any failure the original is untouched.
 */
export function writeFileAtomic(path: string, data: string | Uint8Array, opts: AtomicWriteOptions = {}): void {
  let target: string;
  try {
    target = realpathSync(path);
  } catch (err) {
    if (!opts.create || errCode(err) !== 'ENOENT') throw cannotWrite(path, err);
    target = path;
    try {
      mkdirSync(dirname(path), { recursive: true });
    } catch (e) {
      throw cannotWrite(path, e);
    }
  }
  const st = statOrNull(target);
  if (st) assertWritable(path, target);
  let tmp: string | null = null;
  try {
    tmp = writeTempSibling(target, toBytes(data), st ? st.mode & 0o7777 : (opts.mode ?? 0o644));
    if (st) {
      try {
        chownSync(tmp, st.uid, st.gid);
      } catch {
        // Only root may give a file away; an ordinary user's own file keeps its owner anyway.
      }
    }
    if (opts.expectCurrent !== undefined && !readFileSync(target).equals(Buffer.from(opts.expectCurrent, 'utf8'))) {
      throw new InputError(`${path}: changed on disk while nixpy was working; nothing written, run again`);
    }
    renameSync(tmp, target);
  } catch (err) {
    if (tmp !== null) removeQuietly(tmp);
    throw cannotWrite(path, err);
  }
  syncDir(dirname(target));
}

/**
 * Creates `path` with `data` only if no file has that name: the temporary sibling is hard-linked
 * into place (link fails when the name exists, so a file that appeared meanwhile is never
 * clobbered), then its temporary name removed.
 */
export function writeNewFile(path: string, data: string | Uint8Array, onExists: (path: string) => string): void {
  let tmp: string | null = null;
  try {
    tmp = writeTempSibling(path, toBytes(data), 0o644);
    linkSync(tmp, path);
  } catch (err) {
    if (errCode(err) === 'EEXIST') throw new InputError(onExists(path));
    throw cannotWrite(path, err);
  } finally {
    if (tmp !== null) removeQuietly(tmp);
  }
  syncDir(dirname(path));
}
