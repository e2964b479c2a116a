import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BAD_DIR, SHELLS_DIR } from './nix-eval.js';

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
