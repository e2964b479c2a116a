/**
 * What the library-path finder reports: each place a dev shell's library path is set (a sink)
 * and the list literals or interpolated strings (feeds) whose elements reach it.
 */
import type { Expr, ExprOf } from './ast.js';

export type SinkVia = 'LD_LIBRARY_PATH' | 'NIX_LD_LIBRARY_PATH';
export const SINK_NAMES: ReadonlySet<string> = new Set<SinkVia>(['LD_LIBRARY_PATH', 'NIX_LD_LIBRARY_PATH']);

/** A list literal whose elements reach the path. */
export interface ListFeed {
  kind: 'list';
  list: ExprOf<'List'>;
  /** Under optionals/optional/if: it may be empty, so it cannot be relied on or extended. */
  conditional: boolean;
  /** Elements are interpolated as `"${p}/lib"` (no makeLibraryPath): outputs must be explicit. */
  interpolated: boolean;
}

/** `"${a}/lib:${b}/lib"`: each interpolation followed by `/lib` is an element. */
export interface InterpFeed {
  kind: 'interp';
  string: Expr;
  elements: { expr: Expr; end: number }[];
}

export type Feed = ListFeed | InterpFeed;

export interface Sink {
  via: SinkVia;
  /** Offset of the attribute or of the `export` text that sets the variable. */
  at: number;
  feeds: Feed[];
  /** The path text itself names the driver directory (`/run/opengl-driver/lib`). */
  driverLiteral: boolean;
  /** Why (part of) the value could not be followed to a list. */
  unresolved: string[];
  /** The list arguments of the makeLibraryPath-like calls, as written (for `(ARG ++ [ … ])`). */
  calls: { arg: Expr; interpolated: boolean }[];
}

export function newSink(via: SinkVia, at: number): Sink {
  return { via, at, feeds: [], driverLiteral: false, unresolved: [], calls: [] };
}
