export { NixSyntaxError } from './errors.js';
export type { NixFile, Expr, Binding, AttrName, StringPart, Span } from './ast.js';
export { lineCol } from './ast.js';
export { unboundVariables, NIX_2_8_GLOBALS } from './scope.js';
import type { NixFile } from './ast.js';
import { parse } from './parser.js';

/** Parses a Nix file as Nix 2.8 does; throws NixSyntaxError (`FILE:LINE:COL: reason`). */
export function parseNix(source: string, file: string): NixFile {
  return parse(source, file);
}
export type { LibraryList, Coverage, PatchOptions, PatchOutcome } from './patch.js';
export { findLibraryLists, patchLibraryList } from './patch.js';
export { defaultAttrCovers, normalizeAttr, DRIVER_ATTR } from './attrs.js';
