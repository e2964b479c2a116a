/**
 * Lexer for the Nix language as Nix 2.8's flex scanner (src/libexpr/lexer.l) tokenizes it.
 *
 * The scanner is reproduced rule for rule: at each position every rule active in the current
 * start condition is tried, the longest match wins and ties go to the rule listed first, just
 * as flex does. The start-condition stack (strings, indented strings, paths, `${`…`}`) is kept
 * here exactly like the flex one, so the token stream does not depend on the parser and can be
 * produced up front. Whitespace and comments are kept as trivia so that an editor of the
 * original text can see them.
 */

export type TokenKind =
  | 'IF' | 'THEN' | 'ELSE' | 'ASSERT' | 'WITH' | 'LET' | 'IN' | 'REC' | 'INHERIT' | 'OR_KW'
  | 'ELLIPSIS' | 'EQ' | 'NEQ' | 'LEQ' | 'GEQ' | 'AND' | 'OR' | 'IMPL' | 'UPDATE' | 'CONCAT'
  | 'ID' | 'INT' | 'FLOAT' | 'DOLLAR_CURLY' | 'STR' | 'IND_STRING_OPEN' | 'IND_STR'
  | 'IND_STRING_CLOSE' | 'PATH' | 'HPATH' | 'PATH_END' | 'SPATH' | 'URI' | 'CHAR' | 'EOF';

export interface Token {
  kind: TokenKind;
  /** For CHAR tokens the character itself; otherwise the matched text. */
  text: string;
  start: number;
  end: number;
  /** STR / IND_STR: the string value the token stands for (escapes resolved). */
  value?: string;
  /** IND_STR: true when the text is literal source text (subject to indentation stripping). */
  literal?: boolean;
}

export interface Trivia {
  kind: 'whitespace' | 'line-comment' | 'block-comment';
  start: number;
  end: number;
}

/** A lexical error: Nix raises these from the scanner itself. */
export class LexError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

type State = 'INITIAL' | 'DEFAULT' | 'STRING' | 'IND_STRING' | 'INPATH' | 'INPATH_SLASH';

const KEYWORDS: ReadonlyMap<string, TokenKind> = new Map<string, TokenKind>([
  ['if', 'IF'], ['then', 'THEN'], ['else', 'ELSE'], ['assert', 'ASSERT'], ['with', 'WITH'],
  ['let', 'LET'], ['in', 'IN'], ['rec', 'REC'], ['inherit', 'INHERIT'], ['or', 'OR_KW'],
]);

/** A word the lexer reads as a keyword, never as a name (so an attribute named so must be quoted). */
export function isKeyword(word: string): boolean {
  return KEYWORDS.has(word);
}

const OPERATORS: ReadonlyArray<[string, TokenKind]> = [
  ['...', 'ELLIPSIS'], ['==', 'EQ'], ['!=', 'NEQ'], ['<=', 'LEQ'], ['>=', 'GEQ'], ['&&', 'AND'],
  ['||', 'OR'], ['->', 'IMPL'], ['//', 'UPDATE'], ['++', 'CONCAT'],
];

const isAlpha = (c: string | undefined): boolean =>
  c !== undefined && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'));
const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';
const isIdStart = (c: string | undefined): boolean => isAlpha(c) || c === '_';
const isIdChar = (c: string | undefined): boolean =>
  isAlpha(c) || isDigit(c) || c === '_' || c === "'" || c === '-';
/** PATH_CHAR [a-zA-Z0-9\.\_\-\+] */
const isPathChar = (c: string | undefined): boolean =>
  isAlpha(c) || isDigit(c) || c === '.' || c === '_' || c === '-' || c === '+';
const URI_TAIL = new Set("%/?:@&=+$,-_.!~*'".split(''));
const isUriChar = (c: string | undefined): boolean =>
  isAlpha(c) || isDigit(c) || (c !== undefined && URI_TAIL.has(c));
const isSchemeChar = (c: string | undefined): boolean =>
  isAlpha(c) || isDigit(c) || c === '+' || c === '-' || c === '.';

// Each matcher returns the length of the longest match at `p`, or 0 for no match.

function matchId(s: string, p: number): number {
  if (!isIdStart(s[p])) return 0;
  let q = p + 1;
  while (isIdChar(s[q])) q++;
  return q - p;
}

function matchInt(s: string, p: number): number {
  let q = p;
  while (isDigit(s[q])) q++;
  return q - p;
}

