/**
 * Recursive-descent parser for the Nix language, accepting exactly what Nix 2.8's bison grammar
 * (src/libexpr/parser.y) accepts, including the checks Nix makes while parsing: duplicate
 * attributes (with its merging of `a = { … }; a.b = …;`), duplicate formal arguments, dynamic
 * attributes in `let` and `inherit`. Unbound variables are reported separately (scope.ts):
 * they depend on the Nix version's builtins, not on the syntax.
 */
import {
  type AttrName, type Binding, type BinaryOp, type Expr, type Formal, type Formals, type NixFile,
  type Span, type StringPart, lineCol, unparen,
} from './ast.js';
import { NixSyntaxError } from './errors.js';
import { LexError, type Token, type TokenKind, lex } from './lexer.js';

class ParseFail extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

// Binary operator precedence, low to high, as declared in parser.y.
const PREC_NOT = 7;
const PREC_HAS = 11;
const BINARY: Readonly<Record<string, { prec: number; assoc: 'left' | 'right' | 'none'; op: BinaryOp }>> = {
  IMPL: { prec: 1, assoc: 'right', op: '->' },
  OR: { prec: 2, assoc: 'left', op: '||' },
  AND: { prec: 3, assoc: 'left', op: '&&' },
  EQ: { prec: 4, assoc: 'none', op: '==' },
  NEQ: { prec: 4, assoc: 'none', op: '!=' },
  '<': { prec: 5, assoc: 'none', op: '<' },
  '>': { prec: 5, assoc: 'none', op: '>' },
  LEQ: { prec: 5, assoc: 'none', op: '<=' },
  GEQ: { prec: 5, assoc: 'none', op: '>=' },
  UPDATE: { prec: 6, assoc: 'right', op: '//' },
  '+': { prec: 8, assoc: 'left', op: '+' },
  '-': { prec: 8, assoc: 'left', op: '-' },
  '*': { prec: 9, assoc: 'left', op: '*' },
  '/': { prec: 9, assoc: 'left', op: '/' },
  CONCAT: { prec: 10, assoc: 'right', op: '++' },
};

/** Attribute table used to reproduce Nix's duplicate-attribute checks (addAttr in parser.y). */
interface AttrEntry {
  inherited: boolean;
  /** Where the attribute was defined (Nix reports a clash found while merging there). */
  pos: number;
  /** Set when the value is an attribute set Nix may extend or merge (ExprAttrs). */
  table: AttrTable | undefined;
}
type AttrTable = Map<string, AttrEntry>;

const TOKEN_NAMES: Partial<Record<TokenKind, string>> = {
  EOF: 'end of file', IND_STRING_OPEN: "''", IND_STRING_CLOSE: "''", DOLLAR_CURLY: '${',
  PATH_END: 'end of path', STR: 'string', IND_STR: 'string', ID: 'identifier', OR_KW: "'or'",
};

function describe(t: Token): string {
  if (t.kind === 'CHAR') return `'${t.text}'`;
  const named = TOKEN_NAMES[t.kind];
  if (named) return named;
  return `'${t.text}'`;
}

class Parser {
  private i = 0;
  private readonly tables = new WeakMap<Expr, AttrTable>();

  constructor(
    private readonly toks: Token[],
    private readonly sourceLength: number,
    private readonly eofAt: number,
  ) {}

