import { describe, expect, it } from 'vitest';
import { findLibraryLists, patchLibraryList } from '../../src/nix/index.js';
import { nixParseText } from '../helpers/nix.js';
import { describeWithTool } from '../helpers/tools.js';

/**
 * The library-path sources a patch reports, and shapes whose proof needs no evaluation (files
 * that import other files, overlays): what each source is, what the patch does with it and why.
 */

const L = (...lines: string[]): string => lines.join('\n');

describe('sources reported with the patch', () => {
  it('a path built in another file and only appended to here: named, not edited; the list here is', () => {
    const src = L(
      '{ pkgs, lib }:',
      'pkgs.mkShell {',
      '  LD_LIBRARY_PATH = "${import ./nix/libpath.nix { inherit pkgs; }}:${lib.makeLibraryPath [ pkgs.zlib ]}";',
      '}',
      '',
    );
    const out = patchLibraryList(src, 'shell.nix', { add: ['zlib', 'libGL'] });
    expect(out.added).toEqual(['libGL']);
    expect(out.text).toMatch(/lib\.makeLibraryPath \[\n {4}pkgs\.zlib\n {4}pkgs\.libGL\n {2}\]\}";/);
    const external = out.sources.find((s) => s.kind === 'external');
    expect(external).toMatchObject({ line: 3, role: 'ignored', via: 'LD_LIBRARY_PATH' });
    expect(external!.reason).toMatch(/built in another file \(\.\/nix\/libpath\.nix\).*the list at line 3 is extended/);
    expect(out.sources.find((s) => s.kind === 'list')).toMatchObject({ role: 'extended', attrs: ['zlib'] });
  });

  it('one export per package: each line is a source of the same path, the first one is extended', () => {
    const src = L(
      '{ pkgs }:',
      'pkgs.mkShell {',
      "  shellHook = ''",
      '    export LD_LIBRARY_PATH=$LD_LIBRARY_PATH:${pkgs.zlib}/lib',
      '    export LD_LIBRARY_PATH=$LD_LIBRARY_PATH:${pkgs.libGL}/lib',
      "  '';",
      '}',
      '',
    );
    const out = patchLibraryList(src, 'shell.nix', { add: ['zlib', 'libGL', 'stdenv.cc.cc.lib'] });
    expect(out.added).toEqual(['stdenv.cc.cc.lib']);
    expect(out.present).toEqual(['zlib', 'libGL']);
    expect(out.text.split('\n')[3]).toBe('    export LD_LIBRARY_PATH=$LD_LIBRARY_PATH:${pkgs.zlib}/lib:${pkgs.stdenv.cc.cc.lib}/lib');
    expect(out.sources.map((s) => [s.line, s.kind, s.role, s.attrs])).toEqual([
      [4, 'string', 'extended', ['zlib']],
      [5, 'string', 'counted', ['libGL']],
    ]);
    expect(patchLibraryList(out.text, 'shell.nix', { add: ['zlib', 'libGL', 'stdenv.cc.cc.lib'] }).changed).toBe(false);
  });

  it('a pass-through export is reported as such and its driver dir counts', () => {
    const src = L('{ pkgs }:', 'pkgs.mkShell {', "  shellHook = ''", '    export LD_LIBRARY_PATH=/run/opengl-driver/lib:$LD_LIBRARY_PATH', "  '';", '}', '');
    const cov = findLibraryLists(src, 'shell.nix');
    expect(cov.hasLibraryPath).toBe(false);
    expect(cov.driverPath).toBe(true);
    expect(cov.sources).toEqual([expect.objectContaining({ line: 4, kind: 'pass-through', driver: true, role: 'ignored' })]);
  });

  it('comments inside hook strings are no sources', () => {
    const src = L(
      '{ pkgs }:',
      'pkgs.mkShell {',
      "  shellHook = ''",
      '    # export LD_LIBRARY_PATH=${pkgs.zlib}/lib:$LD_LIBRARY_PATH',
      '    echo hi # export LD_LIBRARY_PATH=${pkgs.libGL}/lib',
      "  '';",
      '}',
      '',
    );
    const cov = findLibraryLists(src, 'shell.nix');
    expect(cov).toMatchObject({ sources: [], attrs: [], hasLibraryPath: false });
  });

  it('a package set named `final` (an overlay) is written with its own name', () => {
    const src = L(
      '{',
      '  outputs = { self, nixpkgs }: {',
      '    overlays.default = final: prev: {',
      '      devShell = final.mkShell {',
      '        LD_LIBRARY_PATH = builtins.concatStringsSep ":" [ "${final.libGL}/lib" ];',
      '      };',
      '    };',
      '  };',
      '}',
      '',
    );
    const out = patchLibraryList(src, 'flake.nix', { add: ['libGL', 'zlib', 'stdenv.cc.cc'] });
    expect(out.unplaced).toEqual([]);
    expect(out.present).toEqual(['libGL']);
    expect(out.text).toContain('[\n          "${final.libGL}/lib"\n          "${final.zlib.out}/lib"\n          "${final.stdenv.cc.cc.lib}/lib"\n        ];');
  });
});

describeWithTool('nix-instantiate', 'reported shapes parse as Nix', () => {
  it('a one-line list that outgrows 100 characters is rewritten one element per line', () => {
    const src = L('{ pkgs }:', 'pkgs.mkShell {', '  LD_LIBRARY_PATH = pkgs.lib.makeLibraryPath [ pkgs.stdenv.cc.cc.lib pkgs.zlib pkgs.libGL ];', '}', '');
    const out = patchLibraryList(src, 'shell.nix', { add: ['xorg.libX11', 'xorg.libXext', 'xorg.libXrender', 'glib'] });
    expect(Math.max(...out.text.split('\n').map((l) => l.length))).toBeLessThanOrEqual(100);
    expect(out.text).toBe(L(
      '{ pkgs }:', 'pkgs.mkShell {', '  LD_LIBRARY_PATH = pkgs.lib.makeLibraryPath [',
      '    pkgs.stdenv.cc.cc.lib', '    pkgs.zlib', '    pkgs.libGL', '    pkgs.xorg.libX11', '    pkgs.xorg.libXext', '    pkgs.xorg.libXrender', '    pkgs.glib',
      '  ];', '}', '',
    ));
    const parsed = nixParseText(out.text);
    expect(parsed.ok, parsed.stderr).toBe(true);
  });
});
