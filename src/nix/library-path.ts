/**
 * Finds what feeds a dev shell's library path in a parsed Nix file: the `LD_LIBRARY_PATH` /
 * `NIX_LD_LIBRARY_PATH` attributes (also under `env`) and `export LD_LIBRARY_PATH=…` lines in
 * hook strings (sink discovery, here), followed through names (./names.ts) and values
 * (./path-value.ts) down to the list literals or interpolated strings an editor can extend,
 * whose elements ./elements.ts reads.
 */
import { type Binding, type Expr, type ExprOf, type NixFile, attrNameText, unparen, walk } from './ast.js';
import { flattenApp, headName, selectionNames, stringLiteral } from './calls.js';
import { type ElementInfo, elementInfo } from './elements.js';
import { Names } from './names.js';
import { ValueReader } from './path-value.js';
import { type Sink, type SinkVia, SINK_NAMES, newSink } from './sink.js';
import type { Env } from './scope.js';

export type { ElementInfo } from './elements.js';
export type { Feed, InterpFeed, ListFeed, Sink, SinkVia } from './sink.js';

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
  /**
   * `name` is an argument of a callPackage-style function (`{ stdenv, zlib }:`), so it names the
   * package of the same name and may be written bare.
   */
  isPackageArg(env: Env | undefined, name: string): boolean;
}

type Place = 'shell' | 'derivation' | 'other';

/** `export LD_LIBRARY_PATH=` / `NIX_LD_LIBRARY_PATH=` in a string's literal text. */
const EXPORT = /(^|[^A-Za-z0-9_])((?:NIX_)?LD_LIBRARY_PATH)=/g;
const DERIVATION_BUILDER = /^(mkDerivation|build[A-Z][A-Za-z0-9]*)$/;
const isShellBuilder = (name: string | undefined): boolean => name === 'mkShell' || name === 'mkShellNoCC';

/** The builder a call's head names: `mkShell`, also for `mkShell.override { … }`. */
function builderName(h0: Expr): string | undefined {
  const h = unparen(h0);
  const name = headName(h);
  if (name === 'override' && h.type === 'Select' && h.path.length >= 2) return attrNameText(h.path[h.path.length - 2]!);
  return name;
}

/**
 * Where a sink sits: in a dev shell (mkShell, numtide devshell), in a package's derivation
 * (mkDerivation, buildRustPackage, …), or elsewhere. The nearest call decides; `call` is it.
 */
function placeOf(parents: readonly Expr[]): { place: Place; call: Expr | undefined } {
  for (let k = parents.length - 1; k >= 0; k--) {
    const p = parents[k]!;
    if (p.type !== 'App' || isCallee(p, parents.slice(0, k))) continue;
    const name = builderName(flattenApp(p).head);
    if (isShellBuilder(name)) return { place: 'shell', call: p };
    // buildFHSEnv / buildEnv make environments people enter, not packages.
    if (name !== undefined && DERIVATION_BUILDER.test(name) && !/Env$/.test(name)) return { place: 'derivation', call: p };
  }
  return { place: 'other', call: undefined };
}

/**
 * A `#` that starts a shell comment before `at` on its line, inside a hook string: the export
 * after it is commented out. (A `#` starts a comment at the start of a word: POSIX 2.3 rule 9.)
 */
function inShellComment(source: string, s: Expr, at: number): boolean {
  const lineStart = Math.max(source.lastIndexOf('\n', at - 1) + 1, s.start + 1);
  return /(^|[\s;&|()])#/.test(source.slice(lineStart, at));
}

/** The value of an export keeps the variable's own value (`$LD_LIBRARY_PATH`, `${LD_LIBRARY_PATH:-}`). */
function keepsOwnValue(text: string, via: SinkVia): boolean {
  return new RegExp(`\\$\\{?${via}(?![A-Za-z0-9_])`).test(text);
}

