/**
 * Reading a library-path value down to what an editor can extend: `makeLibraryPath` (and
 * `makeSearchPathOutput "lib" "lib"`, `concatMapStringsSep`/`map` of `p: "${p}/lib"`) calls, `++`
 * concatenations, `optionals`/`if` (conditional), `with`, names bound in the file, and strings
 * whose `${pkg}/lib` interpolations are elements.
 */
import { type Expr, type ExprOf, unparen } from './ast.js';
import { flattenApp, headName, stringLiteral } from './calls.js';
import { MAX_DEPTH, type Names } from './names.js';
import type { InterpFeed, Sink } from './sink.js';
import { bundleContents } from '../nixpkgs/manylinux.js';
import { DRIVER_LIB_DIR } from '../nixpkgs/attrs.js';

type StringExpr = ExprOf<'String'> | ExprOf<'IndString'>;

/** How a list argument reaches the path (see ListFeed). */
interface ListHow {
  conditional: boolean;
  interpolated: boolean;
  getLib: string | undefined;
}

/**
 * A function `p: "${p}/lib"` (or `p: "${lib.getLib p}/lib"`) mapping packages to library
 * directories: `{ getLib }` gives the getLib spelling the map applies, if any.
 */
function libDirLambda(e0: Expr, source: string): { getLib: string | undefined } | undefined {
  const e = unparen(e0);
  if (e.type !== 'Lambda' || !e.arg) return undefined;
  const body = unparen(e.body);
  if (body.type !== 'String' && body.type !== 'IndString') return undefined;
  const [a, b] = body.parts;
  if (body.parts.length !== 2 || a?.type !== 'Interpolation' || b?.type !== 'Literal' || b.value !== '/lib') return undefined;
  const inner = unparen(a.expr);
  if (inner.type === 'Var' && inner.name === e.arg.name) return { getLib: undefined };
  const { head, args } = flattenApp(inner);
  const arg = args[0] ? unparen(args[0]) : undefined;
  if (headName(head) === 'getLib' && args.length === 1 && arg?.type === 'Var' && arg.name === e.arg.name) {
    return { getLib: source.slice(head.start, head.end) };
  }
  return undefined;
}

/** `"${X}/lib"` (also `/lib/`, `/lib64`): one library directory named by a package. */
export function dirStringElement(e0: Expr): Expr | undefined {
  const e = unparen(e0);
  if (e.type !== 'String' && e.type !== 'IndString') return undefined;
  const [a, b] = e.parts;
  if (e.parts.length !== 2 || a?.type !== 'Interpolation' || b?.type !== 'Literal') return undefined;
  return /^\/lib(?:64)?\/?$/.test(b.value) ? a.expr : undefined;
}

/** Why a part of the value that is no list literal cannot be read here. */
function opaqueReason(e: Expr, source: string): string {
  const { head, args } = flattenApp(e);
  const text = source.slice(e.start, Math.min(e.end, e.start + 60));
  if (headName(head) === 'import' && args[0]) return `built in another file (${source.slice(args[0].start, args[0].end)}): its contents are not known here`;
  return `${text} is not defined in this file`;
}

/** `/lib` (or `/lib64`) right after an interpolation: the interpolated package is an element. */
const LIB_DIR_AFTER = /^\/lib(?:64)?(?![\w.-])\/?/;

export class ValueReader {
  private readonly source: string;

  constructor(private readonly names: Names) {
    this.source = names.file.source;
  }

  /** Reads a value assigned to a library-path variable into `sink`; true when it found a part. */
  readValue(e0: Expr, sink: Sink, depth = 0): boolean {
    if (depth > MAX_DEPTH) return false;
    const e = unparen(e0);
    switch (e.type) {
      case 'With':
        return this.readValue(e.body, sink, depth + 1);
      case 'String':
      case 'IndString':
        return this.readRegion(e, 0, e.start, e.end, sink, depth + 1);
      case 'Binary':
        return e.op === '+' && this.either(this.readValue(e.lhs, sink, depth + 1), this.readValue(e.rhs, sink, depth + 1));
      case 'App':
        return this.readCall(e, sink, depth);
      case 'Var':
      case 'Select': {
        const def = this.names.resolveExpr(e);
        return def ? this.readValue(def, sink, depth + 1) : false;
      }
      default:
        return false;
    }
  }

  /** Both sides are read (for their side effects on the sink) before the answer is combined. */
  private either(l: boolean, r: boolean): boolean {
    return l || r;
  }

  private readCall(e: ExprOf<'App'>, sink: Sink, depth: number): boolean {
    const { head, args } = flattenApp(e);
    const name = headName(head);
    if (name === 'makeLibraryPath' && args.length === 1) return this.call(args[0]!, false, undefined, sink, depth);
    if (name === 'makeSearchPathOutput' && args.length === 3 && stringLiteral(args[0]!) === 'lib' && stringLiteral(args[1]!) === 'lib') {
      return this.call(args[2]!, false, undefined, sink, depth);
    }
    const mapped = name === 'concatMapStringsSep' && args.length === 3 ? libDirLambda(args[1]!, this.source) : undefined;
    if (mapped) return this.call(args[2]!, mapped.getLib === undefined, mapped.getLib, sink, depth);
    if (name === 'concatStringsSep' && args.length === 2) return this.readJoined(args[1]!, sink, depth);
    return false;
  }

