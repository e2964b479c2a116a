import { afterEach, beforeEach, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeWithTool } from '../helpers/tools.js';
import { nixEvalJson } from '../helpers/nix.js';
import { dirsOfVar, evalShells, exportsIn, libraryDirsOf, nixString, splitPath, STUB_DIR } from '../helpers/nix-eval.js';

/**
 * The stub nixpkgs is the judge of the corpus tests, so it is tested first: it must pick outputs
 * the way nixpkgs does, and it must fail on names nixpkgs does not have.
 */

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'nixpy-stub-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const stub = `(import ${nixString(STUB_DIR)} { })`;
const evalStr = (expr: string): string => {
  const r = nixEvalJson(`let pkgs = ${stub}; lib = pkgs.lib; in ${expr}`);
  if (!r.ok) throw new Error(r.stderr);
  return JSON.parse(r.stdout) as string;
};

function shellsOf(name: string, text: string) {
  const f = join(dir, name);
  writeFileSync(f, text);
  return evalShells(f);
}

describeWithTool('nix-instantiate', 'stub nixpkgs', () => {
  it('makeLibraryPath takes the lib output, as nixpkgs does', () => {
    const viaCc = libraryDirsOf(['stdenv.cc.cc']);
    expect(viaCc).toEqual(libraryDirsOf(['stdenv.cc.cc.lib']));
    expect(viaCc).toEqual(libraryDirsOf(['gcc-unwrapped.lib']));
    expect(viaCc[0]).toMatch(/^\/nix\/store\/[0-9a-f]{32}-gcc-13\.3\.0-lib\/lib$/);
    // Interpolation takes the first output instead: gcc's `out`, glib's `bin`.
    expect(evalStr('"${pkgs.stdenv.cc.cc}/lib"')).not.toBe(viaCc[0]);
    expect(evalStr('"${pkgs.glib}/lib"')).toMatch(/-glib-1\.0-bin\/lib$/);
    expect(libraryDirsOf(['glib'])[0]).toMatch(/-glib-1\.0\/lib$/);
    expect(evalStr('"${lib.getLib pkgs.glib}/lib"')).toBe(libraryDirsOf(['glib'])[0]);
    expect(libraryDirsOf(['pkgs.zlib'])).toEqual(libraryDirsOf(['zlib']));
    expect(libraryDirsOf(['libGL'])).toEqual(libraryDirsOf(['libglvnd']));
  });

  it('makeLibraryPath of a plain directory string appends /lib (the driver idiom)', () => {
    expect(evalStr('lib.makeLibraryPath [ "/run/opengl-driver" ]')).toBe('/run/opengl-driver/lib');
    expect(evalStr('"${pkgs.addDriverRunpath.driverLink}/lib"')).toBe('/run/opengl-driver/lib');
  });

  it('an unknown attribute is an error, bare or under `with pkgs;`', () => {
    expect(() => libraryDirsOf(['zlibb'])).toThrow(/zlibb/);
    expect(() => libraryDirsOf(['xorg.libX12'])).toThrow();
    expect(() =>
      shellsOf('shell.nix', '{ pkgs }: pkgs.mkShell { LD_LIBRARY_PATH = with pkgs; lib.makeLibraryPath [ zlib libGLL ]; }\n'),
    ).toThrow(/libGLL/);
    // Also in a list that does not feed the path: typos anywhere in the shell's inputs fail.
    expect(() => shellsOf('shell.nix', '{ pkgs }: pkgs.mkShell { packages = with pkgs; [ uvv ]; }\n')).toThrow(/uvv/);
  });

  it('evaluates a flake with import nixpkgs { system }, legacyPackages, and nixpkgs.lib', () => {
    const s = shellsOf(
      'flake.nix',
      `{ inputs.nixpkgs.url = "x"; outputs = { self, nixpkgs }: let
          a = import nixpkgs { system = "x86_64-linux"; };
          b = nixpkgs.legacyPackages.x86_64-linux;
        in { devShells.x86_64-linux = nixpkgs.lib.genAttrs [ "one" "two" ] (n: (if n == "one" then a else b).mkShell {
          LD_LIBRARY_PATH = a.lib.makeLibraryPath [ a.zlib ];
        }); }; }\n`,
    );
    expect(Object.keys(s).sort()).toEqual(['one', 'two']);
    expect(s.one!.vars.LD_LIBRARY_PATH).toBe(libraryDirsOf(['zlib'])[0]);
  });

  it('evaluates flake-utils and flake-parts flakes for x86_64-linux', () => {
    const fu = shellsOf(
      'flake.nix',
      `{ outputs = { self, nixpkgs, flake-utils }: flake-utils.lib.eachDefaultSystem (system:
          let pkgs = nixpkgs.legacyPackages.\${system}; in { devShells.default = pkgs.mkShell { env.LD_LIBRARY_PATH = "\${pkgs.zlib}/lib"; }; }); }\n`,
    );
    expect(fu.default!.env.LD_LIBRARY_PATH).toBe(libraryDirsOf(['zlib'])[0]);
    const fp = shellsOf(
      'flake.nix',
      `{ inputs.nixpkgs.url = "x"; inputs.flake-parts.url = "y"; outputs = inputs@{ flake-parts, ... }: flake-parts.lib.mkFlake { inherit inputs; } {
          systems = [ "x86_64-linux" ];
          perSystem = { pkgs, ... }: { devShells.ci = pkgs.mkShellNoCC { shellHook = "export LD_LIBRARY_PATH=\${pkgs.lib.makeLibraryPath [ pkgs.zlib ]}"; }; };
        }; }\n`,
    );
    expect(dirsOfVar(fp.ci!, 'LD_LIBRARY_PATH')).toEqual(libraryDirsOf(['zlib']));
  });

  it('evaluates shell.nix functions and devenv modules', () => {
    const sh = shellsOf('shell.nix', '{ pkgs ? import <nixpkgs> {} }: pkgs.mkShell { NIX_LD_LIBRARY_PATH = pkgs.lib.makeLibraryPath [ pkgs.zlib ]; }\n');
    expect(dirsOfVar(sh.default!, 'NIX_LD_LIBRARY_PATH')).toEqual(libraryDirsOf(['zlib']));
    const dv = shellsOf('devenv.nix', '{ pkgs, lib, ... }: { packages = [ pkgs.git ]; enterShell = "export LD_LIBRARY_PATH=${lib.makeLibraryPath [ pkgs.zlib ]}:$LD_LIBRARY_PATH"; }\n');
    expect(dirsOfVar(dv.default!, 'LD_LIBRARY_PATH')).toEqual(libraryDirsOf(['zlib']));
    expect(dv.default!.inputs).toEqual(['git-1.0']);
  });
});

it('splitPath and exportsIn read shell text as the corpus writes it', () => {
  expect(splitPath('/a/lib:$LD_LIBRARY_PATH')).toEqual(['/a/lib']);
  expect(splitPath('/a/lib:/b/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}')).toEqual(['/a/lib', '/b/lib']);
  expect(exportsIn('x\nexport LD_LIBRARY_PATH="/a/lib:$X"\nexport FOO=1;export B=\'/c\'')).toEqual([
    { name: 'LD_LIBRARY_PATH', value: '/a/lib:$X' },
    { name: 'FOO', value: '1' },
    { name: 'B', value: '/c' },
  ]);
});