/** FLOAT (([1-9][0-9]*\.[0-9]*)|(0?\.[0-9]+))([Ee][+-]?[0-9]+)? */
function matchFloat(s: string, p: number): number {
  let q = p;
  const c0 = s[q];
  if (c0 !== undefined && c0 >= '1' && c0 <= '9') {
    while (isDigit(s[q])) q++;
    if (s[q] !== '.') return 0;
    q++;
    while (isDigit(s[q])) q++;
  } else {
    if (s[q] === '0') q++;
    if (s[q] !== '.' || !isDigit(s[q + 1])) return 0;
    q++;
    while (isDigit(s[q])) q++;
  }
  if (s[q] === 'e' || s[q] === 'E') {
    let r = q + 1;
    if (s[r] === '+' || s[r] === '-') r++;
    if (isDigit(s[r])) {
      while (isDigit(s[r])) r++;
      q = r;
    }
  }
  return q - p;
}

/** PATH {PATH_CHAR}*(\/{PATH_CHAR}+)+\/? */
function matchPath(s: string, p: number): number {
  let q = p;
  while (isPathChar(s[q])) q++;
  let segments = 0;
  let end = 0;
  while (s[q] === '/' && isPathChar(s[q + 1])) {
    q++;
    while (isPathChar(s[q])) q++;
    segments++;
    end = q;
  }
  if (segments === 0) return 0;
  if (s[end] === '/') end++;
  return end - p;
}

/** HPATH \~(\/{PATH_CHAR}+)+\/? */
function matchHPath(s: string, p: number): number {
  if (s[p] !== '~') return 0;
  const rest = matchPath(s, p + 1);
  // The part after `~` must start with a slash (no leading PATH_CHARs).
  if (rest === 0 || s[p + 1] !== '/') return 0;
  return rest + 1;
}

/** {PATH_SEG}\$\{ | {HPATH_START}\$\{ ; returns the length of the segment (without `${`). */
function matchPathSegInterp(s: string, p: number): number {
  let q = p;
  if (s[q] === '~') {
    q++;
  } else {
    while (isPathChar(s[q])) q++;
  }
  if (s[q] !== '/' || s[q + 1] !== '$' || s[q + 2] !== '{') return 0;
  return q + 1 - p;
}

/** SPATH \<{PATH_CHAR}+(\/{PATH_CHAR}+)*\> */
function matchSPath(s: string, p: number): number {
  if (s[p] !== '<' || !isPathChar(s[p + 1])) return 0;
  let q = p + 1;
  while (isPathChar(s[q])) q++;
  while (s[q] === '/' && isPathChar(s[q + 1])) {
    q++;
    while (isPathChar(s[q])) q++;
  }
  return s[q] === '>' ? q + 1 - p : 0;
}

/** URI [a-zA-Z][a-zA-Z0-9\+\-\.]*\:[a-zA-Z0-9\%\/\?\:\@\&\=\+\$\,\-\_\.\!\~\*\']+ */
function matchUri(s: string, p: number): number {
  if (!isAlpha(s[p])) return 0;
  let q = p + 1;
  while (isSchemeChar(s[q])) q++;
  if (s[q] !== ':' || !isUriChar(s[q + 1])) return 0;
  q++;
  while (isUriChar(s[q])) q++;
  return q - p;
}

function matchWhitespace(s: string, p: number): number {
  let q = p;
  while (s[q] === ' ' || s[q] === '\t' || s[q] === '\r' || s[q] === '\n') q++;
  return q - p;
}

function matchLineComment(s: string, p: number): number {
  if (s[p] !== '#') return 0;
  let q = p + 1;
  while (q < s.length && s[q] !== '\n' && s[q] !== '\r') q++;
  return q - p;
}

// A block comment: the first star-slash after the opening slash-star closes it.
function matchBlockComment(s: string, p: number): number {
  if (s[p] !== '/' || s[p + 1] !== '*') return 0;
  const close = s.indexOf('*/', p + 2);
  return close < 0 ? 0 : close + 2 - p;
}

/** `''` followed optionally by spaces and a newline (which belong to the opening token). */
function matchIndOpen(s: string, p: number): number {
  if (s[p] !== "'" || s[p + 1] !== "'") return 0;
  let q = p + 2;
  while (s[q] === ' ') q++;
  return s[q] === '\n' ? q + 1 - p : 2;
}

const ESCAPES: Readonly<Record<string, string>> = { n: '\n', r: '\r', t: '\t' };

/** Nix's unescapeStr: `\x` -> x except \n \r \t; an unescaped CR or CRLF becomes LF. */
export function unescapeString(raw: string): string {
  let out = '';
  for (let i = 0; i < raw.length; i++) {
    let c = raw[i]!;
    if (c === '\\' && i + 1 < raw.length) {
      c = raw[++i]!;
      out += ESCAPES[c] ?? c;
    } else if (c === '\r') {
      out += '\n';
      if (raw[i + 1] === '\n') i++;
    } else {
      out += c;
    }
  }
  return out;
}

