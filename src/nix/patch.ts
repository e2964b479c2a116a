/**
 * The pure patch core: which attributes a Nix file's library path already covers, and the
 * minimal edit that adds the missing ones to the list(s) feeding it, in the file's own style.
 * Edits are splices into the original text; the result is parsed again before it is returned.
 */
import { type Expr, type ExprOf, lineCol } from './ast.js';
import { DRIVER_ELEMENT, normalizeAttr, sameLibrary } from '../nixpkgs/attrs.js';
import { InputError } from '../errors.js';
import { type Analysis, type Feed, type InterpFeed, type ListFeed, type SinkVia, analyze } from './library-path.js';
import { type Edit, indentUnit, insertItems, leadingIndent, lineIndent, lineStartOf, newlineOf, rewrapOneLine } from './layout.js';
import { parse } from './parser.js';
import { dirStringElement } from './path-value.js';
import { type SinkGroup, type Target, feedAttrs, feedNode, feedStart, groupCoverage, groupSinks, onlyPassThrough, targetOf } from './sink-groups.js';
import { type LibraryPathSource, createdSource, groupSources } from './sources.js';
import { elementText, spellingFor, type Spelling } from './spelling.js';
import type { Env } from './scope.js';
import { SINK_VARS } from './sink.js';

export type { LibraryPathSource, SourceKind, SourceRole } from './sources.js';

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
  /** Attributes in the unconditional lists (and known nixpkgs bundles) that reach the library path. */
  attrs: string[];
  /** The driver directory /run/opengl-driver/lib is on the path. */
  driverPath: boolean;
  /** The file sets a library path from something an editor can extend (not only pass-through exports). */
  hasLibraryPath: boolean;
  /** Every library-path source found, with what a patch would do with it. */
  sources: LibraryPathSource[];
}

export interface PatchOptions {
  add: string[];
  driverPath?: boolean;
  attrCovers?: (existing: string, wanted: string) => boolean;
  /**
   * The variables the venv's loader reads (project/interpreter.ts), the first being the one to
   * create when the file sets none of them: a Nix-store Python reads LD_LIBRARY_PATH only (a
   * NIX_LD_LIBRARY_PATH it does not see covers nothing); a foreign one under nix-ld reads both,
   * NIX_LD_LIBRARY_PATH first. Default: both, LD_LIBRARY_PATH created.
   */
  sinks?: readonly SinkVia[];
}

/** The sink groups of the variables the loader reads. */
function readGroups(an: Analysis, reads: readonly SinkVia[]): SinkGroup[] {
  return groupSinks(an.sinks.filter((s) => reads.includes(s.via)));
}

export interface PatchOutcome {
  text: string;
  changed: boolean;
  added: string[];
  present: string[];
  unplaced: { attr: string; reason: string }[];
  createdLibraryPath: boolean;
  /** Every library-path source found, with the edit chosen for it and why. */
  sources: LibraryPathSource[];
}

type Covers = (existing: string, wanted: string) => boolean;

function listsOf(an: Analysis): LibraryList[] {
  const lists: LibraryList[] = [];
  for (const sink of an.sinks) {
    for (const f of sink.feeds) {
      if (f.kind === 'bundle') continue;
      const { attrs } = feedAttrs(an, f);
      lists.push({ ...lineCol(an.file.source, feedStart(f)), via: sink.via, attrs, conditional: f.kind === 'list' && f.conditional });
    }
  }
  return lists;
}

/** Lists of variables the loader does not read are still listed (with their `via`), but cover nothing. */
function coverageOf(an: Analysis, reads: readonly SinkVia[] = SINK_VARS): Coverage {
  const groups = readGroups(an, reads);
  const covs = groups.map((g) => groupCoverage(an, g));
  return {
    lists: listsOf(an),
    attrs: [...new Set(covs.flatMap((c) => c.attrs))],
    driverPath: covs.some((c) => c.driver),
    hasLibraryPath: groups.some((g) => !onlyPassThrough(g)),
    sources: groups.flatMap((g) => groupSources(an, g, targetOf(g), false)),
  };
}

