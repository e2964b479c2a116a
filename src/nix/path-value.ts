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
import { DRIVER_LIB_DIR } from '../nixpkgs/attrs.js';

type StringExpr = ExprOf<'String'> | ExprOf<'IndString'>;

/** Is this a function `p: "${p}/lib"` (a map to library directories)? */
function isLibDirLambda(e0: Expr): boolean {
  const e = unparen(e0);
  if (e.type !== 'Lambda' || !e.arg) return false;
  const body = unparen(e.body);
  if (body.type !== 'String' && body.type !== 'IndString') return false;
  const [a, b] = body.parts;
  return body.parts.length === 2 && a?.type === 'Interpolation' && b?.type === 'Literal' && b.value === '/lib';
}

/** `/lib` (or `/lib64`) right after an interpolation: the interpolated package is an element. */
const LIB_DIR_AFTER = /^\/lib(?:64)?(?![\w.-])/;

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
    if (name === 'makeLibraryPath' && args.length === 1) return this.call(args[0]!, false, sink, depth);
    if (name === 'makeSearchPathOutput' && args.length === 3 && stringLiteral(args[0]!) === 'lib' && stringLiteral(args[1]!) === 'lib') {
      return this.call(args[2]!, false, sink, depth);
    }
    if (name === 'concatMapStringsSep' && args.length === 3 && isLibDirLambda(args[1]!)) return this.call(args[2]!, true, sink, depth);
    if (name === 'concatStringsSep' && args.length === 2) return this.readJoined(args[1]!, sink, depth);
    return false;
  }

  /** `concatStringsSep ":" (map (p: "${p}/lib") LIST)` or `concatStringsSep ":" [ "…" … ]`. */
  private readJoined(arg0: Expr, sink: Sink, depth: number): boolean {
    const arg = unparen(arg0);
    const { head, args } = flattenApp(arg);
    if (headName(head) === 'map' && args.length === 2 && isLibDirLambda(args[0]!)) return this.call(args[1]!, true, sink, depth);
    const list = arg.type === 'List' ? arg : this.names.resolveExpr(arg);
    if (list?.type !== 'List') return false;
    return list.elements.map((el) => this.readValue(el, sink, depth + 1)).some(Boolean);
  }

  private call(arg: Expr, interpolated: boolean, sink: Sink, depth: number): boolean {
    sink.calls.push({ arg, interpolated });
    this.readListArg(arg, sink, false, interpolated, depth + 1);
    return true;
  }

  /** The list argument of a makeLibraryPath-like call, down to its list literals. */
  private readListArg(e0: Expr, sink: Sink, conditional: boolean, interpolated: boolean, depth: number): boolean {
    if (depth > MAX_DEPTH) return false;
    const e = unparen(e0);
    const next = (x: Expr, cond = conditional): boolean => this.readListArg(x, sink, cond, interpolated, depth + 1);
    switch (e.type) {
      case 'List':
        sink.feeds.push({ kind: 'list', list: e, conditional, interpolated });
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
        sink.unresolved.push(`${this.source.slice(e.start, e.end)} is not defined in this file`);
        return false;
      }
      default:
        break;
    }
    sink.unresolved.push(`the library list is computed (${this.source.slice(e.start, Math.min(e.end, e.start + 40))})`);
    return false;
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
        interp.elements.push({ expr: part.expr, end: next.start + dir[0].length });
        found = true;
        continue;
      }
      if (this.readValue(part.expr, sink, depth + 1)) found = true;
    }
    return found;
  }
}
