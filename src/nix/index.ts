/**
 * Nix files: a parser that accepts exactly what Nix 2.8 accepts, and the pure patch core that
 * finds and extends the library list(s) feeding a dev shell's LD_LIBRARY_PATH.
 * (File I/O and diffs live in files.ts / diff.ts.)
 */
import type { NixFile } from './ast.js';
import { parse } from './parser.js';

export { NixSyntaxError } from './errors.js';
export type { NixFile, Expr, ExprOf, Binding, AttrName, StringPart, Span } from './ast.js';
export { lineCol, walk, children, unparen } from './ast.js';
export type { Token, Trivia } from './lexer.js';
export { unboundVariables, NIX_2_8_GLOBALS } from './scope.js';
export type { LibraryList, Coverage, PatchOptions, PatchOutcome, LibraryPathSource, SourceKind, SourceRole } from './patch.js';
export { findLibraryLists, patchLibraryList } from './patch.js';

/** Parses a Nix file as Nix 2.8 does; throws NixSyntaxError (`FILE:LINE:COL: reason`). */
export function parseNix(source: string, file: string): NixFile {
  return parse(source, file);
}