export function findLibraryLists(source: string, file: string, reads?: readonly SinkVia[]): Coverage {
  return coverageOf(analyze(parse(source, file)), reads);
}

/** What the patch collects before it writes: additions per target, and what could not be placed. */
class PatchState {
  readonly added = new Set<string>();
  readonly unplaced = new Map<string, string>();
  /** Equivalent spellings asked for together (`stdenv.cc.cc` and `stdenv.cc.cc.lib`) are written once. */
  readonly coveredBy = new Map<string, string>();

  constructor(readonly covers: Covers) {}

  schedule(into: string[], missing: string[]): void {
    for (const a of missing) {
      if (into.includes(a)) continue;
      const same = into.find((x) => x !== DRIVER_ELEMENT && a !== DRIVER_ELEMENT && this.covers(x, a));
      if (same) this.coveredBy.set(a, same);
      else into.push(a);
    }
  }

  refuse(attrs: string[], reason: string): void {
    for (const a of attrs) if (!this.unplaced.has(a)) this.unplaced.set(a, reason);
  }
}

function isCovered(cov: { attrs: string[]; driver: boolean }, attr: string, covers: Covers): boolean {
  return attr === DRIVER_ELEMENT ? cov.driver : cov.attrs.some((e) => covers(e, attr));
}

function applyEdits(source: string, edits: Edit[]): string {
  let text = source;
  for (const e of [...edits].sort((a, b) => b.at - a.at)) text = text.slice(0, e.at) + e.text + text.slice(e.at + (e.remove ?? 0));
  return text;
}

export function patchLibraryList(source: string, file: string, opts: PatchOptions): PatchOutcome {
  const an = analyze(parse(source, file));
  // By default only spellings of one derivation count as the same element: which attribute covers
  // which soname was decided before the patch (the plan), and the patch must not decide again.
  const covers = opts.attrCovers ?? sameLibrary;
  const wanted = [...new Set(opts.add.map(normalizeAttr).filter((a) => a.length > 0))];
  if (opts.driverPath) wanted.push(DRIVER_ELEMENT);
  const state = new PatchState(covers);
  const reads = opts.sinks && opts.sinks.length > 0 ? opts.sinks : SINK_VARS;
  const groups = readGroups(an, reads);
  const editable = groups.filter((g) => !onlyPassThrough(g));
  const { edits, sources, created } = editable.length > 0
    ? extendGroups(an, editable, groups, wanted, state)
    : createPaths(an, groups, wanted, state, reads[0] ?? 'LD_LIBRARY_PATH');

  const text = applyEdits(source, edits);
  const changed = text !== source;
  if (changed) {
    try {
      parse(text, file);
    } catch (err) {
      throw new InputError(`${file}: the patched text would not parse (${(err as Error).message}); nothing written`);
    }
  }
  for (const [a, by] of state.coveredBy) if (state.added.has(by)) state.added.add(a);
  for (const a of state.added) state.unplaced.delete(a);
  return {
    text,
    changed,
    added: wanted.filter((a) => state.added.has(a)),
    present: wanted.filter((a) => !state.added.has(a) && !state.unplaced.has(a)),
    unplaced: [...state.unplaced].map(([attr, reason]) => ({ attr, reason })),
    createdLibraryPath: created && changed,
    sources,
  };
}

interface Planned {
  edits: Edit[];
  sources: LibraryPathSource[];
  created: boolean;
}