  /** `concatStringsSep ":" (map (p: "${p}/lib") LIST)` or `concatStringsSep ":" [ "${X}/lib" … ]`. */
  private readJoined(arg0: Expr, sink: Sink, depth: number): boolean {
    const arg = unparen(arg0);
    const { head, args } = flattenApp(arg);
    const mapped = headName(head) === 'map' && args.length === 2 ? libDirLambda(args[0]!, this.source) : undefined;
    if (mapped) return this.call(args[1]!, mapped.getLib === undefined, mapped.getLib, sink, depth);
    const list = arg.type === 'List' ? arg : this.names.resolveExpr(arg);
    if (list?.type !== 'List') return false;
    const dirs = list.elements.filter((el) => dirStringElement(el) !== undefined);
    if (dirs.length > 0) sink.feeds.push({ kind: 'list', list, form: 'dir-strings', conditional: false, interpolated: true, getLib: undefined });
    const rest = list.elements.filter((el) => dirStringElement(el) === undefined);
    return rest.map((el) => this.readValue(el, sink, depth + 1)).some(Boolean) || dirs.length > 0;
  }

  private call(arg: Expr, interpolated: boolean, getLib: string | undefined, sink: Sink, depth: number): boolean {
    sink.calls.push({ arg, interpolated });
    this.readListArg(arg, sink, { conditional: false, interpolated, getLib }, depth + 1);
    return true;
  }

  /** A list attribute of nixpkgs whose contents are known (manylinux2014): counted, not edited. */
  private bundle(e: Expr, sink: Sink, conditional: boolean): boolean {
    const chain = this.names.attrChain(e);
    const attr = chain && chain.length > 0 ? chain.join('.') : undefined;
    const attrs = attr === undefined ? undefined : bundleContents(attr);
    if (attr === undefined || attrs === undefined) return false;
    sink.feeds.push({ kind: 'bundle', expr: e, attr, attrs, conditional });
    return true;
  }

  /** The list argument of a makeLibraryPath-like call, down to its list literals. */
  private readListArg(e0: Expr, sink: Sink, how: ListHow, depth: number): boolean {
    if (depth > MAX_DEPTH) return false;
    const e = unparen(e0);
    const next = (x: Expr, conditional = how.conditional): boolean => this.readListArg(x, sink, { ...how, conditional }, depth + 1);
    switch (e.type) {
      case 'List':
        sink.feeds.push({ kind: 'list', list: e, form: 'packages', ...how });
        return true;
      case 'With':
        return next(e.body);
      case 'Binary':
        if (e.op === '++') return this.either(next(e.lhs), next(e.rhs));
        break;
      case 'If':
        return this.either(next(e.then, true), next(e.else, true));
      case 'App': {
        const { head, args } = flattenApp(e);
        const name = headName(head);
        if (name === 'optionals' && args.length === 2) return next(args[1]!, true);
        if (name === 'optional' && args.length === 2) return true; // one conditional element
        break;
      }
      case 'Var':
      case 'Select': {
        const def = this.names.resolveExpr(e);
        if (def) return next(def);
        if (this.bundle(e, sink, how.conditional)) return true;
        this.opaque(e, sink);
        return false;
      }
      default:
        break;
    }
    this.opaque(e, sink);
    return false;
  }

  /** An interpolation this file does not define: `${import ./libs.nix}`, `${extraLibPath}` (an argument). */
  private isForeign(e0: Expr): boolean {
    const e = unparen(e0);
    if (e.type === 'App') return headName(flattenApp(e).head) === 'import';
    if (e.type !== 'Var' && e.type !== 'Select') return false;
    const chain = this.names.attrChain(e);
    return this.names.resolveExpr(e) === undefined && (chain === undefined || chain.length === 0);
  }

  private opaque(e: Expr, sink: Sink): void {
    const reason = e.type === 'Var' || e.type === 'Select' || e.type === 'App'
      ? opaqueReason(e, this.source)
      : `the library list is computed (${this.source.slice(e.start, Math.min(e.end, e.start + 40))})`;
    sink.unresolved.push(reason);
    sink.opaque.push({ expr: e, reason });
  }

  /**
   * Part of a string, from part index `from` (and source offset `startAt` inside it) up to
   * source offset `endAt`: `${pkg}/lib` elements, makeLibraryPath interpolations, the driver dir.
   */
  readRegion(s: StringExpr, from: number, startAt: number, endAt: number, sink: Sink, depth = 0): boolean {
    let found = false;
    let interp: InterpFeed | undefined;
    for (let k = from; k < s.parts.length; k++) {
      const part = s.parts[k]!;
      if (part.start >= endAt) break;
      if (part.type === 'Literal') {
        const text = this.source.slice(Math.max(part.start, startAt), Math.min(part.end, endAt));
        if (text.includes(DRIVER_LIB_DIR)) sink.driverLiteral = found = true;
        continue;
      }
      const next = s.parts[k + 1];
      const dir = next?.type === 'Literal' ? LIB_DIR_AFTER.exec(this.source.slice(next.start, next.end)) : null;
      if (next && dir) {
        if (!interp) {
          interp = { kind: 'interp', string: s, elements: [] };
          sink.feeds.push(interp);
        }
        interp.elements.push({ expr: part.expr, end: next.start + dir[0].length, suffix: dir[0] });
        found = true;
        continue;
      }
      if (this.readValue(part.expr, sink, depth + 1)) found = true;
      else if (this.isForeign(part.expr)) sink.opaque.push({ expr: part.expr, reason: opaqueReason(unparen(part.expr), this.source) });
    }
    return found;
  }
}