  private peek(k = 0): Token {
    return this.toks[Math.min(this.i + k, this.toks.length - 1)]!;
  }
  private next(): Token {
    const t = this.peek();
    if (this.i < this.toks.length - 1) this.i++;
    return t;
  }
  private isChar(t: Token, c: string): boolean {
    return t.kind === 'CHAR' && t.text === c;
  }
  private atChar(c: string, k = 0): boolean {
    return this.isChar(this.peek(k), c);
  }
  private fail(t: Token, expecting?: string): never {
    const what = t.kind === 'CHAR' && !/[\x21-\x7e]/.test(t.text) ? 'invalid token' : describe(t);
    // Like Nix, an error at the end of the input is reported where the last lexeme starts.
    const at = t.kind === 'EOF' || (t.kind === 'PATH_END' && t.start === this.sourceLength) ? this.eofAt : t.start;
    throw new ParseFail(`syntax error, unexpected ${what}${expecting ? `, expecting ${expecting}` : ''}`, at);
  }
  private expectChar(c: string): Token {
    const t = this.peek();
    if (!this.isChar(t, c)) this.fail(t, `'${c}'`);
    return this.next();
  }
  private expectKind(kind: TokenKind, name: string): Token {
    const t = this.peek();
    if (t.kind !== kind) this.fail(t, name);
    return this.next();
  }

  parseFile(): Expr {
    const e = this.parseExpr();
    const t = this.peek();
    if (t.kind !== 'EOF') this.fail(t, 'end of file');
    return e;
  }

  private parseExpr(): Expr {
    const t = this.peek();
    const start = t.start;
    if (t.kind === 'ID') {
      const t1 = this.peek(1);
      if (this.isChar(t1, ':')) {
        this.i += 2;
        const body = this.parseExpr();
        return { type: 'Lambda', arg: { name: t.text, start: t.start, end: t.end }, formals: undefined, body, start, end: body.end };
      }
      if (this.isChar(t1, '@')) {
        this.i += 2;
        const formals = this.parseFormals();
        this.expectChar(':');
        const arg = { name: t.text, start: t.start, end: t.end };
        this.checkFormals(formals, arg.name, start);
        const body = this.parseExpr();
        return { type: 'Lambda', arg, formals, body, start, end: body.end };
      }
    }
    if (this.isChar(t, '{') && this.formalsAhead()) {
      const formals = this.parseFormals();
      let arg: { name: string; start: number; end: number } | undefined;
      if (this.atChar('@')) {
        this.next();
        const id = this.expectKind('ID', 'identifier');
        arg = { name: id.text, start: id.start, end: id.end };
      } else if (!this.atChar(':')) {
        this.fail(this.peek(), "':' or '@'");
      }
      this.expectChar(':');
      this.checkFormals(formals, arg?.name, start);
      const body = this.parseExpr();
      return { type: 'Lambda', arg, formals, body, start, end: body.end };
    }
    if (t.kind === 'ASSERT' || t.kind === 'WITH') {
      this.next();
      const first = this.parseExpr();
      this.expectChar(';');
      const body = this.parseExpr();
      return t.kind === 'ASSERT'
        ? { type: 'Assert', cond: first, body, start, end: body.end }
        : { type: 'With', scope: first, body, start, end: body.end };
    }
    if (t.kind === 'LET' && !this.atChar('{', 1)) {
      this.next();
      const bindings = this.parseBinds('IN');
      this.bindsTable(bindings);
      const dyn = bindings.find((b) => b.type === 'AttrDef' && b.path[0]!.type === 'DynamicName' && b.path[0]!.staticName === undefined);
      if (dyn) throw new ParseFail('dynamic attributes not allowed in let', t.start);
      this.expectKind('IN', "'in'");
      const body = this.parseExpr();
      return { type: 'Let', bindings, body, start, end: body.end };
    }
    return this.parseIf();
  }

  /** At `{`: does a formal parameter list follow (rather than an attribute set)? */
  private formalsAhead(): boolean {
    const t1 = this.peek(1);
    if (this.isChar(t1, '}')) return this.atChar(':', 2) || this.atChar('@', 2);
    if (t1.kind === 'ELLIPSIS') return true;
    if (t1.kind === 'ID') {
      const t2 = this.peek(2);
      return this.isChar(t2, ',') || this.isChar(t2, '?') || this.isChar(t2, '}');
    }
    return false;
  }