/** Each group's missing attributes go to its target; a target shared by groups is edited once. */
function extendGroups(an: Analysis, editable: SinkGroup[], all: SinkGroup[], wanted: string[], state: PatchState): Planned {
  const feeds = new Map<Expr, { feed: Feed; attrs: string[] }>();
  const appended = new Map<Expr, { arg: Expr; interpolated: boolean; attrs: string[] }>();
  const targets = new Map<SinkGroup, Target>();
  for (const g of editable) {
    const t = targetOf(g);
    targets.set(g, t);
    const cov = groupCoverage(an, g);
    const missing = wanted.filter((a) => !isCovered(cov, a, state.covers));
    if (missing.length === 0) continue;
    if (t.kind === 'none') state.refuse(missing, t.reason);
    else if (t.kind === 'call') {
      const entry = appended.get(t.arg) ?? { arg: t.arg, interpolated: t.interpolated, attrs: [] };
      state.schedule(entry.attrs, missing);
      appended.set(t.arg, entry);
    } else {
      const node = feedNode(t.feed);
      const entry = feeds.get(node) ?? { feed: t.feed, attrs: [] };
      state.schedule(entry.attrs, missing);
      feeds.set(node, entry);
    }
  }
  const edits: Edit[] = [];
  const edited = new Set<Expr>();
  for (const [node, { feed, attrs }] of feeds) {
    const edit = feed.kind === 'list' ? extendList(an, feed, attrs, state) : feed.kind === 'interp' ? extendInterp(an, feed, attrs, state) : undefined;
    if (edit) {
      edits.push(edit);
      edited.add(node);
    }
  }
  for (const [arg, t] of appended) {
    const e = appendToArgument(an, t.arg, t.interpolated, t.attrs, state);
    if (e.length > 0) edited.add(arg);
    edits.push(...e);
  }
  const sources = all.flatMap((g) => {
    const t = targets.get(g) ?? targetOf(g);
    const node = t.kind === 'feed' ? feedNode(t.feed) : t.kind === 'call' ? t.arg : undefined;
    return groupSources(an, g, t, node !== undefined && edited.has(node));
  });
  return { edits, sources, created: false };
}

/**
 * No library path to extend (at most pass-through exports): one is created in each dev shell's
 * attributes (or the devenv module's `env`), minus what the pass-through exports already add.
 */
function createPaths(an: Analysis, groups: SinkGroup[], wanted: string[], state: PatchState, variable: SinkVia): Planned {
  const passCov = groups.map((g) => groupCoverage(an, g));
  const needed = wanted.filter((a) => !passCov.some((c) => isCovered(c, a, state.covers)));
  const distinct: string[] = [];
  state.schedule(distinct, needed);
  const containers = an.shells.length > 0 ? an.shells : an.moduleAttrs ? [an.moduleAttrs] : [];
  if (containers.length === 0 && needed.length > 0) {
    const reason = an.devshellCalls > 0
      ? 'numtide devshell.mkShell takes variables as env = [ { name = "LD_LIBRARY_PATH"; value = …; } ]; add the entry there'
      : 'no library path and no mkShell call or devenv module to add one to';
    state.refuse(needed, reason);
  }
  const name = an.shells.length > 0 ? variable : `env.${variable}`;
  const edits: Edit[] = [];
  const sources = groups.flatMap((g) => groupSources(an, g, targetOf(g), false));
  for (const set of distinct.length > 0 ? containers : []) {
    const edit = createLibraryPath(an, set, name, distinct, state);
    if (!edit) continue;
    edits.push(edit);
    sources.push(createdSource(an, edit.at, variable, distinct.filter((a) => state.added.has(a))));
  }
  return { edits, sources, created: edits.length > 0 };
}

/** Items for `attrs` in a list, or the reasons they cannot be written. */
function listItems(an: Analysis, feed: ListFeed, attrs: string[], state: PatchState): string[] {
  const env = an.envOf.get(feed.list);
  const existing = feed.list.elements.map((e) => dirStringElement(e) ?? e);
  const sp = spellingFor(an, env, existing);
  if (!sp) {
    state.refuse(attrs, "no 'pkgs' or 'with pkgs;' in scope at the library list");
    return [];
  }
  const suffix = dirSuffix(an, feed);
  return spelled(an, env, sp, attrs, feed.interpolated, state).map((t) => (feed.form === 'dir-strings' ? `"\${${t}}${suffix}"` : asListElement(t)));
}

