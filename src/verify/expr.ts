import { basename } from 'node:path';

/**
 * The Nix expressions `--verify` evaluates: pure text builders, no I/O. Both evaluate the
 * *temporary copy* of the Nix file (the proposed change applied), written beside the original so
 * that its relative paths resolve as the original's do.
 */

export type NixFileKind = 'flake' | 'shell';

/** flake.nix is a flake; shell.nix and default.nix are plain expressions; devenv.nix is neither. */
export function nixFileKind(file: string): NixFileKind | null {
  const name = basename(file);
  if (name === 'flake.nix') return 'flake';
  if (name === 'shell.nix' || name === 'default.nix') return 'shell';
  return null;
}

/** A Nix string literal for any text (JSON escapes are Nix escapes, except that `${` must be). */
export function nixString(text: string): string {
  return JSON.stringify(text).replace(/\$\{/g, '\\${');
}

/** The library-path variables a dev shell can set, in the order their directories are searched:
 * LD_LIBRARY_PATH is read by ld.so itself; NIX_LD_LIBRARY_PATH by nix-ld, which hands it to
 * ld.so for programs it starts (so it counts after the shell's own path). */
export const LIBRARY_PATH_VARS = ['LD_LIBRARY_PATH', 'NIX_LD_LIBRARY_PATH'] as const;

export interface VerifyExprInput {
  kind: NixFileKind;
  /** Absolute directory of the original Nix file (the flake whose lock supplies the inputs). */
  dir: string;
  /** Absolute path of the temporary copy with the change applied. */
  copy: string;
  /** Dev shell name (`--shell`). */
  shell: string;
  /** Attribute paths whose lib output the report may need, e.g. [["stdenv","cc","cc","lib"]]. */
  attrs: readonly (readonly string[])[];
}

/**
 * A flake: the original flake's locked inputs (builtins.getFlake reads flake.lock and never
 * writes it) fed to the copy's `outputs`, exactly as Nix's call-flake.nix does for the original.
 * `self` is the original flake with the copy's outputs on top.
 */
function flakeHead(i: VerifyExprInput): string {
  return `
  flake = builtins.getFlake ${nixString(i.dir)};
  system = builtins.currentSystem;
  outputs = (import ${nixString(i.copy)}).outputs (flake.inputs // { self = flake // outputs // { inherit outputs; }; });
  shellName = ${nixString(i.shell)};
  shell =
    if shellName == "default" && !(outputs ? devShells) && outputs ? devShell then outputs.devShell.\${system}
    else outputs.devShells.\${system}.\${shellName};
  pkgs = flake.inputs.nixpkgs.legacyPackages.\${system} or null;`;
}

/** shell.nix / default.nix: a function with defaulted arguments (`{ pkgs ? import <nixpkgs> {} }:`)
 * or a derivation; `--shell NAME` other than default selects an attribute of the result. A
 * missing <nixpkgs> is not an error nix can catch, so its presence is tested first. */
function shellHead(i: VerifyExprInput): string {
  return `
  raw = import ${nixString(i.copy)};
  top = if builtins.isFunction raw then raw { } else raw;
  shellName = ${nixString(i.shell)};
  shell = if shellName == "default" && (top ? drvPath || !(top ? default)) then top else top.\${shellName};
  hasNixpkgs = builtins.any (e: e.prefix == "nixpkgs") builtins.nixPath;
  pkgs = if hasNixpkgs then (let t = builtins.tryEval (import <nixpkgs> { }); in if t.success then t.value else null) else null;`;
}

/**
 * The result is JSON: the library-path variables as strings (null when unset), the string
 * context of those values (the derivation outputs to realise), and for each attribute of
 * interest the output nixpkgs' `lib.getLib` selects (lib/getOutput in lib/attrsets.nix: the
 * `lib` output, else `out`, else the package) with its name, or null when it does not exist.
 */
export function verifyExpr(i: VerifyExprInput): string {
  const head = i.kind === 'flake' ? flakeHead(i) : shellHead(i);
  const attrList = i.attrs.map((path) => `[ ${path.map(nixString).join(' ')} ]`).join(' ');
  const vars = LIBRARY_PATH_VARS.map((v) => `${v} = get ${nixString(v)};`).join(' ');
  return `let${head}
  str = v: if v == null then null else if builtins.isString v then v else toString v;
  get = n: str (shell.\${n} or (shell.env.\${n} or null));
  vars = { ${vars} };
  step = a: n: if a != null && builtins.isAttrs a && a ? \${n} then a.\${n} else null;
  getLib = p: if p ? outputSpecified && p.outputSpecified then p else p.lib or p.out or p;
  info = path:
    let
      r = builtins.tryEval (
        let p = builtins.foldl' step pkgs path; o = if p == null then null else getLib p; in
        if o == null || !(o ? outPath) then null
        else { store = builtins.unsafeDiscardStringContext (toString o.outPath); name = p.name or null; });
    in if pkgs != null && r.success then r.value else null;
in {
  inherit vars;
  context = map builtins.getContext (builtins.filter (v: v != null) (builtins.attrValues vars));
  attrs = map info [ ${attrList} ];
}
`;
}

/** `stdenv.cc.cc.lib` -> ["stdenv","cc","cc","lib"]; a leading `pkgs.` is not part of the path. */
export function attrPath(attr: string): string[] {
  return attr.replace(/^pkgs\./, '').split('.');
}
