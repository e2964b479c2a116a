/**
 * Layout of edits in the file's own style: its newline, its indentation, one element per line in
 * a multi-line list, and a one-line list that outgrows a screen rewritten one element per line.
 */
import type { NixFile, Span } from './ast.js';

/** A splice into the original text. */
export interface Edit {
  at: number;
  text: string;
  /** Characters of the original replaced by `text` (0: an insertion). */
  remove?: number;
}

/** A one-line list longer than this (in characters of its line) is rewritten one element per line. */
export const MAX_LINE = 100;


/** CRLF files get CRLF in inserted lines. */
export function newlineOf(source: string): string {
  return source.includes('\r\n') ? '\r\n' : '\n';
}

export function lineStartOf(source: string, offset: number): number {
  return source.lastIndexOf('\n', offset - 1) + 1;
}

/** The whitespace before `offset` when nothing else precedes it on its line. */
export function leadingIndent(source: string, offset: number): string | undefined {
  const ls = lineStartOf(source, offset);
  const before = source.slice(ls, offset);
  return /^[ \t]*$/.test(before) ? before : undefined;
}

export function lineIndent(source: string, offset: number): string {
  const ls = lineStartOf(source, offset);
  return /^[ \t]*/.exec(source.slice(ls))![0];
}

/** One level of indentation as the file writes it. */
export function indentUnit(source: string, inner: string | undefined, outer: string): string {
  if (inner !== undefined && inner.startsWith(outer) && inner.length > outer.length) return inner.slice(outer.length);
  return /^\t/m.test(source) ? '\t' : '  ';
}

/**
 * Inserts `items` (already formatted) before the closing bracket of a container spanning
 * [open, close] whose children are `children`: one per line in a multi-line container, inline
 * otherwise.
 */
export function insertItems(file: NixFile, container: Span, children: Span[], items: string[], separator: string): Edit {
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


function lineEndOf(source: string, offset: number): number {
  const nl = source.indexOf('\n', offset);
  return nl < 0 ? source.length : nl;
}

/**
 * A one-line list that would outgrow MAX_LINE with `items` added, rewritten one element per
 * line (as nixfmt lays out long lists); undefined when it still fits, spans lines already, or
 * holds comments (which a rewrite could misplace).
 */
export function rewrapOneLine(file: NixFile, list: Span, children: Span[], items: string[]): Edit | undefined {
  const source = file.source;
  const open = list.start;
  const close = list.end - 1;
  if (source.slice(open, close).includes('\n')) return undefined;
  if (file.trivia.some((t) => t.kind !== 'whitespace' && t.start > open && t.end <= close)) return undefined;
  const lineLength = lineEndOf(source, open) - lineStartOf(source, open);
  const grown = lineLength + items.reduce((n, i) => n + i.length + 1, 0);
  if (grown <= MAX_LINE) return undefined;
  const nl = newlineOf(source);
  const outer = lineIndent(source, open);
  const indent = outer + indentUnit(source, undefined, outer);
  const elements = [...children.map((c) => source.slice(c.start, c.end)), ...items];
  return { at: open, remove: list.end - open, text: `[${nl}${elements.map((e) => `${indent}${e}${nl}`).join('')}${outer}]` };
}
