/**
 * The pure patch core: which attributes a Nix file's library path already covers, and the
 * minimal edit that adds the missing ones to the list(s) feeding it, in the file's own style.
 * Edits are splices into the original text; the result is parsed again before it is returned.
 */
import { type Expr, type ExprOf, type NixFile, type Span, lineCol, unparen } from './ast.js';
import { DRIVER_ELEMENT, needsLibOutput, normalizeAttr, sameLibrary } from '../nixpkgs/attrs.js';
import { type Analysis, type Feed, type ListFeed, type Sink, analyze } from './library-path.js';
import { parse } from './parser.js';
import { type Env, resolve } from './scope.js';

export interface LibraryList {
  line: number;
  column: number;
  via: string;
  /** Attribute paths as written, without a `pkgs.` prefix. */
  attrs: string[];
  conditional: boolean;
}

export interface Coverage {
  lists: LibraryList[];
  /** Attributes in the unconditional lists that reach the library path. */
  attrs: string[];
  /** The driver directory /run/opengl-driver/lib is on the path. */
  driverPath: boolean;
  hasLibraryPath: boolean;
}

export interface PatchOptions {
  add: string[];
  driverPath?: boolean;
  attrCovers?: (existing: string, wanted: string) => boolean;
}

export interface PatchOutcome {
  text: string;
  changed: boolean;
  added: string[];
  present: string[];
  unplaced: { attr: string; reason: string }[];
  createdLibraryPath: boolean;
}

interface Edit {
  at: number;
  text: string;
}

function feedStart(f: Feed): number {
  return f.kind === 'list' ? f.list.start : f.string.start;
}

function feedElements(an: Analysis, f: Feed): { attr: string | undefined; driver: boolean }[] {
  const exprs = f.kind === 'list' ? f.list.elements : f.elements.map((e) => e.expr);
  return exprs.map((e) => an.elementInfo(e));
}

export function coverageOf(an: Analysis): Coverage {
  const lists: LibraryList[] = [];
  const attrs = new Set<string>();
  let driverPath = false;
  for (const sink of an.sinks) {
    if (sink.driverLiteral) driverPath = true;
    for (const f of sink.feeds) {
      const els = feedElements(an, f);
      const conditional = f.kind === 'list' && f.conditional;
      const names = els.flatMap((e) => (e.attr ? [e.attr] : []));
      const { line, column } = lineCol(an.file.source, feedStart(f));
      lists.push({ line, column, via: sink.via, attrs: names, conditional });
      if (!conditional) {
        for (const n of names) attrs.add(n);
        if (els.some((e) => e.driver)) driverPath = true;
      }
    }
  }
  return { lists, attrs: [...attrs], driverPath, hasLibraryPath: an.sinks.length > 0 };
}

// ---- layout helpers ----

/** CRLF files get CRLF in inserted lines. */
function newlineOf(source: string): string {
  return source.includes('\r\n') ? '\r\n' : '\n';
}

function lineStartOf(source: string, offset: number): number {
  return source.lastIndexOf('\n', offset - 1) + 1;
}

/** The whitespace before `offset` when nothing else precedes it on its line. */
function leadingIndent(source: string, offset: number): string | undefined {
  const ls = lineStartOf(source, offset);
  const before = source.slice(ls, offset);
  return /^[ \t]*$/.test(before) ? before : undefined;
}

function lineIndent(source: string, offset: number): string {
  const ls = lineStartOf(source, offset);
  return /^[ \t]*/.exec(source.slice(ls))![0];
}

/** One level of indentation as the file writes it. */
function indentUnit(source: string, inner: string | undefined, outer: string): string {
  if (inner !== undefined && inner.startsWith(outer) && inner.length > outer.length) return inner.slice(outer.length);
  return /^\t/m.test(source) ? '\t' : '  ';
}

/**
 * Inserts `items` (already formatted) before the closing bracket of a container spanning
 * [open, close] whose children are `children`: one per line in a multi-line container, inline
 * otherwise.
 */
