/**
 * Syntax tree of a Nix file. Every node carries `start`/`end` offsets into the original source
 * (JavaScript string indices, end exclusive), so an edit is a splice into the original text and
 * everything the tree does not model (whitespace, comments, layout) stays as written.
 */
import type { Token, Trivia } from './lexer.js';

export interface Span {
  start: number;
  end: number;
}

export type StringPart =
  | ({ type: 'Literal'; value: string } & Span)
  | ({ type: 'Interpolation'; expr: Expr } & Span);

/** An element of an attribute path: `a`, `"a b"`, `${e}`. */
export type AttrName =
  | ({ type: 'Ident'; name: string } & Span)
  | ({ type: 'DynamicName'; expr: Expr; staticName: string | undefined } & Span);

export type Binding =
  | ({ type: 'AttrDef'; path: AttrName[]; value: Expr } & Span)
  | ({ type: 'Inherit'; from: Expr | undefined; names: AttrName[] } & Span);

export interface Formal extends Span {
  name: string;
  default: Expr | undefined;
}

export interface Formals extends Span {
  params: Formal[];
  ellipsis: boolean;
}

export type BinaryOp =
  | '->' | '||' | '&&' | '==' | '!=' | '<' | '>' | '<=' | '>=' | '//' | '+' | '-' | '*' | '/'
  | '++';

export type Expr =
  | ({ type: 'Var'; name: string } & Span)
  | ({ type: 'Int'; text: string } & Span)
  | ({ type: 'Float'; text: string } & Span)
  | ({ type: 'String'; parts: StringPart[] } & Span)
  | ({ type: 'IndString'; parts: StringPart[] } & Span)
  | ({ type: 'Path'; parts: StringPart[] } & Span)
  | ({ type: 'SearchPath'; path: string } & Span)
  | ({ type: 'Uri'; text: string } & Span)
  | ({ type: 'Paren'; expr: Expr } & Span)
  | ({ type: 'Attrs'; rec: boolean; bindings: Binding[] } & Span)
  | ({ type: 'LegacyLet'; bindings: Binding[] } & Span)
  | ({ type: 'List'; elements: Expr[] } & Span)
  | ({ type: 'Select'; expr: Expr; path: AttrName[]; default: Expr | undefined } & Span)
  | ({ type: 'App'; fn: Expr; arg: Expr } & Span)
  | ({ type: 'Not'; expr: Expr } & Span)
  | ({ type: 'Neg'; expr: Expr } & Span)
  | ({ type: 'Binary'; op: BinaryOp; lhs: Expr; rhs: Expr } & Span)
  | ({ type: 'HasAttr'; expr: Expr; path: AttrName[] } & Span)
  | ({ type: 'Lambda'; arg: (Span & { name: string }) | undefined; formals: Formals | undefined; body: Expr } & Span)
  | ({ type: 'Let'; bindings: Binding[]; body: Expr } & Span)
  | ({ type: 'With'; scope: Expr; body: Expr } & Span)
  | ({ type: 'Assert'; cond: Expr; body: Expr } & Span)
  | ({ type: 'If'; cond: Expr; then: Expr; else: Expr } & Span)
  | ({ type: 'Pos' } & Span);

export type ExprOf<T extends Expr['type']> = Extract<Expr, { type: T }>;

export interface NixFile {
  file: string;
  source: string;
  root: Expr;
  tokens: Token[];
  /** Whitespace and comments, in source order. */
  trivia: Trivia[];
}

/** The direct sub-expressions of a node, in source order. */
export function children(e: Expr): Expr[] {
  switch (e.type) {
    case 'Var': case 'Int': case 'Float': case 'SearchPath': case 'Uri': case 'Pos':
      return [];
    case 'String': case 'IndString': case 'Path':
      return e.parts.flatMap((p) => (p.type === 'Interpolation' ? [p.expr] : []));
    case 'Paren': case 'Not': case 'Neg':
      return [e.expr];
    case 'Attrs': case 'LegacyLet':
      return e.bindings.flatMap(bindingChildren);
    case 'List':
      return e.elements;
    case 'Select':
      return [e.expr, ...attrPathChildren(e.path), ...(e.default ? [e.default] : [])];
    case 'App':
      return [e.fn, e.arg];
    case 'Binary':
      return [e.lhs, e.rhs];
    case 'HasAttr':
      return [e.expr, ...attrPathChildren(e.path)];
    case 'Lambda':
      return [...(e.formals?.params.flatMap((f) => (f.default ? [f.default] : [])) ?? []), e.body];
    case 'Let':
      return [...e.bindings.flatMap(bindingChildren), e.body];
    case 'With':
      return [e.scope, e.body];
    case 'Assert':
      return [e.cond, e.body];
    case 'If':
      return [e.cond, e.then, e.else];
  }
}

export function attrPathChildren(path: AttrName[]): Expr[] {
  return path.flatMap((n) => (n.type === 'DynamicName' ? [n.expr] : []));
}

export function bindingChildren(b: Binding): Expr[] {
  if (b.type === 'AttrDef') return [...attrPathChildren(b.path), b.value];
  return [...(b.from ? [b.from] : []), ...attrPathChildren(b.names)];
}

/** Pre-order walk; `visit` returning false skips the node's children. */
export function walk(e: Expr, visit: (e: Expr, parents: readonly Expr[]) => boolean | void): void {
  const parents: Expr[] = [];
  const go = (n: Expr): void => {
    if (visit(n, parents) === false) return;
    parents.push(n);
    for (const c of children(n)) go(c);
    parents.pop();
  };
  go(e);
}

/** Static name of an attribute path element, or undefined when it is computed. */
export function attrNameText(n: AttrName): string | undefined {
  return n.type === 'Ident' ? n.name : n.staticName;
}

/** Strips redundant parentheses: `((e))` is `e` to Nix too (parens make no node there). */
export function unparen(e: Expr): Expr {
  let x = e;
  while (x.type === 'Paren') x = x.expr;
  return x;
}

/** 1-based line and column of an offset. */
export function lineCol(source: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < source.length; i++) {
    if (source[i] === '\n') {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}
