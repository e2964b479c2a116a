/**
 * Following names in a Nix file to their definitions: variables through `let`/`rec`/attribute
 * bindings and `inherit`, static selections through nested sets, and package expressions to
 * their attribute path in the package set (`pkgs.zlib`, `zlib` under `with pkgs;`, a
 * callPackage-style argument).
 */
import { type Binding, type Expr, type ExprOf, type NixFile, attrNameText, unparen, walk } from './ast.js';
import { flattenApp, headName, staticPath } from './calls.js';
import { type Env, NIX_2_8_GLOBALS, resolve, walkScopes } from './scope.js';

/** How deep a chain of definitions is followed before giving up (cycles, pathological files). */
export const MAX_DEPTH = 40;

/** Selections that show a function argument is a whole package set (`{ p }: p.mkShell { … }`). */
const PACKAGE_SET_MEMBERS = new Set(['mkShell', 'mkShellNoCC', 'callPackage', 'legacyPackages', 'writeShellScriptBin', 'buildEnv']);

/** The function whose `{ a, b, ... }:` pattern (not its `@` name) binds `name`, if one does. */
function patternFormalOf(env: Env | undefined, name: string): ExprOf<'Lambda'> | undefined {
  const r = resolve(env, name);
  if (r.kind !== 'bound') return undefined;
  const node = r.env.node;
  if (node?.type !== 'Lambda' || node.arg?.name === name) return undefined;
  return node.formals?.params.some((p) => p.name === name) ? node : undefined;
}

function environments(file: NixFile): Map<Expr, Env> {
  const envOf = new Map<Expr, Env>();
  walkScopes(file.root, NIX_2_8_GLOBALS, (e, env) => {
    if (!envOf.has(e)) envOf.set(e, env);
  });
  return envOf;
}

/** Pattern arguments the file uses as a package set (`p.mkShell`): those are no single package. */
function packageSetArgs(file: NixFile, envOf: ReadonlyMap<Expr, Env>): Map<Expr, Set<string>> {
  const sets = new Map<Expr, Set<string>>();
  walk(file.root, (e) => {
    if (e.type !== 'Select') return;
    const base = unparen(e.expr);
    const first = e.path[0] ? attrNameText(e.path[0]) : undefined;
    if (base.type !== 'Var' || first === undefined || !PACKAGE_SET_MEMBERS.has(first)) return;
    const fn = patternFormalOf(envOf.get(base), base.name);
    if (fn) sets.set(fn, (sets.get(fn) ?? new Set()).add(base.name));
  });
  return sets;
}

function samePrefix(names: string[], path: string[]): boolean {
  const n = Math.min(names.length, path.length);
  for (let k = 0; k < n; k++) if (names[k] !== path[k]) return false;
  return true;
}

export class Names {
  readonly envOf: ReadonlyMap<Expr, Env>;
  private readonly packageSets: ReadonlyMap<Expr, Set<string>>;

  constructor(readonly file: NixFile) {
    this.envOf = environments(file);
    this.packageSets = packageSetArgs(file, this.envOf);
  }

  /**
   * `name` is an argument of a callPackage-style function (`{ stdenv, zlib }:`), so it names the
   * package of the same name and may be written bare.
   */
  isPackageArg(env: Env | undefined, name: string): boolean {
    if (name === 'pkgs') return false;
    const fn = patternFormalOf(env, name);
    return fn !== undefined && !(this.packageSets.get(fn)?.has(name) ?? false);
  }

  /** The definition of `path` in the bindings of a `let`, set or legacy let. */
  lookupIn(node: Expr | undefined, path: string[], depth: number): Expr | undefined {
    if (!node || depth > MAX_DEPTH) return undefined;
    if (node.type === 'Let' || node.type === 'Attrs' || node.type === 'LegacyLet') {
      return this.lookupBindings(node.bindings, path, node, depth + 1);
    }
    return undefined;
  }

  /** The definition of the variable `name` as seen from `at`. */
  lookupVar(at: Expr, name: string, depth = 0): Expr | undefined {
    const r = resolve(this.envOf.get(at), name);
    return r.kind === 'bound' ? this.lookupIn(r.env.node, [name], depth + 1) : undefined;
  }

  private lookupBindings(bindings: Binding[], path: string[], owner: Expr, depth: number): Expr | undefined {
    if (depth > MAX_DEPTH || path.length === 0) return undefined;
    for (const b of bindings) {
      if (b.type === 'Inherit') {
        if (!b.names.some((n) => attrNameText(n) === path[0])) continue;
        if (b.from) return this.lookupPath(b.from, path, depth + 1);
        // `inherit x;` takes x from the scope around the binding set.
        const r = resolve(this.envOf.get(owner), path[0]!);
        return r.kind === 'bound' ? this.lookupIn(r.env.node, path, depth + 1) : undefined;
      }
      const names = staticPath(b.path);
      if (!names || !samePrefix(names, path)) continue;
      if (names.length === path.length) return b.value;
      if (names.length < path.length) {
        const found = this.lookupInValue(b.value, path.slice(names.length), depth + 1);
        if (found) return found;
      }
    }
    return undefined;
  }

