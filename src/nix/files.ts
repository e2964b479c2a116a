import { readFileSync, statSync, type Stats } from 'node:fs';
import { extname, join, relative, resolve } from 'node:path';
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
    // `--flake pyproject.toml` is a wrong argument, not a file with a Nix syntax error.
    if (extname(abs) !== '.nix') throw new InputError(`${explicit}: not a Nix file (expected a .nix file such as flake.nix or shell.nix)`);
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

/** The Nix file is replaced (never created: `init` creates with writeNewFile) through the one atomic writer. */
export { writeFileAtomic, writeNewFile, type AtomicWriteOptions } from '../atomic-file.js';

/** How a path is shown to the user: relative to cwd when inside it. */
export function displayPath(cwd: string, path: string): string {
  const rel = relative(cwd, path);
  return rel !== '' && !rel.startsWith('..') && !rel.startsWith('/') ? rel : path;
}