  private parseFormals(): Formals {
    const open = this.expectChar('{');
    const params: Formal[] = [];
    let ellipsis = false;
    for (;;) {
      const t = this.peek();
      if (this.isChar(t, '}')) break;
      if (t.kind === 'ELLIPSIS') {
        this.next();
        ellipsis = true;
        break;
      }
      const id = this.expectKind('ID', "'}'");
      let def: Expr | undefined;
      if (this.atChar('?')) {
        this.next();
        def = this.parseExpr();
      }
      params.push({ name: id.text, default: def, start: id.start, end: def ? def.end : id.end });
      if (!this.atChar(',')) break;
      this.next();
    }
    const close = this.expectChar('}');
    return { params, ellipsis, start: open.start, end: close.end };
  }

  private checkFormals(formals: Formals, arg: string | undefined, at: number): void {
    const seen = new Set<string>();
    for (const f of formals.params) {
      if (seen.has(f.name)) throw new ParseFail(`duplicate formal function argument '${f.name}'`, f.start);
      seen.add(f.name);
    }
    if (arg !== undefined && seen.has(arg)) throw new ParseFail(`duplicate formal function argument '${arg}'`, at);
  }

  private parseIf(): Expr {
    const t = this.peek();
    if (t.kind !== 'IF') return this.parseOp(0);
    this.next();
    const cond = this.parseExpr();
    this.expectKind('THEN', "'then'");
    const then = this.parseExpr();
    this.expectKind('ELSE', "'else'");
    const els = this.parseExpr();
    return { type: 'If', cond, then, else: els, start: t.start, end: els.end };
  }

  private binaryOf(t: Token): (typeof BINARY)[string] | undefined {
    const key = t.kind === 'CHAR' ? t.text : t.kind;
    return Object.hasOwn(BINARY, key) ? BINARY[key] : undefined;
  }

  /** Precedence climbing over expr_op; prefix `!` and `-` take their operand at their own level. */
  private parseOp(minPrec: number): Expr {
    const t = this.peek();
    let lhs: Expr;
    if (this.isChar(t, '!')) {
      this.next();
      const operand = this.parseOp(PREC_NOT + 1);
      lhs = { type: 'Not', expr: operand, start: t.start, end: operand.end };
    } else if (this.isChar(t, '-')) {
      this.next();
      const operand = this.parseOp(PREC_HAS + 2);
      lhs = { type: 'Neg', expr: operand, start: t.start, end: operand.end };
    } else {
      lhs = this.parseApp();
    }
    let lastNonAssoc = -1;
    for (;;) {
      const op = this.peek();
      if (this.isChar(op, '?')) {
        if (PREC_HAS < minPrec) break;
        this.next();
        const path = this.parseAttrPath();
        lhs = { type: 'HasAttr', expr: lhs, path, start: lhs.start, end: path[path.length - 1]!.end };
        continue;
      }
      const info = this.binaryOf(op);
      if (!info || info.prec < minPrec) break;
      if (info.assoc === 'none' && info.prec === lastNonAssoc) this.fail(op);
      this.next();
      const rhs = this.parseOp(info.assoc === 'right' ? info.prec : info.prec + 1);
      lhs = { type: 'Binary', op: info.op, lhs, rhs, start: lhs.start, end: rhs.end };
      lastNonAssoc = info.assoc === 'none' ? info.prec : -1;
    }
    return lhs;
  }

  private startsSelect(t: Token): boolean {
    switch (t.kind) {
      case 'ID': case 'INT': case 'FLOAT': case 'IND_STRING_OPEN': case 'PATH': case 'HPATH':
      case 'SPATH': case 'URI': case 'LET': case 'REC':
        return true;
      case 'CHAR':
        return t.text === '"' || t.text === '(' || t.text === '{' || t.text === '[';
      default:
        return false;
    }
  }

  private parseApp(): Expr {
    let fn = this.parseSelect();
    while (this.startsSelect(this.peek())) {
      const arg = this.parseSelect();
      fn = { type: 'App', fn, arg, start: fn.start, end: arg.end };
    }
    return fn;
  }