  /** `a = { b = …; }` or `a = otherSet;` looked up further for `a.b`. */
  private lookupInValue(value: Expr, rest: string[], depth: number): Expr | undefined {
    const v = unparen(value);
    const set = v.type === 'Attrs' ? v : this.resolveExpr(v, depth);
    return set?.type === 'Attrs' ? this.lookupBindings(set.bindings, rest, set, depth + 1) : undefined;
  }

  /** Follows a variable or a static selection to the expression that defines it. */
  resolveExpr(e0: Expr, depth = 0): Expr | undefined {
    if (depth > MAX_DEPTH) return undefined;
    const e = unparen(e0);
    if (e.type === 'Var') return this.lookupVar(e, e.name, depth);
    if (e.type === 'Select') {
      const names = staticPath(e.path);
      return names ? this.lookupPath(e.expr, names, depth + 1) : undefined;
    }
    return undefined;
  }

  /** The definition of `path` inside the attribute set `e` evaluates to. */
  lookupPath(e0: Expr, path: string[], depth: number): Expr | undefined {
    if (depth > MAX_DEPTH) return undefined;
    const e = unparen(e0);
    if (e.type === 'Var') {
      // Also finds sets spread over nested bindings (`deps.runtime = …;`).
      const r = resolve(this.envOf.get(e), e.name);
      return r.kind === 'bound' ? this.lookupIn(r.env.node, [e.name, ...path], depth + 1) : undefined;
    }
    if (e.type === 'Select') {
      const names = staticPath(e.path);
      return names ? this.lookupPath(e.expr, [...names, ...path], depth + 1) : undefined;
    }
    return e.type === 'Attrs' ? this.lookupBindings(e.bindings, path, e, depth + 1) : undefined;
  }

  /**
   * The attribute path of a package expression relative to the package set (`pkgs.zlib` ->
   * [zlib], `zlib` under `with pkgs;` -> [zlib], `py.python` with `py = pkgs.python3Packages`
   * -> [python3Packages, python]); [] for the package set itself.
   */
  attrChain(e0: Expr, depth = 0): string[] | undefined {
    if (depth > MAX_DEPTH) return undefined;
    const e = unparen(e0);
    if (e.type === 'Var') return this.varChain(e, depth);
    if (e.type === 'Select') return this.selectChain(e, depth);
    if (e.type === 'App' && headName(flattenApp(e).head) === 'import') return [];
    return undefined;
  }

  private varChain(e: ExprOf<'Var'>, depth: number): string[] | undefined {
    const env = this.envOf.get(e);
    const r = resolve(env, e.name);
    if (r.kind !== 'bound') return [e.name];
    if (e.name === 'pkgs') return [];
    const node = r.env.node;
    if (node?.type === 'Lambda') {
      const formal = node.formals?.params.find((p) => p.name === e.name);
      const asPackage = this.isPackageArg(env, e.name) ? [e.name] : [];
      // A default like `nixpkgs ? import <nixpkgs> {}` says what the argument is.
      if (formal?.default) return this.attrChain(formal.default, depth + 1) ?? asPackage;
      // `{ stdenv, zlib }:` is called by callPackage: each formal is the package of that name;
      // a plain function argument or a pattern one used as such is a package set (`p: [ p.zlib ]`).
      return asPackage;
    }
    const def = this.lookupIn(node, [e.name], depth + 1);
    // Only what evidently is the package set counts as one: `toolchain = pkgs.rust-bin.f x;`
    // is a package, and `toolchain.zlib` is no package of nixpkgs.
    return def ? this.attrChain(def, depth + 1) : [];
  }

  private selectChain(e: ExprOf<'Select'>, depth: number): string[] | undefined {
    const names = staticPath(e.path);
    const base = this.attrChain(e.expr, depth + 1);
    if (!names && base) {
      // `nixpkgs.legacyPackages.${system}`: the package set, whatever the system.
      const k = e.path.findIndex((n) => attrNameText(n) === undefined);
      const rest = staticPath(e.path.slice(k + 1));
      if (k > 0 && attrNameText(e.path[k - 1]!) === 'legacyPackages' && rest) return rest;
    }
    if (!names || !base) return undefined;
    const chain = [...base, ...names];
    const lp = chain.indexOf('legacyPackages');
    return lp >= 0 ? chain.slice(lp + 2) : chain;
  }
}
