import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { nixEvalJson } from './nix.js';

/**
 * Evaluates the dev shells of a flake.nix / shell.nix / default.nix / devenv.nix against the stub
 * nixpkgs in fixtures/nix/stub-nixpkgs (see eval.nix there), so a test can check what a patched
 * file really puts on the library path rather than how its text looks.
 */

const here = dirname(fileURLToPath(import.meta.url));
export const STUB_DIR = resolve(here, '../../fixtures/nix/stub-nixpkgs');
export const SHELLS_DIR = resolve(here, '../../fixtures/nix/shells');
export const BAD_DIR = resolve(here, '../../fixtures/nix/bad');

export type FileKind = 'flake' | 'devenv' | 'shell';

export interface ShellEval {
  /** String attributes of the mkShell call (LD_LIBRARY_PATH, postShellHook, ...). */
  vars: Record<string, string>;
  /** String values under `env`. */
  env: Record<string, string>;
  /** shellHook (devenv: enterShell), after the hooks of inputsFrom. */
  hook: string;
  /** Names of packages / buildInputs / nativeBuildInputs: forces every element (typos fail). */
  inputs: string[];
}

export function kindOf(file: string): FileKind {
  const name = basename(file);
  if (name === 'flake.nix') return 'flake';
  if (name === 'devenv.nix') return 'devenv';
  return 'shell';
}

/** A Nix string literal for any text (JSON escapes are valid Nix escapes except `${`). */
export function nixString(text: string): string {
  return JSON.stringify(text).replace(/\$\{/g, '\\${');
}

/** `release`: shape the stub like that nixpkgs release (default unstable; see stub-nixpkgs/default.nix). */
export function evalShellsExpr(file: string, kind: FileKind = kindOf(file), release?: string): string {
  const abs = resolve(file);
  const rel = release === undefined ? '' : ` release = ${nixString(release)};`;
  return `import ${nixString(join(STUB_DIR, 'eval.nix'))} { file = /. + ${nixString(abs)}; kind = ${nixString(kind)};${rel} }`;
}

export class NixEvalError extends Error {}

/** The shells a file defines, by name (flake: devShells.x86_64-linux.<name>, plus `devShell`). */
export function evalShells(file: string, release?: string): Record<string, ShellEval> {
  // <nixpkgs> is the stub too, for shell.nix files that import it at the top level.
  const r = nixEvalJson(evalShellsExpr(file, kindOf(file), release), ['-I', `nixpkgs=${STUB_DIR}`]);
  if (!r.ok) throw new NixEvalError(`evaluating ${file} failed:\n${r.stderr}`);
  return (JSON.parse(r.stdout) as { shells: Record<string, ShellEval> }).shells;
}

function attrListExpr(attrs: string[]): string {
  return attrs.map((a) => `pkgs.${a.replace(/^pkgs\./, '')}`).join(' ');
}

/**
 * evalShells and libraryDirsOf in one nix-instantiate run (the corpus does this for every case,
 * and each run costs a process start).
 */
export function evalShellsWithDirs(file: string, attrs: string[]): { shells: Record<string, ShellEval>; dirs: string[] } {
  const expr =
    `let pkgs = import ${nixString(STUB_DIR)} { }; in ` +
    `{ shells = (${evalShellsExpr(file)}).shells; dirs = pkgs.lib.makeLibraryPath [ ${attrListExpr(attrs)} ]; }`;
  const r = nixEvalJson(expr, ['-I', `nixpkgs=${STUB_DIR}`]);
  if (!r.ok) throw new NixEvalError(`evaluating ${file} with ${attrs.join(', ')} failed:\n${r.stderr}`);
  const doc = JSON.parse(r.stdout) as { shells: Record<string, ShellEval>; dirs: string };
  return { shells: doc.shells, dirs: splitPath(doc.dirs) };
}

/** Evaluates `lib.makeLibraryPath [ pkgs.<attr> ... ]` in the stub: the dirs the attrs stand for. */
export function libraryDirsOf(attrs: string[]): string[] {
  if (attrs.length === 0) return [];
  const r = nixEvalJson(`let pkgs = import ${nixString(STUB_DIR)} { }; in pkgs.lib.makeLibraryPath [ ${attrListExpr(attrs)} ]`);
  if (!r.ok) throw new NixEvalError(`unknown attribute among ${attrs.join(', ')}:\n${r.stderr}`);
  return splitPath(JSON.parse(r.stdout) as string);
}

/**
 * Directories of a colon-separated value, shell expansions ($X, ${X:+...}) dropped; a trailing
 * `/` is dropped too (`…/lib/` and `…/lib` are one directory to ld.so).
 */
export function splitPath(value: string): string[] {
  return value
    .replace(/\$\{[^}]*\}/g, ':')
    .replace(/\$[A-Za-z_][A-Za-z0-9_]*/g, ':')
    .split(':')
    .map((s) => s.trim().replace(/(.)\/+$/, '$1'))
    .filter((s) => s.startsWith('/'));
}

const exportRe = /export\s+([A-Za-z_][A-Za-z0-9_]*)=("([^"]*)"|'([^']*)'|([^\s;]*))/g;

/** `export NAME=value` assignments in shell text, in order. */
export function exportsIn(text: string): { name: string; value: string }[] {
  const out: { name: string; value: string }[] = [];
  for (const m of text.matchAll(exportRe)) {
    out.push({ name: m[1] ?? '', value: m[3] ?? m[4] ?? m[5] ?? '' });
  }
  return out;
}

/**
 * Every directory the shell puts on variable `name`: the mkShell attribute, `env.NAME`, and any
 * `export NAME=...` in shellHook or another hook string (postShellHook, enterShell).
 */
export function dirsOfVar(shell: ShellEval, name: string): string[] {
  const dirs: string[] = [];
  const direct = [shell.vars[name], shell.env[name]];
  for (const v of direct) if (v !== undefined) dirs.push(...splitPath(v));
  const hooks = [shell.hook, ...Object.entries(shell.vars).filter(([k]) => k !== name).map(([, v]) => v)];
  for (const h of hooks) for (const e of exportsIn(h)) if (e.name === name) dirs.push(...splitPath(e.value));
  return [...new Set(dirs)];
}

export const LIBRARY_PATH_VARS = ['LD_LIBRARY_PATH', 'NIX_LD_LIBRARY_PATH'] as const;

/** Library-path variables a shell sets at all (in any of the places dirsOfVar looks). */
export function libraryVarsOf(shell: ShellEval): string[] {
  return LIBRARY_PATH_VARS.filter((v) => {
    if (shell.vars[v] !== undefined || shell.env[v] !== undefined) return true;
    const hooks = [shell.hook, ...Object.values(shell.vars)];
    return hooks.some((h) => exportsIn(h).some((e) => e.name === v));
  });
}
