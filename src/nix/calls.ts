/**
 * Reading the shape of calls and literals in the AST: `f a b` as head and arguments, the name a
 * head refers to, string literals and static attribute paths.
 */
import { type AttrName, type Expr, attrNameText, unparen } from './ast.js';

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

/** The text of a string without interpolations, else undefined. */
export function stringLiteral(e: Expr): string | undefined {
  const s = unparen(e);
  if (s.type !== 'String' && s.type !== 'IndString') return undefined;
  if (s.parts.length === 0) return '';
  if (s.parts.length === 1 && s.parts[0]!.type === 'Literal') return s.parts[0]!.value;
  return undefined;
}

/** `a.b."c"` as names, or undefined when a segment is computed (`${x}`). */
export function staticPath(names: AttrName[]): string[] | undefined {
  const out: string[] = [];
  for (const n of names) {
    const s = attrNameText(n);
    if (s === undefined) return undefined;
    out.push(s);
  }
  return out;
}

/** Every name along a selection chain, its base variable last (`a.b.c` -> [b, c, a]). */
export function selectionNames(e: Expr): string[] {
  let cur = unparen(e);
  const names: string[] = [];
  while (cur.type === 'Select') {
    for (const n of cur.path) names.push(attrNameText(n) ?? '');
    cur = unparen(cur.expr);
  }
  if (cur.type === 'Var') names.push(cur.name);
  return names;
}