  private parseSelect(): Expr {
    const e = this.parseSimple();
    if (this.atChar('.')) {
      this.next();
      const path = this.parseAttrPath();
      let def: Expr | undefined;
      if (this.peek().kind === 'OR_KW') {
        this.next();
        def = this.parseSelect();
      }
      return { type: 'Select', expr: e, path, default: def, start: e.start, end: def ? def.end : path[path.length - 1]!.end };
    }
    if (this.peek().kind === 'OR_KW') {
      // Backwards compatibility in Nix: `f or` applies f to a variable named `or`.
      const t = this.next();
      const arg: Expr = { type: 'Var', name: 'or', start: t.start, end: t.end };
      return { type: 'App', fn: e, arg, start: e.start, end: t.end };
    }
    return e;
  }

  private parseAttrPath(): AttrName[] {
    const path = [this.parseAttr(true)];
    while (this.atChar('.')) {
      this.next();
      path.push(this.parseAttr(true));
    }
    return path;
  }

  /** attr | string_attr */
  private parseAttr(allowDynamic: boolean): AttrName {
    const t = this.peek();
    if (t.kind === 'ID' || t.kind === 'OR_KW') {
      this.next();
      return { type: 'Ident', name: t.text, start: t.start, end: t.end };
    }
    if (this.isChar(t, '"')) {
      const s = this.parseString();
      return { type: 'DynamicName', expr: s, staticName: staticStringValue(s), start: s.start, end: s.end };
    }
    if (t.kind === 'DOLLAR_CURLY' && allowDynamic) {
      this.next();
      const e = this.parseExpr();
      const close = this.expectChar('}');
      return { type: 'DynamicName', expr: e, staticName: staticStringValue(unparen(e)), start: t.start, end: close.end };
    }
    return this.fail(t);
  }

  private parseSimple(): Expr {
    const t = this.peek();
    switch (t.kind) {
      case 'ID':
        this.next();
        if (t.text === '__curPos') return { type: 'Pos', start: t.start, end: t.end };
        return { type: 'Var', name: t.text, start: t.start, end: t.end };
      case 'INT':
        this.next();
        return { type: 'Int', text: t.text, start: t.start, end: t.end };
      case 'FLOAT':
        this.next();
        return { type: 'Float', text: t.text, start: t.start, end: t.end };
      case 'IND_STRING_OPEN':
        return this.parseIndString();
      case 'PATH': case 'HPATH':
        return this.parsePath();
      case 'SPATH':
        this.next();
        return { type: 'SearchPath', path: t.text.slice(1, -1), start: t.start, end: t.end };
      case 'URI':
        this.next();
        return { type: 'Uri', text: t.text, start: t.start, end: t.end };
      case 'LET': {
        this.next();
        this.expectChar('{');
        const bindings = this.parseBinds('}');
        this.bindsTable(bindings);
        const close = this.expectChar('}');
        return { type: 'LegacyLet', bindings, start: t.start, end: close.end };
      }
      case 'REC': {
        this.next();
        const set = this.parseAttrSet(true, t.start);
        return set;
      }
      case 'CHAR':
        if (t.text === '"') return this.parseString();
        if (t.text === '(') {
          this.next();
          const e = this.parseExpr();
          const close = this.expectChar(')');
          return { type: 'Paren', expr: e, start: t.start, end: close.end };
        }
        if (t.text === '{') return this.parseAttrSet(false, t.start);
        if (t.text === '[') {
          this.next();
          const elements: Expr[] = [];
          while (this.startsSelect(this.peek())) elements.push(this.parseSelect());
          const close = this.expectChar(']');
          return { type: 'List', elements, start: t.start, end: close.end };
        }
        break;
      default:
        break;
    }
    return this.fail(t);
  }