/**
 * Each attribute as an element text in the file's spelling, in order; one it cannot be written as
 * is set aside with the reason, the others are counted as added.
 */
function spelled(an: Analysis, env: Env | undefined, sp: Spelling, attrs: readonly string[], explicitOutput: boolean, state: PatchState): string[] {
  const texts: string[] = [];
  for (const a of attrs) {
    const t = elementText(an, a, sp, env, explicitOutput);
    if (typeof t !== 'string') {
      state.unplaced.set(a, t.reason);
      continue;
    }
    texts.push(t);
    state.added.add(a);
  }
  return texts;
}

/** List elements are select-expressions: a function call needs parentheses. */
function asListElement(t: string): string {
  return /^[^"]*\s/.test(t) ? `(${t})` : t;
}

/** The directory suffix the list's own `"${X}/lib"` strings use (`/lib`, `/lib/`). */
function dirSuffix(an: Analysis, feed: ListFeed): string {
  for (const e of [...feed.list.elements].reverse()) {
    const s = e.type === 'String' || e.type === 'IndString' ? e.parts[1] : undefined;
    if (dirStringElement(e) && s?.type === 'Literal') return an.file.source.slice(s.start, s.end);
  }
  return '/lib';
}

function extendList(an: Analysis, feed: ListFeed, attrs: string[], state: PatchState): Edit | undefined {
  const items = listItems(an, feed, attrs, state);
  if (items.length === 0) return undefined;
  return rewrapOneLine(an.file, feed.list, feed.list.elements, items) ?? insertItems(an.file, feed.list, feed.list.elements, items, '');
}

function extendInterp(an: Analysis, feed: InterpFeed, attrs: string[], state: PatchState): Edit | undefined {
  const env = an.envOf.get(feed.string);
  const sp = spellingFor(an, env, feed.elements.map((e) => e.expr));
  if (!sp) {
    state.refuse(attrs, "no 'pkgs' or 'with pkgs;' in scope at the library path string");
    return undefined;
  }
  const last = feed.elements[feed.elements.length - 1]!;
  const text = spelled(an, env, sp, attrs, true, state)
    .map((t) => `:\${${t}}${last.suffix}`)
    .join('');
  return text ? { at: last.end, text } : undefined;
}

function createLibraryPath(an: Analysis, set: ExprOf<'Attrs'>, name: string, attrs: string[], state: PatchState): Edit | undefined {
  // Values of a rec set see its own names; the spelling must be judged where values evaluate.
  const env = set.bindings.length > 0 && set.bindings[0]!.type === 'AttrDef' ? an.envOf.get(set.bindings[0]!.value) ?? an.envOf.get(set) : an.envOf.get(set);
  const sp = spellingFor(an, env, []);
  if (!sp || !sp.lib) {
    state.refuse(attrs, "no 'pkgs' or 'lib' in scope at the shell to write makeLibraryPath with");
    return undefined;
  }
  const items = spelled(an, env, sp, attrs, false, state);
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
  return insertItems(an.file, set, set.bindings, [`${name} = ${value}`], ';');
}

/** Operands `x ++ [ … ]` may follow without parentheses (application binds tighter than `++`). */
function concatSafe(e: Expr): boolean {
  return e.type === 'App' || e.type === 'Var' || e.type === 'Select' || e.type === 'List' || e.type === 'Paren'
    || (e.type === 'Binary' && e.op === '++');
}

/** `f ARG` -> `f (ARG ++ [ new ])`; `f (ARG)` -> `f (ARG ++ [ new ])`. */
function appendToArgument(an: Analysis, arg: Expr, interpolated: boolean, attrs: string[], state: PatchState): Edit[] {
  const env = an.envOf.get(arg);
  const sp = spellingFor(an, env, []);
  if (!sp) {
    state.refuse(attrs, "no 'pkgs' or 'with pkgs;' in scope at the library list");
    return [];
  }
  const items = spelled(an, env, sp, attrs, interpolated, state).map(asListElement);
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
