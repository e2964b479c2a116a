/**
 * How a new element is written in the file's own spelling: the package set's name as the file
 * uses it (`pkgs.`, `nixpkgs.`, `p.`, bare under `with pkgs;` or as callPackage arguments), the
 * file's `lib`, and the library output only where it matters (a plain `"${X}/lib"` string does
 * not select it; makeLibraryPath and a map over `getLib` do).
 */
import { type Expr, unparen } from './ast.js';
import { flattenApp, headName } from './calls.js';
import type { Analysis } from './library-path.js';
import { type Env, resolve } from './scope.js';
import { DRIVER_ELEMENT, libraryOutput } from '../nixpkgs/attrs.js';
import { isKeyword } from './lexer.js';

export interface Spelling {
  /** Prefix for package attributes: `pkgs.`, `p.` or '' (bare, under `with pkgs;`). */
  prefix: string;
  /** Prefix for lib functions: `pkgs.lib.`, `lib.`, `nixpkgs.lib.`. */
  lib: string | undefined;
  /** The file's own getLib call for string elements (`lib.getLib`), when its elements use one. */
  getLib?: string;
}

function isPkgsWith(an: Analysis, env: Env | undefined): boolean {
  for (let cur = env; cur; cur = cur.parent) {
    if (cur.kind === 'with') {
      const chain = an.attrChain(cur.scope);
      if (chain && chain.length === 0) return true;
    }
  }
  return false;
}

function libSpelling(env: Env | undefined, setName: string | undefined): string | undefined {
  if (resolve(env, 'pkgs').kind === 'bound') return 'pkgs.lib.';
  if (resolve(env, 'lib').kind !== 'unbound') return 'lib.';
  // Every package set has its `lib` (nixpkgs' top-level `lib = lib;`).
  return setName !== undefined ? `${setName}.lib.` : undefined;
}

/** `getLib X` / `lib.getLib X` among a string's elements: the file's spelling of the call. */
function getLibSpelling(an: Analysis, existing: Expr[]): string | undefined {
  for (const e0 of existing) {
    const e = unparen(e0);
    if (e.type !== 'App') continue;
    const { head, args } = flattenApp(e);
    if (headName(head) === 'getLib' && args.length === 1) return an.file.source.slice(head.start, head.end);
  }
  return undefined;
}

/** The package inside an element (`"${pkgs.X}/lib"`, `getLib X`, `X.out`) for judging its spelling. */
function packageOf(e0: Expr): Expr {
  let e = unparen(e0);
  if ((e.type === 'String' || e.type === 'IndString') && e.parts[0]?.type === 'Interpolation') e = unparen(e.parts[0].expr);
  if (e.type === 'App') {
    const { args } = flattenApp(e);
    if (args.length > 0) e = unparen(args[args.length - 1]!);
  }
  while (e.type === 'Select') e = unparen(e.expr);
  return e;
}

/** Spelling for new elements: mimic the existing elements, else what the scope offers. */
export function spellingFor(an: Analysis, env: Env | undefined, existing: Expr[]): Spelling | undefined {
  const getLib = getLibSpelling(an, existing);
  const withGetLib = (s: Spelling): Spelling => (getLib !== undefined ? { ...s, getLib } : s);
  for (const e0 of existing) {
    const e = packageOf(e0);
    if (e.type !== 'Var') continue;
    const r = resolve(an.envOf.get(e), e.name);
    if (r.kind === 'with') return withGetLib({ prefix: '', lib: libSpelling(env, undefined) });
    if (r.kind === 'unbound') continue;
    const chain = an.attrChain(e);
    if (chain && chain.length === 0) return withGetLib({ prefix: `${e.name}.`, lib: libSpelling(env, e.name) });
    // `{ stdenv, zlib }: … [ zlib ]`: the file names packages by its own arguments.
    if (an.isPackageArg(an.envOf.get(e), e.name)) return withGetLib({ prefix: '', lib: libSpelling(env, undefined) });
  }
  if (isPkgsWith(an, env)) return { prefix: '', lib: libSpelling(env, undefined) };
  if (resolve(env, 'pkgs').kind === 'bound') return { prefix: 'pkgs.', lib: libSpelling(env, 'pkgs') };
  return undefined;
}

const PLAIN_NAME = /^[A-Za-z_][A-Za-z0-9_'-]*$/;

/** `a.b` as Nix source; segments that are not plain names are quoted (`"gtk+"`). */
function attrPathSource(attr: string): string | undefined {
  const segments = attr.split('.');
  if (segments.some((s) => s.length === 0)) return undefined;
  return segments
    .map((s) => (PLAIN_NAME.test(s) && !isKeyword(s) ? s : JSON.stringify(s).replace(/\$\{/g, '\\${')))
    .join('.');
}

/** The package-set prefix for `rawAttr` at `env`, or why it cannot be written there. */
function prefixFor(an: Analysis, rawAttr: string, attr: string, sp: Spelling, env: Env | undefined): string | { reason: string } {
  if (sp.prefix !== '') return sp.prefix;
  const first = rawAttr.split('.')[0]!;
  const bare = resolve(env, first).kind === 'with' || an.isPackageArg(env, first);
  if (bare && !attr.startsWith('"')) return '';
  // A bare name would hit a local binding: use `pkgs.` if it is in scope.
  if (resolve(env, 'pkgs').kind === 'bound') return 'pkgs.';
  if (resolve(env, first).kind === 'unbound') {
    // A callPackage-style file (`{ lib, mkShell, zlib }:`) gets its packages as arguments.
    return { reason: `'${first}' is not in scope and no 'pkgs' is: add ${first} to the file's function arguments` };
  }
  return { reason: `'${first}' cannot be written as a bare name here and no 'pkgs' is in scope` };
}

/**
 * An element naming `attr`, or a reason it cannot be written here. `explicitOutput`: nothing
 * around the element selects the library output (a `"${X}/lib"` string), so the element does:
 * the file's own getLib when its elements use one, else the output the index names (`X.out`,
 * `X.lib`: what getLib would pick), else getLib.
 */
export function elementText(an: Analysis, rawAttr: string, sp: Spelling, env: Env | undefined, explicitOutput: boolean): string | { reason: string } {
  const attr = attrPathSource(rawAttr);
  if (attr === undefined) return { reason: `'${rawAttr}' is not an attribute path` };
  const prefix = prefixFor(an, rawAttr, attr, sp, env);
  if (typeof prefix !== 'string') return prefix;
  const plain = `${prefix}${attr}`;
  if (!explicitOutput || rawAttr === DRIVER_ELEMENT || /\.(lib|out)$/.test(rawAttr)) return plain;
  if (sp.getLib !== undefined) return `${sp.getLib} ${plain}`;
  const output = libraryOutput(rawAttr);
  if (output !== undefined) return `${plain}.${output}`;
  // Inside existing code, a `lib` the file binds itself is its own spelling.
  const lib = resolve(env, 'lib').kind === 'bound' ? 'lib.' : sp.lib;
  if (!lib) return { reason: 'no lib in scope to select the library output (lib.getLib)' };
  return `${lib}getLib ${plain}`;
}