  private parseAttrSet(rec: boolean, start: number): Expr {
    this.expectChar('{');
    const bindings = this.parseBinds('}');
    const table = this.bindsTable(bindings);
    const close = this.expectChar('}');
    const e: Expr = { type: 'Attrs', rec, bindings, start, end: close.end };
    this.tables.set(e, table);
    return e;
  }

  private parseBinds(terminator: '}' | 'IN'): Binding[] {
    const out: Binding[] = [];
    for (;;) {
      const t = this.peek();
      if (terminator === '}' ? this.isChar(t, '}') : t.kind === 'IN') return out;
      if (t.kind === 'INHERIT') {
        this.next();
        let from: Expr | undefined;
        if (this.atChar('(')) {
          this.next();
          from = this.parseExpr();
          this.expectChar(')');
        }
        const names: AttrName[] = [];
        while (!this.atChar(';')) {
          const n = this.peek();
          if (n.kind !== 'ID' && n.kind !== 'OR_KW' && !this.isChar(n, '"') && n.kind !== 'DOLLAR_CURLY') this.fail(n, "';'");
          const name = this.parseAttr(true);
          if (name.type === 'DynamicName' && name.staticName === undefined) {
            throw new ParseFail('dynamic attributes not allowed in inherit', name.start);
          }
          names.push(name);
        }
        const semi = this.expectChar(';');
        out.push({ type: 'Inherit', from, names, start: t.start, end: semi.end });
        continue;
      }
      if (t.kind !== 'ID' && t.kind !== 'OR_KW' && !this.isChar(t, '"') && t.kind !== 'DOLLAR_CURLY') {
        this.fail(t);
      }
      const path = this.parseAttrPath();
      this.expectChar('=');
      const value = this.parseExpr();
      const semi = this.expectChar(';');
      out.push({ type: 'AttrDef', path, value, start: path[0]!.start, end: semi.end });
    }
  }

  /** Reproduces addAttr/inherit duplicate checks; returns the table of static names. */
  private bindsTable(bindings: Binding[]): AttrTable {
    const table: AttrTable = new Map();
    const dup = (at: number, name: string): never => {
      throw new ParseFail(`attribute '${name}' already defined`, at);
    };
    for (const b of bindings) {
      if (b.type === 'Inherit') {
        for (const n of b.names) {
          const name = n.type === 'Ident' ? n.name : n.staticName!;
          if (table.has(name)) dup(n.start, name);
          table.set(name, { inherited: b.from === undefined, table: undefined, pos: n.start });
        }
        continue;
      }
      let cur: AttrTable = table;
      const shown = b.path.map((n) => (n.type === 'Ident' ? n.name : n.staticName ?? '"${...}"')).join('.');
      for (let k = 0; k < b.path.length - 1; k++) {
        const name = b.path[k]!.type === 'Ident' ? (b.path[k] as { name: string }).name : (b.path[k] as { staticName: string | undefined }).staticName;
        if (name === undefined) {
          cur = new Map(); // dynamic: Nix does not check below it
          continue;
        }
        const j = cur.get(name);
        if (j) {
          if (j.inherited || !j.table) dup(b.start, shown);
          cur = j.table!;
        } else {
          const nested: AttrTable = new Map();
          cur.set(name, { inherited: false, table: nested, pos: b.start });
          cur = nested;
        }
      }
      const last = b.path[b.path.length - 1]!;
      const name = last.type === 'Ident' ? last.name : last.staticName;
      if (name === undefined) continue;
      const valueTable = this.tables.get(unparen(b.value));
      const j = cur.get(name);
      if (j) {
        if (j.table && valueTable) {
          for (const [k, v] of valueTable) {
            const clash = j.table.get(k);
            if (clash) dup(clash.pos, k);
            j.table.set(k, v);
          }
        } else {
          dup(b.start, shown);
        }
      } else {
        cur.set(name, { inherited: false, table: valueTable, pos: b.start });
      }
    }
    return table;
  }

