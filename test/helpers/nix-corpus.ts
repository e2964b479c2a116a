import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BAD_DIR, SHELLS_DIR } from './nix-eval.js';
import { findLibraryLists, parseNix } from '../../src/nix/index.js';
import { lineCol, walk, type Expr } from '../../src/nix/ast.js';

/** One corpus case: fixtures/nix/shells/<name>/{<nix file>, case.json}. */
export interface CorpusCase {
  name: string;
  dir: string;
  /** The Nix file's name (flake.nix, shell.nix, default.nix, devenv.nix). */
  fileName: string;
  path: string;
  source: string;
  spec: CaseSpec;
}

/** case.json */
export interface CaseSpec {
  about: string;
  /** Attributes to add, as a user would type them after --add. */
  add: string[];
  /** Of those, the ones the file already covers (possibly in another spelling). */
  present?: string[];
  /** Shell name -> variables that must carry the added libraries after the patch. */
  shells: Record<string, string[]>;
  /** True when the file has no library path and the patch must create one. */
  createsLibraryPath?: boolean;
  /** Also add the GPU driver directory. */
  driverPath?: boolean;
  /** Expected leading whitespace of added element lines (checks the file's own style). */
  indent?: string;
}

/** A file Nix refuses: fixtures/nix/bad/<name>/<nix file> (+ optional case.json with `line`). */
export interface BadCase {
  name: string;
  dir: string;
  fileName: string;
  path: string;
  source: string;
  /** The line Nix reports the error on, when it points at a token (not at end of file). */
  line?: number;
}

function nixFileIn(dir: string): string {
  const names = readdirSync(dir).filter((n) => n.endsWith('.nix'));
  if (names.length !== 1) throw new Error(`${dir}: expected exactly one .nix file, found ${names.join(', ')}`);
  return names[0]!;
}

export function loadCorpus(): CorpusCase[] {
  return readdirSync(SHELLS_DIR)
    .sort()
    .map((name) => {
      const dir = join(SHELLS_DIR, name);
      const fileName = nixFileIn(dir);
      const path = join(dir, fileName);
      const spec = JSON.parse(readFileSync(join(dir, 'case.json'), 'utf8')) as CaseSpec;
      return { name, dir, fileName, path, source: readFileSync(path, 'utf8'), spec };
    });
}

export function loadBadCases(): BadCase[] {
  return readdirSync(BAD_DIR)
    .sort()
    .map((name) => {
      const dir = join(BAD_DIR, name);
      const fileName = nixFileIn(dir);
      const path = join(dir, fileName);
      const spec = join(dir, 'case.json');
      const line = existsSync(spec) ? (JSON.parse(readFileSync(spec, 'utf8')) as { line?: number }).line : undefined;
      return { name, dir, fileName, path, source: readFileSync(path, 'utf8'), ...(line !== undefined ? { line } : {}) };
    });
}

/** `pkgs.zlib` and `zlib` are the same request. */
export const bare = (a: string): string => a.replace(/^pkgs\./, '');

function offsetOf(source: string, line: number, column: number): number {
  let off = 0;
  for (let l = 1; l < line; l++) off = source.indexOf('\n', off) + 1;
  return off + column - 1;
}

/**
 * Line ranges the patcher may touch: each reported list, from start to end. When the path is
 * built from something that is not a list in this file (`makeLibraryPath pkgs.someList`), the
 * edit wraps that argument, so the lines that build the path are the region.
 */
export function listRegions(source: string, fileName: string): [number, number][] {
  const cov = findLibraryLists(source, fileName);
  if (cov.lists.length === 0) {
    return source
      .split('\n')
      .flatMap((l, i): [number, number][] => (/LD_LIBRARY_PATH|makeLibraryPath/.test(l) ? [[i + 1, i + 1]] : []));
  }
  const ast = parseNix(source, fileName);
  return cov.lists.map((l) => {
    const at = offsetOf(source, l.line, l.column);
    let end = at;
    walk(ast.root, (e: Expr) => {
      if (e.start === at && e.end > end) end = e.end;
    });
    return [l.line, lineCol(source, Math.max(at, end - 1)).line];
  });
}

