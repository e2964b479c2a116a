/**
 * The flake `nixpy init` writes: the seed shape the rest of nixpy understands (a `libs` list fed
 * to `LD_LIBRARY_PATH` through `makeLibraryPath`), a python and uv, and a shell hook that creates
 * and activates `.venv` with that python. Pure: options in, Nix text out.
 */
import { DRIVER_ELEMENT } from '../nixpkgs/attrs.js';

export interface FlakeOptions {
  /** Attribute paths after `pkgs.` (e.g. `stdenv.cc.cc.lib`), in the order to write them. */
  attrs: readonly string[];
  /** Put the GPU driver directory (/run/opengl-driver/lib) on the library path. */
  driverPath: boolean;
  /** Nix system of the shell, e.g. `x86_64-linux`. */
  system: string;
  /** The nixpkgs branch the flake's input follows (default nixos-unstable), e.g. nixos-24.11. */
  nixpkgsBranch?: string;
  /** The python attribute, e.g. `python3` or `python312`. */
  python: string;
  /** Sonames nixpy could not map to an attribute: listed in a comment for the user. */
  unknown?: readonly string[];
}

/** Nix system for a Node `process.arch` on Linux. */
export function nixSystemFor(arch: string): string {
  if (arch === 'arm64') return 'aarch64-linux';
  if (arch === 'ia32') return 'i686-linux';
  return 'x86_64-linux';
}

/** `version_info = 3.12.8` in pyvenv.cfg -> `python312`; anything unexpected -> `python3`. */
export function pythonAttrFor(pyvenvCfg: string | null): string {
  if (!pyvenvCfg) return 'python3';
  const m = /^\s*(?:version_info|version)\s*=\s*3\.(\d+)/m.exec(pyvenvCfg);
  if (!m) return 'python3';
  const minor = Number(m[1]);
  return minor >= 9 && minor <= 14 ? `python3${minor}` : 'python3';
}

/** Comment lines fit this width (a terminal's default), however many sonames there are. */
const COMMENT_WIDTH = 80;

/** `# lead item, item, …` wrapped to COMMENT_WIDTH, continuation lines indented under the items. */
export function commentLines(indent: string, lead: string, items: readonly string[]): string[] {
  const lines: string[] = [];
  const cont = `${indent}#  `;
  let line = `${indent}# ${lead}`;
  let onLine = 0;
  items.forEach((item, i) => {
    const word = item + (i < items.length - 1 ? ',' : '');
    if (onLine > 0 && line.length + 1 + word.length > COMMENT_WIDTH) {
      lines.push(line);
      line = cont;
      onLine = 0;
    }
    line += ` ${word}`;
    onLine++;
  });
  lines.push(line);
  return lines;
}

export function renderFlake(opts: FlakeOptions): string {
  const indent = '        ';
  const elements = [...opts.attrs.map((a) => `pkgs.${a.replace(/^pkgs\./, '')}`)];
  if (opts.driverPath) elements.push(`pkgs.${DRIVER_ELEMENT} # GPU driver libraries (/run/opengl-driver/lib)`);
  const list =
    elements.length === 0 ? '[ ]' : `[\n${elements.map((e) => `${indent}${e}\n`).join('')}      ]`;
  const unknown =
    opts.unknown && opts.unknown.length > 0
      ? commentLines('      ', 'nixpy found no nixpkgs attribute for:', opts.unknown).map((l) => `${l}\n`).join('') +
        '      # (try `nix-locate --top-level --whole-name lib/<soname>`,\n' +
        '      # then `nixpy fix --add ATTR`)\n'
      : '';
  const py = `pkgs.${opts.python}`;
  return `{
  description = "Python development shell (written by nixpy init)";

  inputs.nixpkgs.url = "github:NixOS/nixpkgs/${opts.nixpkgsBranch ?? 'nixos-unstable'}";

  outputs = { self, nixpkgs }:
    let
      system = "${opts.system}";
      pkgs = nixpkgs.legacyPackages.\${system};
      # Native libraries the wheels in .venv load at run time.
      # \`nixpy check\` tells when this list falls behind the venv;
      # \`nixpy fix\` adds what is missing.
${unknown}      libs = ${list};
    in
    {
      devShells.\${system}.default = pkgs.mkShell {
        packages = [ ${py} pkgs.uv ];
        LD_LIBRARY_PATH = pkgs.lib.makeLibraryPath libs;
        shellHook = ''
          # uv must use this python: the ones it downloads do not run on NixOS.
          export UV_PYTHON=\${${py}}/bin/python
          export UV_PYTHON_DOWNLOADS=never
          if [ ! -d .venv ]; then
            uv venv .venv
          fi
          source .venv/bin/activate
        '';
      };
    };
}
`;
}
