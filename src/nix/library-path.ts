/**
 * Finds what feeds a dev shell's library path in a parsed Nix file: the `LD_LIBRARY_PATH` /
 * `NIX_LD_LIBRARY_PATH` attributes (also under `env`) and `export LD_LIBRARY_PATH=…` lines in
 * hook strings, followed through `makeLibraryPath`, `with`, `let`/`rec`/attribute bindings,
 * `inherit`, `++` concatenations and `"${pkg}/lib"` interpolations down to the list literals
 * (or interpolated strings) an editor can extend.
 */
import {
  type AttrName, type Binding, type Expr, type ExprOf, type NixFile, attrNameText, unparen, walk,
} from './ast.js';
import { DRIVER_LINK } from '../nixpkgs/attrs.js';
import { type Env, NIX_2_8_GLOBALS, resolve, walkScopes } from './scope.js';

export type SinkVia = 'LD_LIBRARY_PATH' | 'NIX_LD_LIBRARY_PATH';
const SINK_NAMES: ReadonlySet<string> = new Set(['LD_LIBRARY_PATH', 'NIX_LD_LIBRARY_PATH']);

/** A list literal whose elements reach the path. */
export interface ListFeed {
  kind: 'list';
  list: ExprOf<'List'>;
  /** Under optionals/optional/if: it may be empty, so it cannot be relied on or extended. */
  conditional: boolean;
  /** Elements are interpolated as `"${p}/lib"` (no makeLibraryPath): outputs must be explicit. */
  interpolated: boolean;
}

/** `"${a}/lib:${b}/lib"`: each interpolation followed by `/lib` is an element. */
export interface InterpFeed {
  kind: 'interp';
  string: Expr;
  elements: { expr: Expr; end: number }[];
}

export type Feed = ListFeed | InterpFeed;

export interface Sink {
  via: SinkVia;
  /** Offset of the attribute or of the `export` text that sets the variable. */
  at: number;
  feeds: Feed[];
  /** The path text itself names the driver directory (`/run/opengl-driver/lib`). */
  driverLiteral: boolean;
  /** Why (part of) the value could not be followed to a list. */
  unresolved: string[];
  /** The list arguments of the makeLibraryPath-like calls, as written (for `(ARG ++ [ … ])`). */
  calls: { arg: Expr; interpolated: boolean }[];
}

export interface ElementInfo {
  /** nixpkgs attribute path without `pkgs.`, when the element names one. */
  attr: string | undefined;
  driver: boolean;
}

export interface Analysis {
  file: NixFile;
  sinks: Sink[];
  envOf: ReadonlyMap<Expr, Env>;
  /** Attribute sets passed to mkShell / mkShellNoCC. */
  shells: ExprOf<'Attrs'>[];
  /** Calls of numtide devshell's `devshell.mkShell`: a module, with no free-form variables. */
  devshellCalls: number;
  /** A module's top-level attribute set (devenv.nix), when the file has no mkShell call. */
  moduleAttrs: ExprOf<'Attrs'> | undefined;
  /** What a list element names. */
  elementInfo(e: Expr): ElementInfo;
  /** Attribute path of a package expression relative to the package set ([] = the set). */
  attrChain(e: Expr): string[] | undefined;
  /** The expression a variable or static selection is bound to in this file. */
  resolveExpr(e: Expr): Expr | undefined;
  /**
   * `name` is an argument of a callPackage-style function (`{ stdenv, zlib }:`), so it names the
   * package of the same name and may be written bare.
   */
  isPackageArg(env: Env | undefined, name: string): boolean;
}

const MAX_DEPTH = 40;

/** `f a b c` as head `f` and arguments [a, b, c]. */
export function flattenApp(e: Expr): { head: Expr; args: Expr[] } {
  const args: Expr[] = [];
  let cur = unparen(e);
  while (cur.type === 'App') {
    args.unshift(cur.arg);
    cur = unparen(cur.fn);
  }
  return { head: cur, args };
}

/** The function name a head refers to: `f`, `lib.f`, `pkgs.lib.strings.f` all give `f`. */
export function headName(head: Expr): string | undefined {
  const h = unparen(head);
  if (h.type === 'Var') return h.name;
  if (h.type === 'Select' && h.default === undefined) {
    const last = h.path[h.path.length - 1];
    return last ? attrNameText(last) : undefined;
  }
  return undefined;
}