  private parseString(): Expr {
    const open = this.expectChar('"');
    const parts = this.parseParts((t) => this.isChar(t, '"'), 'STR');
    // string_parts: STR | string_parts_interpolated | empty — two literal tokens in a row are not.
    if (parts.length >= 2 && parts[0]!.type === 'Literal' && parts[1]!.type === 'Literal') {
      this.fail(this.toks[this.indexAt(parts[1]!.start)]!);
    }
    const close = this.expectChar('"');
    return { type: 'String', parts, start: open.start, end: close.end };
  }

  private indexAt(offset: number): number {
    let k = this.i;
    while (k > 0 && this.toks[k]!.start > offset) k--;
    return k;
  }

  private parseIndString(): Expr {
    const open = this.next();
    const parts = this.parseParts((t) => t.kind === 'IND_STRING_CLOSE', 'IND_STR');
    const close = this.expectKind('IND_STRING_CLOSE', "''");
    return { type: 'IndString', parts, start: open.start, end: close.end };
  }

  private parsePath(): Expr {
    const first = this.next();
    const parts: StringPart[] = [{ type: 'Literal', value: first.text, start: first.start, end: first.end }];
    const rest = this.parseParts((t) => t.kind === 'PATH_END', 'STR');
    if (rest.length > 0) {
      const ok = rest[0]!.type === 'Interpolation' || rest[1]?.type === 'Interpolation';
      if (!ok) this.fail(this.peek(), '${');
    }
    const end = this.expectKind('PATH_END', 'end of path');
    parts.push(...rest);
    return { type: 'Path', parts, start: first.start, end: end.start };
  }

  private parseParts(isEnd: (t: Token) => boolean, literal: TokenKind): StringPart[] {
    const parts: StringPart[] = [];
    for (;;) {
      const t = this.peek();
      if (isEnd(t)) return parts;
      if (t.kind === literal) {
        this.next();
        parts.push({ type: 'Literal', value: t.value ?? t.text, start: t.start, end: t.end });
      } else if (t.kind === 'DOLLAR_CURLY') {
        this.next();
        const expr = this.parseExpr();
        const close = this.expectChar('}');
        parts.push({ type: 'Interpolation', expr, start: t.start, end: close.end });
      } else {
        this.fail(t);
      }
    }
  }
}

/** The value of a string with no interpolation, as Nix folds it to a constant attribute name. */
function staticStringValue(e: Expr): string | undefined {
  if (e.type === 'String') {
    if (e.parts.length === 0) return '';
    if (e.parts.length === 1 && e.parts[0]!.type === 'Literal') return e.parts[0]!.value;
    return undefined;
  }
  if (e.type === 'IndString') {
    // Nix keeps an indented string constant only when it is a single piece of text.
    if (e.parts.length === 0) return '';
    if (e.parts.length === 1 && e.parts[0]!.type === 'Literal') return e.parts[0]!.value.trim();
    return undefined;
  }
  return undefined;
}

/** Start of the last token or whitespace/comment run: where Nix places end-of-input errors. */
export function lastLexemeStart(tokens: readonly Span[], trivia: readonly Span[]): number {
  let at = 0;
  for (const t of tokens) if (t.end > t.start && t.start > at) at = t.start;
  for (const t of trivia) if (t.start > at) at = t.start;
  return at;
}

/** Parses a whole file; throws NixSyntaxError with the position of the first error. */
export function parse(source: string, file: string): NixFile {
  try {
    const { tokens, trivia } = lex(source);
    const root = new Parser(tokens, source.length, lastLexemeStart(tokens, trivia)).parseFile();
    return { file, source, root, tokens, trivia };
  } catch (err) {
    if (err instanceof ParseFail || err instanceof LexError) {
      const { line, column } = lineCol(source, err.offset);
      throw new NixSyntaxError(file, line, column, err.message);
    }
    throw err;
  }
}