/** numtide devshell's `env = [ { name = "LD_LIBRARY_PATH"; value = …; } ]` entry: its `value`. */
function devshellEnvValue(set: ExprOf<'Attrs'>): { via: SinkVia; value: Binding } | undefined {
  let via: SinkVia | undefined;
  let value: Binding | undefined;
  for (const b of set.bindings) {
    if (b.type !== 'AttrDef' || b.path.length !== 1) continue;
    const key = attrNameText(b.path[0]!);
    const text = stringLiteral(b.value);
    if (key === 'name' && text !== undefined && SINK_NAMES.has(text)) via = text as SinkVia;
    if (key === 'value') value = b;
  }
  return via && value ? { via, value } : undefined;
}

/** `devshell.mkShell` / `perSystem.devshell.mkShell` (numtide devshell), not nixpkgs' mkShell. */
function isDevshellHead(h: Expr): boolean {
  return selectionNames(h).includes('devshell');
}

/** Only the outermost application (`f a b`, not its part `f a`) is the call. */
function isCallee(e: Expr, parents: readonly Expr[]): boolean {
  const parent = parents[parents.length - 1];
  const grand = parents[parents.length - 2];
  return (parent?.type === 'App' && parent.fn === e) || (parent?.type === 'Paren' && grand?.type === 'App' && grand.fn === parent);
}

/** The top-level attribute set of a module (`{ pkgs, ... }: { … }`, devenv.nix). */
function moduleAttrsOf(file: NixFile): ExprOf<'Attrs'> | undefined {
  let body = unparen(file.root);
  if (body.type !== 'Lambda') return undefined;
  body = unparen(body.body);
  while (body.type === 'Let' || body.type === 'With') body = unparen(body.body);
  return body.type === 'Attrs' ? body : undefined;
}

/** Walks the file once, collecting sinks and dev-shell calls. */
class SinkFinder {
  readonly sinks: Sink[] = [];
  readonly shells: ExprOf<'Attrs'>[] = [];
  mkShellCalls = 0;
  devshellCalls = 0;
  private readonly places = new Map<Sink, Place>();
  private readonly values: ValueReader;

  constructor(private readonly names: Names) {
    this.values = new ValueReader(names);
  }

  visit(e: Expr, parents: readonly Expr[]): void {
    if (e.type === 'Attrs') {
      for (const b of e.bindings) this.binding(e, b, parents);
      this.devshellEntry(e, parents);
    }
    else if (e.type === 'String' || e.type === 'IndString') this.exports(e, parents);
    else if (e.type === 'App') this.shellCall(e, parents);
  }

  private newSink(via: SinkVia, at: number, parents: readonly Expr[]): Sink {
    const { place, call } = placeOf(parents);
    const sink = newSink(via, at, call);
    this.places.set(sink, place);
    return sink;
  }

  private add(sink: Sink): void {
    this.sinks.push(sink);
  }

  /** `LD_LIBRARY_PATH = …;`, `env.LD_LIBRARY_PATH = …;`, `inherit (paths) LD_LIBRARY_PATH;` */
  private binding(set: ExprOf<'Attrs'>, b: Binding, parents: readonly Expr[]): void {
    if (b.type === 'Inherit') {
      for (const n of b.names) {
        const name = attrNameText(n);
        if (name === undefined || !SINK_NAMES.has(name)) continue;
        const sink = this.newSink(name as SinkVia, n.start, parents);
        const def = b.from ? this.names.lookupPath(b.from, [name], 0) : this.names.lookupVar(set, name);
        if (def) this.values.readValue(def, sink);
        else sink.unresolved.push(`inherited ${name} is not defined in this file`);
        this.add(sink);
      }
      return;
    }
    const last = attrNameText(b.path[b.path.length - 1]!);
    if (last === undefined || !SINK_NAMES.has(last)) return;
    const sink = this.newSink(last as SinkVia, b.start, parents);
    this.values.readValue(b.value, sink);
    this.add(sink);
  }