function stringLiteral(e: Expr): string | undefined {
  const s = unparen(e);
  if (s.type !== 'String' && s.type !== 'IndString') return undefined;
  if (s.parts.length === 0) return '';
  if (s.parts.length === 1 && s.parts[0]!.type === 'Literal') return s.parts[0]!.value;
  return undefined;
}

function staticPath(names: AttrName[]): string[] | undefined {
  const out: string[] = [];
  for (const n of names) {
    const s = attrNameText(n);
    if (s === undefined) return undefined;
    out.push(s);
  }
  return out;
}

/** The function whose `{ a, b, ... }:` pattern (not its `@` name) binds `name`, if one does. */
function patternFormalOf(env: Env | undefined, name: string): ExprOf<'Lambda'> | undefined {
  const r = resolve(env, name);
  if (r.kind !== 'bound') return undefined;
  const node = r.env.node;
  if (node?.type !== 'Lambda' || node.arg?.name === name) return undefined;
  return node.formals?.params.some((p) => p.name === name) ? node : undefined;
}

/** Selections that show a function argument is a whole package set (`{ p }: p.mkShell { … }`). */
const PACKAGE_SET_MEMBERS = new Set(['mkShell', 'mkShellNoCC', 'callPackage', 'legacyPackages', 'writeShellScriptBin', 'buildEnv']);

