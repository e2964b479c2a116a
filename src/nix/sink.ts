/**
 * What the library-path finder reports: each place a dev shell's library path is set (a sink)
 * and what its value is made of (feeds): list literals and interpolated strings an editor can
 * extend, nixpkgs bundles it can count, and parts built elsewhere it can only name.
 */
import type { Expr, ExprOf } from './ast.js';

/** The variables a library path can be set in: ld.so's own, then nix-ld's (which it hands to ld.so). */
export const SINK_VARS = ['LD_LIBRARY_PATH', 'NIX_LD_LIBRARY_PATH'] as const;
export type SinkVia = (typeof SINK_VARS)[number];
export const SINK_NAMES: ReadonlySet<string> = new Set<string>(SINK_VARS);

/**
 * How a list's elements become directories: `packages` (makeLibraryPath and friends, or a map of
 * `p: "${p}/lib"`), or `dir-strings` (`concatStringsSep ":" [ "${pkgs.X}/lib" … ]`).
 */
export type ListForm = 'packages' | 'dir-strings';

/** A list literal whose elements reach the path. */
export interface ListFeed {
  kind: 'list';
  list: ExprOf<'List'>;
  form: ListForm;
  /** Under optionals/optional/if: it may be empty, so it cannot be relied on or extended. */
  conditional: boolean;
  /**
   * Elements are interpolated as `"${p}/lib"` with nothing selecting the library output (no
   * makeLibraryPath, no getLib in the map): the output must be written out.
   */
  interpolated: boolean;
  /** The spelling of getLib the list's map applies (`lib.getLib`), when it does. */
  getLib: string | undefined;
}

/** `"${a}/lib:${b}/lib"`: each interpolation followed by `/lib` is an element. */
export interface InterpFeed {
  kind: 'interp';
  string: Expr;
  /** `end`: just past the element's directory suffix (`/lib`, `/lib/`, `/lib64`). */
  elements: { expr: Expr; end: number; suffix: string }[];
}

/** A nixpkgs list attribute whose contents are known (pythonManylinuxPackages.manylinux2014). */
export interface BundleFeed {
  kind: 'bundle';
  expr: Expr;
  attr: string;
  attrs: readonly string[];
  conditional: boolean;
}

export type Feed = ListFeed | InterpFeed | BundleFeed;

/** Part of the value this file does not define (an import, a function argument, a computation). */
export interface OpaquePart {
  expr: Expr;
  reason: string;
}

export interface Sink {
  via: SinkVia;
  /** Offset of the attribute or of the `export` text that sets the variable. */
  at: number;
  /** The dev-shell call this sink belongs to (sinks of one shell and variable are one set). */
  shell: Expr | undefined;
  feeds: Feed[];
  /** The path text itself names the driver directory (`/run/opengl-driver/lib`). */
  driverLiteral: boolean;
  /**
   * An export that only puts fixed directories in front of (or after) the variable's own value
   * (`export LD_LIBRARY_PATH=/run/opengl-driver/lib:$LD_LIBRARY_PATH`): no list to edit.
   */
  passThrough: boolean;
  /** Why (part of) the value could not be followed to a list. */
  unresolved: string[];
  opaque: OpaquePart[];
  /** The list arguments of the makeLibraryPath-like calls, as written (for `(ARG ++ [ … ])`). */
  calls: { arg: Expr; interpolated: boolean }[];
}

export function newSink(via: SinkVia, at: number, shell: Expr | undefined): Sink {
  return { via, at, shell, feeds: [], driverLiteral: false, passThrough: false, unresolved: [], opaque: [], calls: [] };
}