function insertItems(file: NixFile, container: Span, children: Span[], items: string[], separator: string): Edit {
  const source = file.source;
  const nl = newlineOf(source);
  const open = container.start;
  const close = container.end - 1;
  const multiLine = source.slice(open, close).includes('\n');
  const last = children[children.length - 1];
  if (!multiLine) {
    if (last) return { at: last.end, text: items.map((i) => ` ${i}${separator}`).join('') };
    const tight = source[close - 1] !== ' ' && source[close - 1] !== '\t';
    return { at: open + 1, text: items.map((i) => ` ${i}${separator}`).join('') + (tight ? ' ' : '') };
  }
  // Indentation: the last child (or comment) that starts a line, else one level in from the close.
  const comments = file.trivia.filter((t) => t.kind !== 'whitespace' && t.start > open && t.end <= close);
  const anchors = [...children, ...comments].sort((a, b) => a.start - b.start);
  let indent: string | undefined;
  for (let k = anchors.length - 1; k >= 0 && indent === undefined; k--) indent = leadingIndent(source, anchors[k]!.start);
  const closeIndent = lineIndent(source, close);
  indent ??= closeIndent + indentUnit(source, undefined, closeIndent);
  const closeAlone = leadingIndent(source, close) !== undefined && lineStartOf(source, close) > open;
  if (closeAlone) {
    return { at: lineStartOf(source, close), text: items.map((i) => `${indent}${i}${separator}${nl}`).join('') };
  }
  return { at: last ? last.end : open + 1, text: items.map((i) => `${nl}${indent}${i}${separator}`).join('') };
}

// ---- spelling ----

