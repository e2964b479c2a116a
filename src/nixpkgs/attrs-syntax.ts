/** An attribute path as written after `pkgs.` (`zlib`, `stdenv.cc.cc.lib`, `xorg.libX11`). Re-exported by attrs.ts. */
export const ATTR_PATH_RE = /^[A-Za-z_][A-Za-z0-9_'-]*(\.[A-Za-z_][A-Za-z0-9_'-]*)*$/;