/** Length of the run `([^$"\\]|\$[^{"\\]|\\ANY|\$\\ANY)*` plus a trailing `$` before `"`. */
function matchStringRun(s: string, p: number): number {
  let q = p;
  for (;;) {
    const c = s[q];
    if (c === undefined || c === '"') break;
    if (c === '\\') {
      if (q + 1 >= s.length) break;
      q += 2;
    } else if (c === '$') {
      const d = s[q + 1];
      if (d === '"') {
        q += 1; // `(...)*\$/\"`: a dollar right before the closing quote is literal
        break;
      }
      if (d === undefined || d === '{') break;
      if (d === '\\') {
        if (q + 2 >= s.length) break;
        q += 3;
      } else {
        q += 2;
      }
    } else {
      q++;
    }
  }
  return q - p;
}

/** Length of the run `([^$']|\$[^{']|\'[^'$])+` inside an indented string. */
function matchIndRun(s: string, p: number): number {
  let q = p;
  for (;;) {
    const c = s[q];
    if (c === undefined) break;
    if (c === '$') {
      const d = s[q + 1];
      if (d === undefined || d === '{' || d === "'") break;
      q += 2;
    } else if (c === "'") {
      const d = s[q + 1];
      if (d === undefined || d === "'" || d === '$') break;
      q += 2;
    } else {
      q++;
    }
  }
  return q - p;
}

export interface LexResult {
  tokens: Token[];
  trivia: Trivia[];
}