interface Spelling {
  /** Prefix for package attributes: `pkgs.`, `p.` or '' (bare, under `with pkgs;`). */
  prefix: string;
  /** Prefix for lib functions: `pkgs.lib.`, `lib.`. */
  lib: string | undefined;
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

function libSpelling(env: Env | undefined): string | undefined {
  if (resolve(env, 'pkgs').kind === 'bound') return 'pkgs.lib.';
  if (resolve(env, 'lib').kind !== 'unbound') return 'lib.';
  return undefined;
}

/** Spelling for new elements: mimic the existing elements, else what the scope offers. */
function spellingFor(an: Analysis, env: Env | undefined, existing: Expr[]): Spelling | undefined {
  const lib = libSpelling(env);
  for (const e0 of existing) {
    let e = unparen(e0);
    while (e.type === 'Select') e = unparen(e.expr);
    if (e.type !== 'Var') continue;
    const r = resolve(an.envOf.get(e), e.name);
    if (r.kind === 'with') return { prefix: '', lib };
    if (r.kind === 'unbound') continue;
    const chain = an.attrChain(e);
    if (chain && chain.length === 0) return { prefix: `${e.name}.`, lib };
    // `{ stdenv, zlib }: … [ zlib ]`: the file names packages by its own arguments.
    if (an.isPackageArg(an.envOf.get(e), e.name)) return { prefix: '', lib };
  }
  if (isPkgsWith(an, env)) return { prefix: '', lib };
  if (resolve(env, 'pkgs').kind === 'bound') return { prefix: 'pkgs.', lib };
  return undefined;
}

const KEYWORDS = new Set(['if', 'then', 'else', 'assert', 'with', 'let', 'in', 'rec', 'inherit', 'or']);
const PLAIN_NAME = /^[A-Za-z_][A-Za-z0-9_'-]*$/;

/** `a.b` as Nix source; segments that are not plain names are quoted (`"gtk+"`). */
function attrPathSource(attr: string): string | undefined {
  const segments = attr.split('.');
  if (segments.some((s) => s.length === 0)) return undefined;
  return segments
    .map((s) => (PLAIN_NAME.test(s) && !KEYWORDS.has(s) ? s : JSON.stringify(s).replace(/\$\{/g, '\\${')))
    .join('.');
}

/** An element naming `attr`, or a reason it cannot be written here. */
function elementText(an: Analysis, rawAttr: string, sp: Spelling, env: Env | undefined, explicitOutput: boolean): string | { reason: string } {
  const driver = rawAttr === DRIVER_ELEMENT;
  const attr = attrPathSource(rawAttr);
  if (attr === undefined) return { reason: `'${rawAttr}' is not an attribute path` };
  let prefix = sp.prefix;
  if (prefix === '') {
    const first = rawAttr.split('.')[0]!;
    const bare = resolve(env, first).kind === 'with' || an.isPackageArg(env, first);
    if (!bare || attr.startsWith('"')) {
      // A bare name would hit a local binding: use `pkgs.` if it is in scope.
      if (resolve(env, 'pkgs').kind === 'bound') prefix = 'pkgs.';
      else if (resolve(env, first).kind === 'unbound') {
        // A callPackage-style file (`{ lib, mkShell, zlib }:`) gets its packages as arguments.
        return { reason: `'${first}' is not in scope and no 'pkgs' is: add ${first} to the file's function arguments` };
      } else return { reason: `'${first}' cannot be written as a bare name here and no 'pkgs' is in scope` };
    }
  }
  if (!explicitOutput || driver || rawAttr.endsWith('.lib') || rawAttr.endsWith('.out')) return `${prefix}${attr}`;
  if (needsLibOutput(rawAttr)) return `${prefix}${attr}.lib`;
  // Inside existing code, a `lib` the file binds itself is its own spelling.
  const lib = resolve(env, 'lib').kind === 'bound' ? 'lib.' : sp.lib;
  if (!lib) return { reason: 'no lib in scope to select the library output (lib.getLib)' };
  return `${lib}getLib ${prefix}${attr}`;
}

// ---- the patch ----

export function findLibraryLists(source: string, file: string): Coverage {
  return coverageOf(analyze(parse(source, file)));
}

export function patchLibraryList(source: string, file: string, opts: PatchOptions): PatchOutcome {
  const parsed = parse(source, file);
  const an = analyze(parsed);
  // By default only spellings of one derivation count as the same element: which attribute covers
  // which soname was decided before the patch (the plan), and the patch must not decide again.
  const covers = opts.attrCovers ?? sameLibrary;
  const wanted = [...new Set(opts.add.map(normalizeAttr).filter((a) => a.length > 0))];
  if (opts.driverPath) wanted.push(DRIVER_ELEMENT);

  const edits: Edit[] = [];
  const added = new Set<string>();
  const unplaced = new Map<string, string>();
  let createdLibraryPath = false;

  const isCovered = (sink: Sink, attr: string): boolean => {
    if (attr === DRIVER_ELEMENT) {
      if (sink.driverLiteral) return true;
      return sink.feeds.some((f) => !(f.kind === 'list' && f.conditional) && feedElements(an, f).some((e) => e.driver));
    }
    return sink.feeds.some(
      (f) => !(f.kind === 'list' && f.conditional) && feedElements(an, f).some((e) => e.attr !== undefined && covers(e.attr, attr)),
    );
  };

  // Equivalent spellings asked for together (`stdenv.cc.cc` and `stdenv.cc.cc.lib`) are written once.
  const coveredBy = new Map<string, string>();
  const schedule = (into: string[], missing: string[]): void => {
    for (const a of missing) {
      if (into.includes(a)) continue;
      const same = into.find((x) => x !== DRIVER_ELEMENT && a !== DRIVER_ELEMENT && covers(x, a));
      if (same) coveredBy.set(a, same);
      else into.push(a);
    }
  };

  if (an.sinks.length > 0) {
    // Each target (list or string) collects what its sinks lack; a list feeding two sinks is edited once.
    const targets = new Map<Expr, { feed: Feed; attrs: string[] }>();
    const appended = new Map<Expr, { arg: Expr; interpolated: boolean; attrs: string[] }>();
    for (const sink of an.sinks) {
      const missing = wanted.filter((a) => !isCovered(sink, a));
      if (missing.length === 0) continue;
      const feed = sink.feeds.find((f) => !(f.kind === 'list' && f.conditional));
      const call = sink.calls[0];
      if (!feed && call) {
        // No list literal to extend (a nixpkgs list, only optionals): append one to the argument.
        const t = appended.get(call.arg) ?? { arg: call.arg, interpolated: call.interpolated, attrs: [] };
        schedule(t.attrs, missing);
        appended.set(call.arg, t);
        continue;
      }
      if (!feed) {
        const reason = sink.unresolved[0] ?? (sink.feeds.length > 0
          ? `${sink.via}: every list is conditional (optionals/if); none can be extended`
          : `${sink.via} is not built from a list this tool can edit`);
        for (const a of missing) if (!unplaced.has(a)) unplaced.set(a, reason);
        continue;
      }
      const node = feed.kind === 'list' ? feed.list : feed.string;
      const t = targets.get(node) ?? { feed, attrs: [] };
      schedule(t.attrs, missing);
      targets.set(node, t);
    }
    for (const { feed, attrs } of targets.values()) {
      const edit = feed.kind === 'list' ? extendList(an, feed, attrs, added, unplaced) : extendInterp(an, feed, attrs, added, unplaced);
      if (edit) edits.push(edit);
    }
    for (const t of appended.values()) edits.push(...appendToArgument(an, t.arg, t.interpolated, t.attrs, added, unplaced));
  } else {
    const distinct: string[] = [];
    schedule(distinct, wanted);
    const containers = an.shells.length > 0 ? an.shells : an.moduleAttrs ? [an.moduleAttrs] : [];
    if (containers.length === 0) {
      const reason = an.devshellCalls > 0
        ? "numtide devshell.mkShell takes variables as env = [ { name = \"LD_LIBRARY_PATH\"; value = …; } ]; add the entry there"
        : 'no library path and no mkShell call or devenv module to add one to';
      for (const a of wanted) unplaced.set(a, reason);
    }
    const name = an.shells.length > 0 ? 'LD_LIBRARY_PATH' : 'env.LD_LIBRARY_PATH';
    for (const set of containers) {
      const edit = createLibraryPath(an, set, name, distinct, added, unplaced);
      if (edit) {
        edits.push(edit);
        createdLibraryPath = true;
      }
    }
  }

  let text = source;
  for (const e of [...edits].sort((a, b) => b.at - a.at)) text = text.slice(0, e.at) + e.text + text.slice(e.at);
  const changed = text !== source;
  if (changed) {
    try {
      parse(text, file);
    } catch (err) {
      throw new Error(`internal error: the patched ${file} would not parse (${(err as Error).message}); file left unchanged`);
    }
  }
  for (const [a, by] of coveredBy) if (added.has(by)) added.add(a);
  for (const a of added) unplaced.delete(a);
  const present = wanted.filter((a) => !added.has(a) && !unplaced.has(a));
  return {
    text,
    changed,
    added: wanted.filter((a) => added.has(a)),
    present,
    unplaced: [...unplaced].map(([attr, reason]) => ({ attr, reason })),
    createdLibraryPath: createdLibraryPath && changed,
  };
}

function extendList(an: Analysis, feed: ListFeed, attrs: string[], added: Set<string>, unplaced: Map<string, string>): Edit | undefined {
  const env = an.envOf.get(feed.list);
  const sp = spellingFor(an, env, feed.list.elements);
  if (!sp) {
    for (const a of attrs) unplaced.set(a, "no 'pkgs' or 'with pkgs;' in scope at the library list");
    return undefined;
  }
  const items: string[] = [];
  for (const a of attrs) {
    const t = elementText(an, a, sp, env, feed.interpolated);
    if (typeof t !== 'string') {
      unplaced.set(a, t.reason);
      continue;
    }
    // List elements are select-expressions: a function call needs parentheses.
    items.push(/^[^"]*\s/.test(t) ? `(${t})` : t);
    added.add(a);
  }
  if (items.length === 0) return undefined;
  return insertItems(an.file, feed.list, feed.list.elements, items, '');
}

function extendInterp(an: Analysis, feed: Extract<Feed, { kind: 'interp' }>, attrs: string[], added: Set<string>, unplaced: Map<string, string>): Edit | undefined {
  const env = an.envOf.get(feed.string);
  const sp = spellingFor(an, env, feed.elements.map((e) => e.expr));
  if (!sp) {
    for (const a of attrs) unplaced.set(a, "no 'pkgs' or 'with pkgs;' in scope at the library path string");
    return undefined;
  }
  let text = '';
  for (const a of attrs) {
    const t = elementText(an, a, sp, env, true);
    if (typeof t !== 'string') {
      unplaced.set(a, t.reason);
      continue;
    }
    text += `:\${${t}}/lib`;
    added.add(a);
  }
  if (!text) return undefined;
  return { at: feed.elements[feed.elements.length - 1]!.end, text };
}

function createLibraryPath(an: Analysis, set: ExprOf<'Attrs'>, name: string, attrs: string[], added: Set<string>, unplaced: Map<string, string>): Edit | undefined {
  // Values of a rec set see its own names; the spelling must be judged where values evaluate.
  const env = set.bindings.length > 0 && set.bindings[0]!.type === 'AttrDef' ? an.envOf.get(set.bindings[0]!.value) ?? an.envOf.get(set) : an.envOf.get(set);
  const sp = spellingFor(an, env, []);
  if (!sp || !sp.lib) {
    for (const a of attrs) unplaced.set(a, "no 'pkgs' or 'lib' in scope at the shell to write makeLibraryPath with");
    return undefined;
  }
  const items: string[] = [];
  const ok: string[] = [];
  for (const a of attrs) {
    const t = elementText(an, a, sp, env, false);
    if (typeof t !== 'string') {
      unplaced.set(a, t.reason);
      continue;
    }
    items.push(t);
    ok.push(a);
  }
  if (items.length === 0) return undefined;
  const source = an.file.source;
  const multiLine = source.slice(set.start, set.end).includes('\n');
  let value: string;
  if (multiLine) {
    // Indent the list one level deeper than the binding, as the file indents.
    const probe = insertItems(an.file, set, set.bindings, ['X'], '');
    const bindingIndent = /\n?([ \t]*)X/.exec(probe.text)?.[1] ?? '';
    const unit = indentUnit(source, bindingIndent, lineIndent(source, set.end - 1));
    const nl = newlineOf(source);
    value = `${sp.lib}makeLibraryPath [${nl}${items.map((i) => `${bindingIndent}${unit}${i}${nl}`).join('')}${bindingIndent}]`;
  } else {
    value = `${sp.lib}makeLibraryPath [ ${items.join(' ')} ]`;
  }
  for (const a of ok) added.add(a);
  return insertItems(an.file, set, set.bindings, [`${name} = ${value}`], ';');
}

/** Operands `x ++ [ … ]` may follow without parentheses (application binds tighter than `++`). */
function concatSafe(e: Expr): boolean {
  return e.type === 'App' || e.type === 'Var' || e.type === 'Select' || e.type === 'List' || e.type === 'Paren'
    || (e.type === 'Binary' && e.op === '++');
}

/** `f ARG` -> `f (ARG ++ [ new ])`; `f (ARG)` -> `f (ARG ++ [ new ])`. */
function appendToArgument(an: Analysis, arg: Expr, interpolated: boolean, attrs: string[], added: Set<string>, unplaced: Map<string, string>): Edit[] {
  const env = an.envOf.get(arg);
  const sp = spellingFor(an, env, []);
  if (!sp) {
    for (const a of attrs) unplaced.set(a, "no 'pkgs' or 'with pkgs;' in scope at the library list");
    return [];
  }
  const items: string[] = [];
  for (const a of attrs) {
    const t = elementText(an, a, sp, env, interpolated);
    if (typeof t !== 'string') {
      unplaced.set(a, t.reason);
      continue;
    }
    items.push(/^[^"]*\s/.test(t) ? `(${t})` : t);
    added.add(a);
  }
  if (items.length === 0) return [];
  const list = `[ ${items.join(' ')} ]`;
  if (arg.type === 'Paren' && concatSafe(arg.expr)) {
    // Keep the user's parentheses and layout: the new operand goes before the closing one.
    const source = an.file.source;
    const close = arg.end - 1;
    if (leadingIndent(source, close) !== undefined) {
      return [{ at: lineStartOf(source, close), text: `${lineIndent(source, arg.expr.end)}++ ${list}${newlineOf(source)}` }];
    }
    return [{ at: arg.expr.end, text: ` ++ ${list}` }];
  }
  if (concatSafe(arg)) return [{ at: arg.start, text: '(' }, { at: arg.end, text: ` ++ ${list})` }];
  return [{ at: arg.start, text: '((' }, { at: arg.end, text: `) ++ ${list})` }];
}