  /** `{ name = "LD_LIBRARY_PATH"; value = lib.makeLibraryPath packages; }` in a devshell `env` list. */
  private devshellEntry(set: ExprOf<'Attrs'>, parents: readonly Expr[]): void {
    const entry = devshellEnvValue(set);
    if (!entry || entry.value.type !== 'AttrDef') return;
    const sink = this.newSink(entry.via, entry.value.start, parents);
    this.values.readValue(entry.value.value, sink);
    this.add(sink);
  }

  /** `export LD_LIBRARY_PATH=…` lines in a hook string; the value runs to the end of its line. */
  private exports(s: ExprOf<'String'> | ExprOf<'IndString'>, parents: readonly Expr[]): void {
    const source = this.names.file.source;
    s.parts.forEach((part, k) => {
      if (part.type !== 'Literal') return;
      for (const m of source.slice(part.start, part.end).matchAll(EXPORT)) {
        const at = part.start + m.index + m[1]!.length;
        if (inShellComment(source, s, at)) continue;
        const via = m[2] as SinkVia;
        const valueStart = at + via.length + 1;
        let lineEnd = source.indexOf('\n', valueStart);
        if (lineEnd < 0 || lineEnd > s.end) lineEnd = s.end;
        const sink = this.newSink(via, at, parents);
        const found = this.values.readRegion(s, k, valueStart, lineEnd, sink);
        const keeps = keepsOwnValue(source.slice(valueStart, lineEnd), via);
        sink.passThrough = keeps && sink.feeds.length === 0 && sink.calls.length === 0 && sink.opaque.length === 0;
        if (found || keeps) this.add(sink);
      }
    });
  }

  /** `mkShell { … }`, `(mkShell.override { … }) { … }`, `devshell.mkShell { … }`. */
  private shellCall(e: ExprOf<'App'>, parents: readonly Expr[]): void {
    const { head, args } = flattenApp(e);
    const h = unparen(head);
    const name = builderName(h);
    // `mkShell.override { … } { shell attrs }` (with or without parentheses): the second argument.
    const minArgs = headName(h) === 'override' ? 2 : 1;
    const lastArg = args[args.length - 1];
    if (!isShellBuilder(name) || !lastArg || args.length < minArgs || isCallee(e, parents)) return;
    this.mkShellCalls++;
    const set = this.shellSet(lastArg);
    if (isDevshellHead(h)) this.devshellCalls++;
    else if (set) this.shells.push(set);
  }

  /** The attribute set literal a mkShell argument is: `{ … }`, `shellAttrs`, `{ … } // extra`. */
  private shellSet(arg: Expr): ExprOf<'Attrs'> | undefined {
    let e = unparen(arg);
    while (e.type === 'Binary' && e.op === '//') e = unparen(e.lhs);
    if (e.type === 'Attrs') return e;
    const def = this.names.resolveExpr(e);
    return def && unparen(def).type === 'Attrs' ? (unparen(def) as ExprOf<'Attrs'>) : undefined;
  }

  /**
   * A package built in the same file as the dev shell keeps its own library path: with a
   * shell's path at hand, the shell's is the one to extend.
   */
  shellSinks(): Sink[] {
    if (!this.sinks.some((k) => this.places.get(k) === 'shell')) return this.sinks;
    return this.sinks.filter((k) => this.places.get(k) !== 'derivation');
  }
}

export function analyze(file: NixFile): Analysis {
  const names = new Names(file);
  const finder = new SinkFinder(names);
  walk(file.root, (e, parents) => finder.visit(e, parents));
  return {
    file,
    sinks: finder.shellSinks(),
    envOf: names.envOf,
    shells: finder.shells,
    devshellCalls: finder.devshellCalls,
    moduleAttrs: finder.mkShellCalls === 0 ? moduleAttrsOf(file) : undefined,
    elementInfo: (e) => elementInfo(names, e),
    attrChain: (e) => names.attrChain(e),
    isPackageArg: (env, name) => names.isPackageArg(env, name),
  };
}
