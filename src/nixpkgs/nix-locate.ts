/**
 * Parser for `nix-locate` output lines:
 *   `attr.output  size  type  /nix/store/<hash>-<name>/path`
 * Columns are padded for alignment, but long attribute paths overflow the column, so lines are
 * split on runs of whitespace, never on column positions. Hits from attributes that are not
 * top-level (reached through a package set that is not recursed by default) are printed in
 * parentheses: `(foo.bar.out)`.
 */

export type FileType = 'r' | 'x' | 's' | 'd';

export interface LocateHit {
  /** Attribute path without the output, e.g. `gcc-unwrapped`. */
  attr: string;
  /** Output name, e.g. `lib`. */
  output: string;
  size: number;
  type: FileType;
  /** `/nix/store/<hash>-<name>` */
  storePath: string;
  /** Path inside the output, without leading slash, e.g. `lib/libz.so.1`. */
  path: string;
  topLevel: boolean;
}

const STORE_RE = /^(\/nix\/store\/[0-9a-z]{32}-[^/]+)\/(.+)$/;

/** Parses one line; returns null for lines that are not hits (blank lines, warnings). */
export function parseLocateLine(line: string): LocateHit | null {
  const trimmed = line.trim();
  if (trimmed === '') return null;
  const cols = trimmed.split(/\s+/);
  if (cols.length < 4) return null;
  // The path is the last column; nix store paths contain no whitespace.
  const [rawAttr, rawSize, rawType] = cols as [string, string, string];
  const full = cols.slice(3).join(' ');
  let attrOut = rawAttr;
  let topLevel = true;
  if (attrOut.startsWith('(') && attrOut.endsWith(')')) {
    attrOut = attrOut.slice(1, -1);
    topLevel = false;
  }
  const dot = attrOut.lastIndexOf('.');
  if (dot <= 0 || dot === attrOut.length - 1) return null;
  const size = Number(rawSize.replace(/,/g, ''));
  if (!Number.isFinite(size)) return null;
  if (rawType !== 'r' && rawType !== 'x' && rawType !== 's' && rawType !== 'd') return null;
  const m = STORE_RE.exec(full);
  if (m === null) return null;
  return {
    attr: attrOut.slice(0, dot),
    output: attrOut.slice(dot + 1),
    size,
    type: rawType,
    storePath: m[1]!,
    path: m[2]!,
    topLevel,
  };
}

/** The soname a hit provides: the file name, when it looks like a shared library. */
export function sonameOfPath(path: string): string | null {
  const slash = path.lastIndexOf('/');
  const name = path.slice(slash + 1);
  return /\.so(\.[0-9A-Za-z_.-]+)?$/.test(name) ? name : null;
}

/** The single regex `nixpy index build` passes to nix-locate: shared objects below a lib dir. */
export const LOCATE_REGEX = '/lib/(.*/)?[^/]*\\.so(\\.[^/]*)?$';