/** Tokenizes a whole file. Throws LexError for the errors Nix's scanner raises itself. */
export function lex(source: string): LexResult {
  const s = source;
  const tokens: Token[] = [];
  const trivia: Trivia[] = [];
  const stack: State[] = ['INITIAL'];
  const top = (): State => stack[stack.length - 1]!;
  const pop = (): void => {
    stack.pop();
  };
  const push = (st: State): void => {
    stack.push(st);
  };
  let p = 0;
  // Where Nix reports an error found at the end of the input: the last lexeme's start.
  const lastStart = (): number => Math.max(0, ...tokens.filter((t) => t.end > t.start).map((t) => t.start), ...trivia.map((t) => t.start));
  const emit = (kind: TokenKind, len: number, extra?: Partial<Token>): void => {
    tokens.push({ kind, text: s.slice(p, p + len), start: p, end: p + len, ...extra });
    p += len;
  };

  for (;;) {
    const state = top();
    if (state === 'STRING') {
      if (p >= s.length) break; // unterminated: the parser reports the end of file
      const run = matchStringRun(s, p);
      if (run > 0) {
        emit('STR', run, { value: unescapeString(s.slice(p, p + run)) });
      } else if (s[p] === '$' && s[p + 1] === '{') {
        push('DEFAULT');
        emit('DOLLAR_CURLY', 2);
      } else if (s[p] === '"') {
        pop();
        emit('CHAR', 1);
      } else {
        // `\$|\\|\$\\` at end of input
        const len = s[p] === '$' && s[p + 1] === '\\' ? 2 : 1;
        emit('STR', len, { value: s.slice(p, p + len) });
      }
      continue;
    }
    if (state === 'IND_STRING') {
      if (p >= s.length) break;
      const run = matchIndRun(s, p);
      const c = s[p];
      const d = s[p + 1];
      if (run > 0) {
        emit('IND_STR', run, { value: s.slice(p, p + run), literal: true });
      } else if (c === '$' && d === '{') {
        push('DEFAULT');
        emit('DOLLAR_CURLY', 2);
      } else if (c === '$') {
        emit('IND_STR', 1, { value: '$', literal: false });
      } else if (c === "'" && d === "'") {
        const e = s[p + 2];
        if (e === '$') emit('IND_STR', 3, { value: '$', literal: false });
        else if (e === "'") emit('IND_STR', 3, { value: "''", literal: false });
        else if (e === '\\' && p + 3 < s.length) {
          emit('IND_STR', 4, { value: unescapeString(s.slice(p + 2, p + 4)), literal: false });
        } else {
          pop();
          emit('IND_STRING_CLOSE', 2);
        }
      } else {
        emit('IND_STR', 1, { value: "'", literal: false });
      }
      continue;
    }
    if (state === 'INPATH' || state === 'INPATH_SLASH') {
      if (s[p] === '$' && s[p + 1] === '{') {
        pop();
        push('INPATH');
        push('DEFAULT');
        emit('DOLLAR_CURLY', 2);
        continue;
      }
      // {PATH}|{PATH_SEG}|{PATH_CHAR}+
      let len = matchPath(s, p);
      let q = p;
      while (isPathChar(s[q])) q++;
      const chars = q - p;
      const seg = s[q] === '/' ? chars + 1 : 0;
      len = Math.max(len, seg, chars);
      if (len > 0) {
        pop();
        push(s[p + len - 1] === '/' ? 'INPATH_SLASH' : 'INPATH');
        emit('STR', len, { value: s.slice(p, p + len) });
        continue;
      }
      if (state === 'INPATH_SLASH') throw new LexError('path has a trailing slash', p < s.length ? p : lastStart());
      pop();
      tokens.push({ kind: 'PATH_END', text: '', start: p, end: p });
      continue;
    }

    // INITIAL / DEFAULT
    if (p >= s.length) break;
    const c = s[p]!;
    let best = 0;
    let rule = '';
    const consider = (len: number, name: string): void => {
      if (len > best) {
        best = len;
        rule = name;
      }
    };
    const id = matchId(s, p);
    const kw = id > 0 ? KEYWORDS.get(s.slice(p, p + id)) : undefined;
    if (kw) consider(id, 'kw');
    for (const [op] of OPERATORS) {
      if (s.startsWith(op, p)) consider(op.length, 'op');
    }
    consider(id, 'id');
    consider(matchInt(s, p), 'int');
    consider(matchFloat(s, p), 'float');
    if (c === '$' && s[p + 1] === '{') consider(2, '${');
    if (c === '}') consider(1, '}');
    if (c === '{') consider(1, '{');
    if (c === '"') consider(1, '"');
    consider(matchIndOpen(s, p), "''");
    const segLen = matchPathSegInterp(s, p);
    if (segLen > 0) consider(segLen + 2, 'pathseg');
    consider(matchPath(s, p), 'path');
    consider(matchHPath(s, p), 'hpath');
    consider(matchSPath(s, p), 'spath');
    consider(matchUri(s, p), 'uri');
    consider(matchWhitespace(s, p), 'ws');
    consider(matchLineComment(s, p), '#');
    consider(matchBlockComment(s, p), '/*');
    consider(1, 'any');

    switch (rule) {
      case 'kw':
        emit(kw!, best);
        break;
      case 'op':
        emit(OPERATORS.find(([op]) => op === s.slice(p, p + best))![1], best);
        break;
      case 'id':
        emit('ID', best);
        break;
      case 'int': {
        const text = s.slice(p, p + best);
        if (BigInt(text) > 9223372036854775807n) throw new LexError(`invalid integer '${text}'`, p);
        emit('INT', best);
        break;
      }
      case 'float': {
        const text = s.slice(p, p + best);
        if (!floatInRange(text)) throw new LexError(`invalid float '${text}'`, p);
        emit('FLOAT', best);
        break;
      }
      case '${':
        push('DEFAULT');
        emit('DOLLAR_CURLY', 2);
        break;
      case '}':
        // INITIAL only sits at the bottom of the stack; flex does not pop it.
        if (top() !== 'INITIAL') pop();
        emit('CHAR', 1);
        break;
      case '{':
        push('DEFAULT');
        emit('CHAR', 1);
        break;
      case '"':
        push('STRING');
        emit('CHAR', 1);
        break;
      case "''":
        push('IND_STRING');
        emit('IND_STRING_OPEN', best);
        break;
      case 'pathseg':
        // yyless(0) then PATH_START: the segment up to and including `/` is the path start.
        push('INPATH_SLASH');
        emit(c === '~' ? 'HPATH' : 'PATH', segLen);
        break;
      case 'path':
      case 'hpath':
        push(s[p + best - 1] === '/' ? 'INPATH_SLASH' : 'INPATH');
        emit(rule === 'path' ? 'PATH' : 'HPATH', best);
        break;
      case 'spath':
        emit('SPATH', best);
        break;
      case 'uri':
        emit('URI', best);
        break;
      case 'ws':
        trivia.push({ kind: 'whitespace', start: p, end: p + best });
        p += best;
        break;
      case '#':
        trivia.push({ kind: 'line-comment', start: p, end: p + best });
        p += best;
        break;
      case '/*':
        trivia.push({ kind: 'block-comment', start: p, end: p + best });
        p += best;
        break;
      default:
        emit('CHAR', 1);
    }
  }
  // At end of input a path still open ends (INPATH) or is an error (INPATH_SLASH).
  const last = top();
  if (last === 'INPATH') tokens.push({ kind: 'PATH_END', text: '', start: p, end: p });
  if (last === 'INPATH_SLASH') throw new LexError('path has a trailing slash', lastStart());
  tokens.push({ kind: 'EOF', text: '', start: s.length, end: s.length });
  return { tokens, trivia };
}

/** strtod sets ERANGE on overflow and on underflow to zero or a subnormal: Nix rejects those. */
function floatInRange(text: string): boolean {
  const v = Number(text);
  if (!Number.isFinite(v)) return false;
  const mantissaNonZero = /[1-9]/.test(text.split(/[eE]/)[0] ?? '');
  if (v === 0) return !mantissaNonZero;
  return Math.abs(v) >= 2.2250738585072014e-308;
}