export function analyze(file: NixFile): Analysis {
  const envOf = new Map<Expr, Env>();
  walkScopes(file.root, NIX_2_8_GLOBALS, (e, env) => {
    if (!envOf.has(e)) envOf.set(e, env);
  });
  // Pattern arguments the file uses as a package set (`p.mkShell`): those are no single package.
  const packageSets = new Map<Expr, Set<string>>();
  walk(file.root, (e) => {
    if (e.type !== 'Select') return;
    const base = unparen(e.expr);
    const first = e.path[0] ? attrNameText(e.path[0]) : undefined;
    if (base.type !== 'Var' || first === undefined || !PACKAGE_SET_MEMBERS.has(first)) return;
    const fn = patternFormalOf(envOf.get(base), base.name);
    if (fn) packageSets.set(fn, (packageSets.get(fn) ?? new Set()).add(base.name));
  });
  const isPackageArg = (env: Env | undefined, name: string): boolean => {
    if (name === 'pkgs') return false;
    const fn = patternFormalOf(env, name);
    return fn !== undefined && !(packageSets.get(fn)?.has(name) ?? false);
  };
  const source = file.source;

  // ---- following names to their definitions ----

  const lookupIn = (node: Expr | undefined, path: string[], depth: number): Expr | undefined => {
    if (!node || depth > MAX_DEPTH) return undefined;
    if (node.type === 'Let' || node.type === 'Attrs' || node.type === 'LegacyLet') {
      return lookupBindings(node.bindings, path, node, depth + 1);
    }
    return undefined;
  };

  const lookupBindings = (bindings: Binding[], path: string[], owner: Expr, depth: number): Expr | undefined => {
    if (depth > MAX_DEPTH || path.length === 0) return undefined;
    for (const b of bindings) {
      if (b.type === 'Inherit') {
        if (!b.names.some((n) => attrNameText(n) === path[0])) continue;
        if (b.from) return lookupPath(b.from, path, depth + 1);
        // `inherit x;` takes x from the scope around the binding set.
        const outer = envOf.get(owner);
        const r = resolve(outer, path[0]!);
        return r.kind === 'bound' ? lookupIn(r.env.node, path, depth + 1) : undefined;
      }
      const names = staticPath(b.path);
      if (!names) continue;
      const n = Math.min(names.length, path.length);
      let same = true;
      for (let k = 0; k < n; k++) if (names[k] !== path[k]) same = false;
      if (!same) continue;
      if (names.length === path.length) return b.value;
      if (names.length < path.length) {
        const v = unparen(b.value);
        const set = v.type === 'Attrs' ? v : resolveExpr(v, depth + 1);
        if (set?.type === 'Attrs') {
          const r = lookupBindings(set.bindings, path.slice(names.length), set, depth + 1);
          if (r) return r;
        }
      }
    }
    return undefined;
  };

  /** Follows a variable or a static selection to the expression that defines it. */
  const resolveExpr = (e0: Expr, depth = 0): Expr | undefined => {
    if (depth > MAX_DEPTH) return undefined;
    const e = unparen(e0);
    if (e.type === 'Var') {
      const r = resolve(envOf.get(e), e.name);
      return r.kind === 'bound' ? lookupIn(r.env.node, [e.name], depth + 1) : undefined;
    }
    if (e.type === 'Select') {
      const names = staticPath(e.path);
      return names ? lookupPath(e.expr, names, depth + 1) : undefined;
    }
    return undefined;
  };

  /** The definition of `path` inside the attribute set `e` evaluates to. */
  const lookupPath = (e0: Expr, path: string[], depth: number): Expr | undefined => {
    if (depth > MAX_DEPTH) return undefined;
    const e = unparen(e0);
    if (e.type === 'Var') {
      // Also finds sets spread over nested bindings (`deps.runtime = …;`).
      const r = resolve(envOf.get(e), e.name);
      return r.kind === 'bound' ? lookupIn(r.env.node, [e.name, ...path], depth + 1) : undefined;
    }
    if (e.type === 'Select') {
      const names = staticPath(e.path);
      return names ? lookupPath(e.expr, [...names, ...path], depth + 1) : undefined;
    }
    const set = e.type === 'Attrs' ? e : undefined;
    return set ? lookupBindings(set.bindings, path, set, depth + 1) : undefined;
  };

  /**
   * The attribute path of a package expression relative to the package set (`pkgs.zlib` ->
   * [zlib], `zlib` under `with pkgs;` -> [zlib], `py.python` with `py = pkgs.python3Packages`
   * -> [python3Packages, python]); [] for the package set itself.
   */
  const attrChain = (e0: Expr, depth = 0): string[] | undefined => {
    if (depth > MAX_DEPTH) return undefined;
    const e = unparen(e0);
    if (e.type === 'Var') {
      const r = resolve(envOf.get(e), e.name);
      if (r.kind !== 'bound') return [e.name];
      if (e.name === 'pkgs') return [];
      const node = r.env.node;
      if (node?.type === 'Lambda') {
        const formal = node.formals?.params.find((p) => p.name === e.name);
        // A default like `nixpkgs ? import <nixpkgs> {}` says what the argument is.
        if (formal?.default) return attrChain(formal.default, depth + 1) ?? (isPackageArg(envOf.get(e), e.name) ? [e.name] : []);
        // `{ stdenv, zlib }:` is called by callPackage: each formal is the package of that name.
        if (isPackageArg(envOf.get(e), e.name)) return [e.name];
        return []; // a plain function argument or a pattern one used as such: a package set (`p: [ p.zlib ]`)
      }
      const def = lookupIn(r.env.node, [e.name], depth + 1);
      if (!def) return [];
      // Only what evidently is the package set counts as one: `toolchain = pkgs.rust-bin.f x;`
      // is a package, and `toolchain.zlib` is no package of nixpkgs.
      return attrChain(def, depth + 1);
    }
    if (e.type === 'Select') {
      const names = staticPath(e.path);
      const base = attrChain(e.expr, depth + 1);
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
    if (e.type === 'App') {
      const { head } = flattenApp(e);
      if (headName(head) === 'import') return [];
    }
    return undefined;
  };

  const elementInfo = (e0: Expr): ElementInfo => {
    const e = unparen(e0);
    const lit = stringLiteral(e);
    if (lit !== undefined) {
      const driver = lit.replace(/\/+$/, '') === DRIVER_LINK;
      return { attr: undefined, driver };
    }
    if ((e.type === 'String' || e.type === 'IndString') && e.parts.length === 1 && e.parts[0]!.type === 'Interpolation') {
      return elementInfo(e.parts[0]!.expr);
    }
    if (e.type === 'App') {
      const { head, args } = flattenApp(e);
      const name = headName(head);
      if (name === 'getLib' && args.length === 1) return elementInfo(args[0]!);
      if (name === 'getOutput' && args.length === 2 && stringLiteral(args[0]!) === 'lib') return elementInfo(args[1]!);
      return { attr: undefined, driver: false };
    }
    if (e.type === 'Var' || e.type === 'Select') {
      const chain = attrChain(e);
      if (!chain || chain.length === 0) return { attr: undefined, driver: false };
      // `pkg.outPath` is the package's default output, as `"${pkg}"` is.
      const names = chain[chain.length - 1] === 'outPath' ? chain.slice(0, -1) : chain;
      if (names.length === 0) return { attr: undefined, driver: false };
      if (names[names.length - 1] === 'driverLink') return { attr: undefined, driver: true };
      return { attr: names.join('.'), driver: false };
    }
    return { attr: undefined, driver: false };
  };

  // ---- what a library-path value is made of ----

  const addListArg = (e0: Expr, sink: Sink, conditional: boolean, interpolated: boolean, depth: number): boolean => {
    if (depth > MAX_DEPTH) return false;
    const e = unparen(e0);
    switch (e.type) {
      case 'List':
        sink.feeds.push({ kind: 'list', list: e, conditional, interpolated });
        return true;
      case 'With':
        return addListArg(e.body, sink, conditional, interpolated, depth + 1);
      case 'Binary':
        if (e.op === '++') {
          const l = addListArg(e.lhs, sink, conditional, interpolated, depth + 1);
          const r = addListArg(e.rhs, sink, conditional, interpolated, depth + 1);
          return l || r;
        }
        break;
      case 'If':
        return [
          addListArg(e.then, sink, true, interpolated, depth + 1),
          addListArg(e.else, sink, true, interpolated, depth + 1),
        ].some(Boolean);
      case 'App': {
        const { head, args } = flattenApp(e);
        const name = headName(head);
        if (name === 'optionals' && args.length === 2) return addListArg(args[1]!, sink, true, interpolated, depth + 1);
        if (name === 'optional' && args.length === 2) return true; // one conditional element
        break;
      }
      case 'Var':
      case 'Select': {
        const def = resolveExpr(e);
        if (def) return addListArg(def, sink, conditional, interpolated, depth + 1);
        sink.unresolved.push(`${source.slice(e.start, e.end)} is not defined in this file`);
        return false;
      }
      default:
        break;
    }
    sink.unresolved.push(`the library list is computed (${source.slice(e.start, Math.min(e.end, e.start + 40))})`);
    return false;
  };

  /** Is this a function `p: "${p}/lib"` (a map to library directories)? */
  const isLibDirLambda = (e0: Expr): boolean => {
    const e = unparen(e0);
    if (e.type !== 'Lambda' || !e.arg) return false;
    const body = unparen(e.body);
    if (body.type !== 'String' && body.type !== 'IndString') return false;
    const [a, b] = body.parts;
    return body.parts.length === 2 && a?.type === 'Interpolation' && b?.type === 'Literal' && b.value === '/lib';
  };

  const analyzeValue = (e0: Expr, sink: Sink, depth: number): boolean => {
    if (depth > MAX_DEPTH) return false;
    const e = unparen(e0);
    switch (e.type) {
      case 'With':
        return analyzeValue(e.body, sink, depth + 1);
      case 'String':
      case 'IndString':
        return analyzeRegion(e, 0, e.start, e.end, sink, depth + 1);
      case 'Binary':
        if (e.op === '+') {
          const l = analyzeValue(e.lhs, sink, depth + 1);
          const r = analyzeValue(e.rhs, sink, depth + 1);
          return l || r;
        }
        return false;
      case 'App': {
        const { head, args } = flattenApp(e);
        const name = headName(head);
        const call = (arg: Expr, interpolated: boolean): boolean => {
          sink.calls.push({ arg, interpolated });
          addListArg(arg, sink, false, interpolated, depth + 1);
          return true;
        };
        if (name === 'makeLibraryPath' && args.length === 1) return call(args[0]!, false);
        if (name === 'makeSearchPathOutput' && args.length === 3 && stringLiteral(args[0]!) === 'lib' && stringLiteral(args[1]!) === 'lib') {
          return call(args[2]!, false);
        }
        if (name === 'concatMapStringsSep' && args.length === 3 && isLibDirLambda(args[1]!)) {
          return call(args[2]!, true);
        }
        if (name === 'concatStringsSep' && args.length === 2) {
          const arg = unparen(args[1]!);
          const { head: h2, args: a2 } = flattenApp(arg);
          if (headName(h2) === 'map' && a2.length === 2 && isLibDirLambda(a2[0]!)) {
            sink.calls.push({ arg: a2[1]!, interpolated: true });
            addListArg(a2[1]!, sink, false, true, depth + 1);
            return true;
          }
          const list = arg.type === 'List' ? arg : resolveExpr(arg);
          if (list?.type === 'List') {
            return list.elements.map((el) => analyzeValue(el, sink, depth + 1)).some(Boolean);
          }
        }
        return false;
      }
      case 'Var':
      case 'Select': {
        const def = resolveExpr(e);
        return def ? analyzeValue(def, sink, depth + 1) : false;
      }
      default:
        return false;
    }
  };

  /**
   * Part of a string, from part index `from` (and source offset `startAt` inside it) up to
   * source offset `endAt`: `${pkg}/lib` elements, makeLibraryPath interpolations, the driver dir.
   */
  const analyzeRegion = (s: ExprOf<'String'> | ExprOf<'IndString'>, from: number, startAt: number, endAt: number, sink: Sink, depth: number): boolean => {
    let found = false;
    let interp: InterpFeed | undefined;
    for (let k = from; k < s.parts.length; k++) {
      const part = s.parts[k]!;
      if (part.start >= endAt) break;
      if (part.type === 'Literal') {
        const text = source.slice(Math.max(part.start, startAt), Math.min(part.end, endAt));
        if (text.includes(`${DRIVER_LINK}/lib`)) {
          sink.driverLiteral = true;
          found = true;
        }
        continue;
      }
      const next = s.parts[k + 1];
      const dir = next?.type === 'Literal' ? /^\/lib(?:64)?(?![\w.-])/.exec(source.slice(next.start, next.end)) : null;
      if (next && dir) {
        if (!interp) {
          interp = { kind: 'interp', string: s, elements: [] };
          sink.feeds.push(interp);
        }
        interp.elements.push({ expr: part.expr, end: next.start + dir[0].length });
        found = true;
        continue;
      }
      if (analyzeValue(part.expr, sink, depth + 1)) found = true;
    }
    return found;
  };

  // ---- the sinks ----

  const sinks: Sink[] = [];
  const shells: ExprOf<'Attrs'>[] = [];
  let mkShellCalls = 0;

  /** The attribute set literal a mkShell argument is: `{ … }`, `shellAttrs`, `{ … } // extra`. */
  const shellSet = (arg: Expr): ExprOf<'Attrs'> | undefined => {
    let e = unparen(arg);
    while (e.type === 'Binary' && e.op === '//') e = unparen(e.lhs);
    if (e.type === 'Attrs') return e;
    const def = resolveExpr(e);
    return def && unparen(def).type === 'Attrs' ? (unparen(def) as ExprOf<'Attrs'>) : undefined;
  };
  const EXPORT = /(^|[^A-Za-z0-9_])((?:NIX_)?LD_LIBRARY_PATH)=/g;
  let devshellCalls = 0;
  /** `devshell.mkShell` / `perSystem.devshell.mkShell` (numtide devshell), not nixpkgs' mkShell. */
  const isDevshellHead = (h: Expr): boolean => {
    let cur = unparen(h);
    const names: string[] = [];
    while (cur.type === 'Select') {
      for (const n of cur.path) names.push(attrNameText(n) ?? '');
      cur = unparen(cur.expr);
    }
    if (cur.type === 'Var') names.push(cur.name);
    return names.includes('devshell');
  };
  /**
   * Where a sink sits: in a dev shell (mkShell), in a package's derivation (mkDerivation,
   * buildRustPackage, …), or elsewhere. The nearest call decides.
   */
  const DERIVATION_BUILDER = /^(mkDerivation|build[A-Z][A-Za-z0-9]*)$/;
  const placeOf = (parents: readonly Expr[]): 'shell' | 'derivation' | 'other' => {
    for (let k = parents.length - 1; k >= 0; k--) {
      const p = parents[k]!;
      if (p.type !== 'App') continue;
      const name = headName(unparen(flattenApp(p).head));
      if (name === 'mkShell' || name === 'mkShellNoCC') return 'shell';
      // buildFHSEnv / buildEnv make environments people enter, not packages.
      if (name !== undefined && DERIVATION_BUILDER.test(name) && !/Env$/.test(name)) return 'derivation';
    }
    return 'other';
  };
  const places = new Map<Sink, 'shell' | 'derivation' | 'other'>();

  walk(file.root, (e, parents) => {
    if (e.type === 'Attrs') {
      for (const b of e.bindings) {
        if (b.type === 'Inherit') {
          // `inherit LD_LIBRARY_PATH;` / `inherit (paths) LD_LIBRARY_PATH;`
          for (const n of b.names) {
            const name = attrNameText(n);
            if (name === undefined || !SINK_NAMES.has(name)) continue;
            const sink: Sink = { via: name as SinkVia, at: n.start, feeds: [], driverLiteral: false, unresolved: [], calls: [] };
            let def: Expr | undefined;
            if (b.from) def = lookupPath(b.from, [name], 0);
            else {
              const r = resolve(envOf.get(e), name);
              def = r.kind === 'bound' ? lookupIn(r.env.node, [name], 0) : undefined;
            }
            if (def) analyzeValue(def, sink, 0);
            else sink.unresolved.push(`inherited ${name} is not defined in this file`);
            sinks.push(sink);
            places.set(sink, placeOf(parents));
          }
          continue;
        }
        const last = attrNameText(b.path[b.path.length - 1]!);
        if (last === undefined || !SINK_NAMES.has(last)) continue;
        const sink: Sink = { via: last as SinkVia, at: b.start, feeds: [], driverLiteral: false, unresolved: [], calls: [] };
        analyzeValue(b.value, sink, 0);
        sinks.push(sink);
        places.set(sink, placeOf(parents));
      }
    } else if (e.type === 'String' || e.type === 'IndString') {
      e.parts.forEach((part, k) => {
        if (part.type !== 'Literal') return;
        const text = source.slice(part.start, part.end);
        for (const m of text.matchAll(EXPORT)) {
          const at = part.start + m.index + m[1]!.length;
          const valueStart = at + m[2]!.length + 1;
          // The exported value runs to the end of its line.
          let lineEnd = source.indexOf('\n', valueStart);
          if (lineEnd < 0 || lineEnd > e.end) lineEnd = e.end;
          const sink: Sink = { via: m[2] as SinkVia, at, feeds: [], driverLiteral: false, unresolved: [], calls: [] };
          if (analyzeRegion(e, k, valueStart, lineEnd, sink, 0)) {
            sinks.push(sink);
            places.set(sink, placeOf(parents));
          }
        }
      });
    } else if (e.type === 'App') {
      const { head, args } = flattenApp(e);
      const h = unparen(head);
      let name = headName(h);
      let minArgs = 1;
      if (name === 'override' && h.type === 'Select' && h.path.length >= 2) {
        // `(mkShell.override { … }) { shell attrs }`: the shell's set is the second argument.
        name = attrNameText(h.path[h.path.length - 2]!);
        minArgs = 2;
      }
      const lastArg = args[args.length - 1];
      // Only the outermost application (`f a b`, not its part `f a`) is the call.
      const parent = parents[parents.length - 1];
      const grand = parents[parents.length - 2];
      const isCallee = (parent?.type === 'App' && parent.fn === e)
        || (parent?.type === 'Paren' && grand?.type === 'App' && grand.fn === parent);
      if ((name === 'mkShell' || name === 'mkShellNoCC') && lastArg && args.length >= minArgs && !isCallee) {
        mkShellCalls++;
        const set = shellSet(lastArg);
        if (isDevshellHead(h)) devshellCalls++;
        else if (set) shells.push(set);
      }
    }
  });

  // A package built in the same file as the dev shell keeps its own library path: with a
  // shell's path at hand, the shell's is the one to extend.
  if (sinks.some((k) => places.get(k) === 'shell')) {
    for (let k = sinks.length - 1; k >= 0; k--) if (places.get(sinks[k]!) === 'derivation') sinks.splice(k, 1);
  }

  let moduleAttrs: ExprOf<'Attrs'> | undefined;
  if (mkShellCalls === 0) {
    let body = unparen(file.root);
    if (body.type === 'Lambda') {
      body = unparen(body.body);
      while (body.type === 'Let' || body.type === 'With') body = unparen(body.body);
      if (body.type === 'Attrs') moduleAttrs = body;
    }
  }

  return { file, sinks, envOf, shells, moduleAttrs, elementInfo, attrChain: (e) => attrChain(e), resolveExpr: (e) => resolveExpr(e), isPackageArg, devshellCalls };
}
