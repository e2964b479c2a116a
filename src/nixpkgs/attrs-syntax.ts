/*
 * The spelling rules of an attribute path, with no dependencies: attrs.ts (the one home of the
 * attribute vocabulary) re-exports them, and the tables attrs.ts itself reads (spelling.ts,
 * table.ts, renames.ts) take them from here, so no module imports its own importer.
 */
/** An attribute path as written after `pkgs.` (`zlib`, `stdenv.cc.cc.lib`, `xorg.libX11`). Re-exported by attrs.ts. */
export const ATTR_PATH_RE = /^[A-Za-z_][A-Za-z0-9_'-]*(\.[A-Za-z_][A-Za-z0-9_'-]*)*$/;

/** Strips white space and a leading `pkgs.` (as people write it in `--add pkgs.zlib`). */
export function normalizeAttr(attr: string): string {
  return attr.trim().replace(/^pkgs\./, '');
}

/** Strips `pkgs.` and a trailing `.lib`/`.out` output selector: getLib makes them one. */
export function baseAttr(attr: string): string {
  return normalizeAttr(attr).replace(/\.(lib|out)$/, '');
}
