import {
  closeSync,
  fsyncSync,
  openSync,
  readFileSync,
  realpathSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync,
  chmodSync,
  chownSync,
  linkSync,
  type Stats,
} from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { InputError, ioError } from '../errors.js';

/**
 * File I/O around the Nix patcher: which file to edit, reading it, and replacing it without ever
 * leaving a half-written file behind. The patch logic itself is pure (./index.ts).
 */

/** Looked for in this order when no --flake is given (docs/design.md: flake.nix, shell.nix, devenv.nix). */
export const NIX_FILE_CANDIDATES = ['flake.nix', 'shell.nix', 'devenv.nix', 'default.nix'] as const;

function statOrNull(path: string): Stats | null {
  try {
    return statSync(path);
  } catch {
    return null;
  }
}

/**
 * The Nix file to edit. `explicit` (from --flake) may name a file or a directory; a directory is
 * searched like the working directory. Paths are returned absolute.
 */
export function findNixFile(cwd: string, explicit?: string): string {
  if (explicit !== undefined && explicit !== '') {
    const abs = resolve(cwd, explicit);
    const st = statOrNull(abs);
    if (st === null) throw new InputError(`${explicit}: no such file`);
    if (st.isDirectory()) return searchDir(abs, explicit);
    if (!st.isFile()) throw new InputError(`${explicit}: not a regular file`);
    return abs;
  }
  return searchDir(resolve(cwd), '.');
}

function searchDir(dir: string, shown: string): string {
  for (const name of NIX_FILE_CANDIDATES) {
    const p = join(dir, name);
    if (statOrNull(p)?.isFile()) return p;
  }
  throw new InputError(
    `no Nix file found in ${shown} (looked for ${NIX_FILE_CANDIDATES.join(', ')}); name one with --flake FILE`,
  );
}

/** The file's text; unreadable or not UTF-8 is bad input (exit 2), never a crash. */
export function readNixFile(path: string): string {
  let buf: Buffer;
  try {
    buf = readFileSync(path);
  } catch (err) {
    throw ioError(path, 'read', err);
  }
  try {
    // ignoreBOM keeps a byte-order mark in the text: Nix refuses one, so the parser must see it.
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(buf);
  } catch {
    throw new InputError(`${path}: not valid UTF-8 text`);
  }
}

export interface AtomicWriteOptions {
  /**
   * The content the file had when it was read. When the file no longer holds it (an editor
   * saved in between), nothing is written and an InputError says so.
   */
  expectCurrent?: string;
}

/**
 * Writes `text` to a fresh temporary file beside `target` (same file system, so a later rename
 * or link is atomic), fsync'ed and given `mode`, and returns its path. Nothing is left behind
 * when this throws.
 */
function writeTempSibling(target: string, text: string, mode: number): string {
  const tmp = join(dirname(target), `.${basename(target)}.nixpy-${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
  let fd: number | null = null;
  try {
    fd = openSync(tmp, 'wx', 0o600);
    const data = Buffer.from(text, 'utf8');
    let off = 0;
    while (off < data.length) off += writeSync(fd, data, off, data.length - off);
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

function removeQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // not created, or already renamed
  }
}

function cannotWrite(path: string, err: unknown): InputError {
  return ioError(path, 'write', err);
}

/**
 * Replaces `path` with `text` atomically: a temporary sibling, written and fsync'ed, given the
 * original's mode (and owner when permitted), then renamed over the original. A symlink is
 * followed so the link stays a link. On any failure the original is untouched.
 */
export function writeFileAtomic(path: string, text: string, opts: AtomicWriteOptions = {}): void {
  let target: string;
  try {
    target = realpathSync(path);
  } catch (err) {
    throw cannotWrite(path, err);
  }
  const st = statOrNull(target);
  let tmp: string | null = null;
  try {
    tmp = writeTempSibling(target, text, st ? st.mode & 0o7777 : 0o644);
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
 * Creates `path` with `text` only if no file has that name: the temporary sibling is
 * hard-linked into place (link fails when the name exists, so a file that appeared meanwhile is
 * never clobbered), then its temporary name removed.
 */
export function writeNewFile(path: string, text: string, onExists: (path: string) => string): void {
  let tmp: string | null = null;
  try {
    tmp = writeTempSibling(path, text, 0o644);
    linkSync(tmp, path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw new InputError(onExists(path));
    throw cannotWrite(path, err);
  } finally {
    if (tmp !== null) removeQuietly(tmp);
  }
  syncDir(dirname(path));
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

/** How a path is shown to the user: relative to cwd when inside it. */
export function displayPath(cwd: string, path: string): string {
  const rel = relative(cwd, path);
  return rel !== '' && !rel.startsWith('..') && !rel.startsWith('/') ? rel : path;
}
