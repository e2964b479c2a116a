import { describe, expect, it } from 'vitest';
import {
  NixSyntaxError, type PatchOptions, findLibraryLists, patchLibraryList,
} from '../../src/nix/index.js';
import { nixParseText } from '../helpers/nix.js';
import { describeWithTool } from '../helpers/tools.js';

const L = (...lines: string[]): string => lines.join('\n');

interface Case {
  name: string;
  src: string;
  opts: PatchOptions;
  out: string;
  added?: string[];
  present?: string[];
  unplaced?: string[];
  created?: boolean;
}

const CASES: Case[] = [
  {
    name: 'let-bound multi-line list, spaces',
    src: L(
      '{ pkgs ? import <nixpkgs> { } }:',
      'let',
      '  libs = [',
      '    pkgs.stdenv.cc.cc.lib',
      '    pkgs.zlib',
      '  ];',
      'in',
      'pkgs.mkShell {',
      '  LD_LIBRARY_PATH = pkgs.lib.makeLibraryPath libs;',
      '}',
      '',
    ),
    opts: { add: ['glib', 'libGL'] },
    out: L(
      '{ pkgs ? import <nixpkgs> { } }:',
      'let',
      '  libs = [',
      '    pkgs.stdenv.cc.cc.lib',
      '    pkgs.zlib',
      '    pkgs.glib',
      '    pkgs.libGL',
      '  ];',
      'in',
      'pkgs.mkShell {',
      '  LD_LIBRARY_PATH = pkgs.lib.makeLibraryPath libs;',
      '}',
      '',
    ),
    added: ['glib', 'libGL'],
  },
  {
    name: 'tabs and with pkgs; bare names',
    src: L(
      '{ pkgs }:',
      'let',
      '\tlibs = with pkgs; [',
      '\t\tstdenv.cc.cc.lib',
      '\t];',
      'in pkgs.mkShell {',
      '\tLD_LIBRARY_PATH = pkgs.lib.makeLibraryPath libs;',
      '}',
    ),
    opts: { add: ['pkgs.zlib', 'xorg.libX11'] },
    out: L(
      '{ pkgs }:',
      'let',
      '\tlibs = with pkgs; [',
      '\t\tstdenv.cc.cc.lib',
      '\t\tzlib',
      '\t\txorg.libX11',
      '\t];',
      'in pkgs.mkShell {',
      '\tLD_LIBRARY_PATH = pkgs.lib.makeLibraryPath libs;',
      '}',
    ),
    added: ['zlib', 'xorg.libX11'],
  },
  {
    name: 'one-line file without final newline',
    src: '{ pkgs }: pkgs.mkShell { LD_LIBRARY_PATH = pkgs.lib.makeLibraryPath [ pkgs.zlib ]; }',
    opts: { add: ['libGL'] },
    out: '{ pkgs }: pkgs.mkShell { LD_LIBRARY_PATH = pkgs.lib.makeLibraryPath [ pkgs.zlib pkgs.libGL ]; }',
    added: ['libGL'],
  },
  {
    name: 'inline (with pkgs; [ ... ]) argument',
    src: L('{ pkgs, lib }:', 'pkgs.mkShell {', '  LD_LIBRARY_PATH = lib.makeLibraryPath (with pkgs; [ zlib ]);', '}', ''),
    opts: { add: ['glib'] },
    out: L('{ pkgs, lib }:', 'pkgs.mkShell {', '  LD_LIBRARY_PATH = lib.makeLibraryPath (with pkgs; [ zlib glib ]);', '}', ''),
  },
  {
    name: 'decoys in comments and strings stay untouched',
    src: L(
      '{ pkgs }:',
      'let',
      '  # LD_LIBRARY_PATH = pkgs.lib.makeLibraryPath [ pkgs.commented ];',
      '  /* LD_LIBRARY_PATH = pkgs.lib.makeLibraryPath [ pkgs.block ]; */',
      '  note = "LD_LIBRARY_PATH = pkgs.lib.makeLibraryPath [ pkgs.fake ]";',
      "  help = ''",
      "    export LD_LIBRARY_PATH=''${pkgs.lib.makeLibraryPath [ pkgs.escaped ]}",
      "  '';",
      '  libs = [ pkgs.zlib ];',
      'in pkgs.mkShell {',
      '  LD_LIBRARY_PATH = pkgs.lib.makeLibraryPath libs;',
      '}',
      '',
    ),
    opts: { add: ['glib'] },
    out: L(
      '{ pkgs }:',
      'let',
      '  # LD_LIBRARY_PATH = pkgs.lib.makeLibraryPath [ pkgs.commented ];',
      '  /* LD_LIBRARY_PATH = pkgs.lib.makeLibraryPath [ pkgs.block ]; */',
      '  note = "LD_LIBRARY_PATH = pkgs.lib.makeLibraryPath [ pkgs.fake ]";',
      "  help = ''",
      "    export LD_LIBRARY_PATH=''${pkgs.lib.makeLibraryPath [ pkgs.escaped ]}",
      "  '';",
      '  libs = [ pkgs.zlib pkgs.glib ];',
      'in pkgs.mkShell {',
      '  LD_LIBRARY_PATH = pkgs.lib.makeLibraryPath libs;',
      '}',
      '',
    ),
  },
  {
    name: 'a commented-out entry does not count as present; comments stay',
    src: L(
      '{ pkgs }:',
      'pkgs.mkShell {',
      '  LD_LIBRARY_PATH = pkgs.lib.makeLibraryPath [',
      '    pkgs.zlib # compression',
      '    # pkgs.libGL',
      '  ];',
      '}',
      '',
    ),
    opts: { add: ['libGL'] },
    out: L(
      '{ pkgs }:',
      'pkgs.mkShell {',
      '  LD_LIBRARY_PATH = pkgs.lib.makeLibraryPath [',
      '    pkgs.zlib # compression',
      '    # pkgs.libGL',
      '    pkgs.libGL',
      '  ];',
      '}',
      '',
    ),
    added: ['libGL'],
  },
  {
    name: 'equivalent gcc spellings are present',
    src: L('{ pkgs }:', 'pkgs.mkShell {', '  LD_LIBRARY_PATH = pkgs.lib.makeLibraryPath [ pkgs.stdenv.cc.cc pkgs.zlib ];', '}', ''),
    opts: { add: ['stdenv.cc.cc.lib', 'gcc-unwrapped.lib', 'gcc.cc.lib', 'pkgs.zlib'] },
    out: L('{ pkgs }:', 'pkgs.mkShell {', '  LD_LIBRARY_PATH = pkgs.lib.makeLibraryPath [ pkgs.stdenv.cc.cc pkgs.zlib ];', '}', ''),
    added: [],
    present: ['stdenv.cc.cc.lib', 'gcc-unwrapped.lib', 'gcc.cc.lib', 'zlib'],
  },
  {
    name: 'an injected attrCovers decides presence',
    src: L('{ pkgs }:', 'pkgs.mkShell {', '  LD_LIBRARY_PATH = pkgs.lib.makeLibraryPath [ pkgs.stdenv.cc.cc ];', '}', ''),
    opts: { add: ['stdenv.cc.cc.lib'], attrCovers: (a, b) => a === b },
    out: L('{ pkgs }:', 'pkgs.mkShell {', '  LD_LIBRARY_PATH = pkgs.lib.makeLibraryPath [ pkgs.stdenv.cc.cc pkgs.stdenv.cc.cc.lib ];', '}', ''),
    added: ['stdenv.cc.cc.lib'],
  },
  {
    name: '++ with optionals first: the unconditional literal is extended',
    src: L(
      '{ pkgs, lib, gui ? false }:',
      'pkgs.mkShell {',
      '  LD_LIBRARY_PATH = lib.makeLibraryPath (',
      '    lib.optionals gui [ pkgs.libGL ]',
      '    ++ [ pkgs.zlib ]',
      '  );',
      '}',
      '',
    ),
    opts: { add: ['libGL'] },
    out: L(
      '{ pkgs, lib, gui ? false }:',
      'pkgs.mkShell {',
      '  LD_LIBRARY_PATH = lib.makeLibraryPath (',
      '    lib.optionals gui [ pkgs.libGL ]',
      '    ++ [ pkgs.zlib pkgs.libGL ]',
      '  );',
      '}',
      '',
    ),
    added: ['libGL'],
  },
  {
    name: 'only a conditional list: an unconditional one is appended, the optionals untouched',
    src: L('{ pkgs, lib, gui }:', 'pkgs.mkShell {', '  LD_LIBRARY_PATH = lib.makeLibraryPath (lib.optionals gui [ pkgs.libGL ]);', '}', ''),
    opts: { add: ['zlib', 'libGL'] },
    out: L('{ pkgs, lib, gui }:', 'pkgs.mkShell {', '  LD_LIBRARY_PATH = lib.makeLibraryPath (lib.optionals gui [ pkgs.libGL ] ++ [ pkgs.zlib pkgs.libGL ]);', '}', ''),
    added: ['zlib', 'libGL'],
  },
  {
    name: 'only a conditional list, parenthesis on its own line',
    src: L('{ pkgs, lib, gui }:', 'pkgs.mkShell {', '  LD_LIBRARY_PATH = lib.makeLibraryPath (', '    lib.optionals gui [ pkgs.libGL ]', '  );', '}', ''),
    opts: { add: ['zlib'] },
    out: L('{ pkgs, lib, gui }:', 'pkgs.mkShell {', '  LD_LIBRARY_PATH = lib.makeLibraryPath (', '    lib.optionals gui [ pkgs.libGL ]', '    ++ [ pkgs.zlib ]', '  );', '}', ''),
  },
  {
    name: 'an if-expression argument is wrapped before ++',
    src: L('{ pkgs, lib, gui }:', 'pkgs.mkShell {', '  LD_LIBRARY_PATH = lib.makeLibraryPath (if gui then [ pkgs.libGL ] else [ ]);', '}', ''),
    opts: { add: ['zlib'] },
    out: L('{ pkgs, lib, gui }:', 'pkgs.mkShell {', '  LD_LIBRARY_PATH = lib.makeLibraryPath ((if gui then [ pkgs.libGL ] else [ ]) ++ [ pkgs.zlib ]);', '}', ''),
  },
  {
    name: 'a list from nixpkgs (no literal in the file) gets ++ [ … ]; what the manylinux bundle holds is present',
    src: L('{ pkgs, lib }:', 'pkgs.mkShell {', '  LD_LIBRARY_PATH = lib.makeLibraryPath pkgs.pythonManylinuxPackages.manylinux1;', '}', ''),
    opts: { add: ['stdenv.cc.cc.lib', 'zlib', 'ncurses5'] },
    out: L('{ pkgs, lib }:', 'pkgs.mkShell {', '  LD_LIBRARY_PATH = lib.makeLibraryPath (pkgs.pythonManylinuxPackages.manylinux1 ++ [ pkgs.zlib ]);', '}', ''),
    added: ['zlib'],
    present: ['stdenv.cc.cc.lib', 'ncurses5'],
  },
  {
    name: 'an unresolvable lambda-argument list gets ++ [ … ] too',
    src: L('{ pkgs, lib, extraLibs }:', 'pkgs.mkShell { LD_LIBRARY_PATH = lib.makeLibraryPath extraLibs; }'),
    opts: { add: ['zlib'] },
    out: L('{ pkgs, lib, extraLibs }:', 'pkgs.mkShell { LD_LIBRARY_PATH = lib.makeLibraryPath (extraLibs ++ [ pkgs.zlib ]); }'),
  },
  {
    name: 'a library path that is not a list at all: unplaced',
    src: L('{ pkgs }:', 'pkgs.mkShell { LD_LIBRARY_PATH = builtins.getEnv "X"; }'),
    opts: { add: ['zlib'] },
    out: L('{ pkgs }:', 'pkgs.mkShell { LD_LIBRARY_PATH = builtins.getEnv "X"; }'),
    added: [],
    unplaced: ['zlib'],
  },
  {
    name: '"${pkg.outPath}/lib" counts as the package',
    src: L('{ pkgs }:', 'pkgs.mkShell { LD_LIBRARY_PATH = "${pkgs.stdenv.cc.cc.lib.outPath}/lib"; }'),
    opts: { add: ['stdenv.cc.cc'] },
    out: L('{ pkgs }:', 'pkgs.mkShell { LD_LIBRARY_PATH = "${pkgs.stdenv.cc.cc.lib.outPath}/lib"; }'),
    present: ['stdenv.cc.cc'],
  },
  {
    name: 'two sinks from two lists: both extended',
    src: L(
      '{ pkgs }:',
      'pkgs.mkShell {',
      '  NIX_LD_LIBRARY_PATH = pkgs.lib.makeLibraryPath [ pkgs.zlib ];',
      '  LD_LIBRARY_PATH = pkgs.lib.makeLibraryPath [ pkgs.zlib pkgs.glib ];',
      '}',
      '',
    ),
    opts: { add: ['glib', 'libGL'] },
    out: L(
      '{ pkgs }:',
      'pkgs.mkShell {',
      '  NIX_LD_LIBRARY_PATH = pkgs.lib.makeLibraryPath [ pkgs.zlib pkgs.glib pkgs.libGL ];',
      '  LD_LIBRARY_PATH = pkgs.lib.makeLibraryPath [ pkgs.zlib pkgs.glib pkgs.libGL ];',
      '}',
      '',
    ),
    added: ['glib', 'libGL'],
  },
  {
    name: 'one list feeding two sinks is edited once',
    src: L(
      '{ pkgs }:',
      'let libs = [ pkgs.zlib ]; in',
      'pkgs.mkShell {',
      '  NIX_LD_LIBRARY_PATH = pkgs.lib.makeLibraryPath libs;',
      '  LD_LIBRARY_PATH = pkgs.lib.makeLibraryPath libs;',
      '}',
      '',
    ),
    opts: { add: ['glib'] },
    out: L(
      '{ pkgs }:',
      'let libs = [ pkgs.zlib pkgs.glib ]; in',
      'pkgs.mkShell {',
      '  NIX_LD_LIBRARY_PATH = pkgs.lib.makeLibraryPath libs;',
      '  LD_LIBRARY_PATH = pkgs.lib.makeLibraryPath libs;',
      '}',
      '',
    ),
  },
  {
    name: '"${x}/lib" interpolation: explicit library outputs',
    src: L('{ pkgs }:', 'pkgs.mkShell {', '  LD_LIBRARY_PATH = "${pkgs.zlib}/lib";', '}', ''),
    opts: { add: ['stdenv.cc.cc', 'glib', 'openssl.out'] },
    out: L(
      '{ pkgs }:',
      'pkgs.mkShell {',
      '  LD_LIBRARY_PATH = "${pkgs.zlib}/lib:${pkgs.stdenv.cc.cc.lib}/lib:${pkgs.glib.out}/lib:${pkgs.openssl.out}/lib";',
      '}',
      '',
    ),
    added: ['stdenv.cc.cc', 'glib', 'openssl.out'],
  },
  {
    name: 'export in a shellHook',
    src: L(
      '{ pkgs }:',
      'pkgs.mkShell {',
      "  shellHook = ''",
      '    export LD_LIBRARY_PATH=${pkgs.lib.makeLibraryPath [ pkgs.zlib ]}:$LD_LIBRARY_PATH',
      "  '';",
      '}',
      '',
    ),
    opts: { add: ['libGL'] },
    out: L(
      '{ pkgs }:',
      'pkgs.mkShell {',
      "  shellHook = ''",
      '    export LD_LIBRARY_PATH=${pkgs.lib.makeLibraryPath [ pkgs.zlib pkgs.libGL ]}:$LD_LIBRARY_PATH',
      "  '';",
      '}',
      '',
    ),
  },
  {
    name: 'no library path: one is added to the mkShell set',
    src: L('{ pkgs ? import <nixpkgs> { } }:', 'pkgs.mkShell {', '  packages = [ pkgs.uv ];', '}', ''),
    opts: { add: ['stdenv.cc.cc.lib', 'zlib'] },
    out: L(
      '{ pkgs ? import <nixpkgs> { } }:',
      'pkgs.mkShell {',
      '  packages = [ pkgs.uv ];',
      '  LD_LIBRARY_PATH = pkgs.lib.makeLibraryPath [',
      '    pkgs.stdenv.cc.cc.lib',
      '    pkgs.zlib',
      '  ];',
      '}',
      '',
    ),
    added: ['stdenv.cc.cc.lib', 'zlib'],
    created: true,
  },
  {
    name: 'no library path, only `with` in scope: lib. and bare names',
    src: 'with import <nixpkgs> { }; mkShell { buildInputs = [ python3 ]; }\n',
    opts: { add: ['zlib'] },
    out: 'with import <nixpkgs> { }; mkShell { buildInputs = [ python3 ]; LD_LIBRARY_PATH = lib.makeLibraryPath [ zlib ]; }\n',
    created: true,
  },
  {
    name: 'no library path, empty set',
    src: '{ pkgs }: pkgs.mkShell {}',
    opts: { add: ['zlib'] },
    out: '{ pkgs }: pkgs.mkShell { LD_LIBRARY_PATH = pkgs.lib.makeLibraryPath [ pkgs.zlib ]; }',
    created: true,
  },
  {
    name: 'devenv module without a path gets env.LD_LIBRARY_PATH',
    src: L('{ pkgs, lib, ... }:', '{', '  packages = [ pkgs.git ];', '}', ''),
    opts: { add: ['zlib'] },
    out: L(
      '{ pkgs, lib, ... }:',
      '{',
      '  packages = [ pkgs.git ];',
      '  env.LD_LIBRARY_PATH = pkgs.lib.makeLibraryPath [',
      '    pkgs.zlib',
      '  ];',
      '}',
      '',
    ),
    created: true,
  },
  {
    name: 'driver path added as addDriverRunpath.driverLink',
    src: L('{ pkgs }:', 'pkgs.mkShell {', '  LD_LIBRARY_PATH = pkgs.lib.makeLibraryPath [ pkgs.zlib ];', '}', ''),
    opts: { add: [], driverPath: true },
    out: L('{ pkgs }:', 'pkgs.mkShell {', '  LD_LIBRARY_PATH = pkgs.lib.makeLibraryPath [ pkgs.zlib pkgs.addDriverRunpath.driverLink ];', '}', ''),
    added: ['addDriverRunpath.driverLink'],
  },
  {
    name: 'driver path already there as a string',
    src: L('{ pkgs }:', 'pkgs.mkShell {', '  LD_LIBRARY_PATH = pkgs.lib.makeLibraryPath [ pkgs.zlib "/run/opengl-driver" ];', '}', ''),
    opts: { add: ['zlib'], driverPath: true },
    out: L('{ pkgs }:', 'pkgs.mkShell {', '  LD_LIBRARY_PATH = pkgs.lib.makeLibraryPath [ pkgs.zlib "/run/opengl-driver" ];', '}', ''),
    present: ['zlib', 'addDriverRunpath.driverLink'],
  },
  {
    name: 'rec set: the list is buildInputs',
    src: L(
      '{ pkgs }:',
      'pkgs.mkShell rec {',
      '  buildInputs = [',
      '    pkgs.python3',
      '    pkgs.zlib',
      '  ];',
      '  LD_LIBRARY_PATH = pkgs.lib.makeLibraryPath buildInputs;',
      '}',
      '',
    ),
    opts: { add: ['glib'] },
    out: L(
      '{ pkgs }:',
      'pkgs.mkShell rec {',
      '  buildInputs = [',
      '    pkgs.python3',
      '    pkgs.zlib',
      '    pkgs.glib',
      '  ];',
      '  LD_LIBRARY_PATH = pkgs.lib.makeLibraryPath buildInputs;',
      '}',
      '',
    ),
  },
  {
    name: 'attribute of a let-bound set, nested path and inherit (x)',
    src: L(
      '{ pkgs }:',
      'let',
      '  deps.runtime = [ pkgs.zlib ];',
      '  inherit (deps) runtime;',
      'in pkgs.mkShell { LD_LIBRARY_PATH = pkgs.lib.makeLibraryPath runtime; }',
      '',
    ),
    opts: { add: ['glib'] },
    out: L(
      '{ pkgs }:',
      'let',
      '  deps.runtime = [ pkgs.zlib pkgs.glib ];',
      '  inherit (deps) runtime;',
      'in pkgs.mkShell { LD_LIBRARY_PATH = pkgs.lib.makeLibraryPath runtime; }',
      '',
    ),
  },
  {
    name: 'empty multi-line list',
    src: L('{ pkgs }:', 'pkgs.mkShell {', '  LD_LIBRARY_PATH = pkgs.lib.makeLibraryPath [', '  ];', '}', ''),
    opts: { add: ['zlib'] },
    out: L('{ pkgs }:', 'pkgs.mkShell {', '  LD_LIBRARY_PATH = pkgs.lib.makeLibraryPath [', '    pkgs.zlib', '  ];', '}', ''),
  },
  {
    name: 'closing bracket after the last element',
    src: L('{ pkgs }:', 'pkgs.mkShell {', '  LD_LIBRARY_PATH = pkgs.lib.makeLibraryPath [', '    pkgs.a', '    pkgs.b ];', '}', ''),
    opts: { add: ['c'] },
    out: L('{ pkgs }:', 'pkgs.mkShell {', '  LD_LIBRARY_PATH = pkgs.lib.makeLibraryPath [', '    pkgs.a', '    pkgs.b', '    pkgs.c ];', '}', ''),
  },
  {
    name: 'makeSearchPathOutput "lib" "lib"',
    src: L('{ pkgs, lib }:', 'pkgs.mkShell {', '  LD_LIBRARY_PATH = lib.makeSearchPathOutput "lib" "lib" [ pkgs.zlib ];', '}', ''),
    opts: { add: ['glib'] },
    out: L('{ pkgs, lib }:', 'pkgs.mkShell {', '  LD_LIBRARY_PATH = lib.makeSearchPathOutput "lib" "lib" [ pkgs.zlib pkgs.glib ];', '}', ''),
  },
  {
    name: 'concatMapStringsSep over "${p}/lib": outputs written explicitly',
    src: L(
      '{ pkgs, lib }:',
      'let libs = [ pkgs.zlib ]; in',
      'pkgs.mkShell {',
      '  LD_LIBRARY_PATH = lib.concatMapStringsSep ":" (p: "${p}/lib") libs;',
      '}',
      '',
    ),
    opts: { add: ['stdenv.cc.cc', 'glib'] },
    out: L(
      '{ pkgs, lib }:',
      'let libs = [ pkgs.zlib pkgs.stdenv.cc.cc.lib pkgs.glib.out ]; in',
      'pkgs.mkShell {',
      '  LD_LIBRARY_PATH = lib.concatMapStringsSep ":" (p: "${p}/lib") libs;',
      '}',
      '',
    ),
  },
  {
    name: 'a package-set alias prefix is mimicked',
    src: L('{ p, lib }:', 'p.mkShell {', '  LD_LIBRARY_PATH = lib.makeLibraryPath [ p.zlib ];', '}', ''),
    opts: { add: ['glib'] },
    out: L('{ p, lib }:', 'p.mkShell {', '  LD_LIBRARY_PATH = lib.makeLibraryPath [ p.zlib p.glib ];', '}', ''),
  },
  {
    name: 'empty list with neither pkgs nor with in scope: unplaced',
    src: L('{ p, lib }:', 'p.mkShell {', '  LD_LIBRARY_PATH = lib.makeLibraryPath [ ];', '}', ''),
    opts: { add: ['zlib'] },
    out: L('{ p, lib }:', 'p.mkShell {', '  LD_LIBRARY_PATH = lib.makeLibraryPath [ ];', '}', ''),
    added: [],
    unplaced: ['zlib'],
  },
  {
    name: 'CRLF line endings are kept',
    src: '{ pkgs }:\r\npkgs.mkShell {\r\n  LD_LIBRARY_PATH = pkgs.lib.makeLibraryPath [\r\n    pkgs.zlib\r\n  ];\r\n}\r\n',
    opts: { add: ['glib'] },
    out: '{ pkgs }:\r\npkgs.mkShell {\r\n  LD_LIBRARY_PATH = pkgs.lib.makeLibraryPath [\r\n    pkgs.zlib\r\n    pkgs.glib\r\n  ];\r\n}\r\n',
  },
  {
    name: 'a bare name shadowed by a local binding gets the pkgs. prefix',
    src: L('{ pkgs }:', 'let glib = null; in', 'with pkgs; mkShell {', '  LD_LIBRARY_PATH = lib.makeLibraryPath [ zlib ];', '}', ''),
    opts: { add: ['glib'] },
    out: L('{ pkgs }:', 'let glib = null; in', 'with pkgs; mkShell {', '  LD_LIBRARY_PATH = lib.makeLibraryPath [ zlib pkgs.glib ];', '}', ''),
  },
  {
    name: 'inherit LD_LIBRARY_PATH from a let binding',
    src: L('{ pkgs }:', 'let', '  LD_LIBRARY_PATH = pkgs.lib.makeLibraryPath [ pkgs.zlib ];', 'in pkgs.mkShell { inherit LD_LIBRARY_PATH; }', ''),
    opts: { add: ['glib'] },
    out: L('{ pkgs }:', 'let', '  LD_LIBRARY_PATH = pkgs.lib.makeLibraryPath [ pkgs.zlib pkgs.glib ];', 'in pkgs.mkShell { inherit LD_LIBRARY_PATH; }', ''),
  },
  {
    name: 'unquoted export of "${pkg}/lib" in a shellHook',
    src: L('{ pkgs }:', 'pkgs.mkShell {', "  shellHook = ''", '    export LD_LIBRARY_PATH=${pkgs.stdenv.cc.cc.lib}/lib:$LD_LIBRARY_PATH', "  '';", '}', ''),
    opts: { add: ['zlib', 'stdenv.cc.cc'] },
    out: L('{ pkgs }:', 'pkgs.mkShell {', "  shellHook = ''", '    export LD_LIBRARY_PATH=${pkgs.stdenv.cc.cc.lib}/lib:${pkgs.zlib.out}/lib:$LD_LIBRARY_PATH', "  '';", '}', ''),
    added: ['zlib'],
    present: ['stdenv.cc.cc'],
  },
  {
    name: 'a let-bound path string used by an export',
    src: L(
      '{ pkgs }:',
      'let',
      '  libraryPath = with pkgs; lib.makeLibraryPath [',
      '    # wheels need these',
      '    stdenv.cc.cc',
      '  ];',
      'in pkgs.mkShell {',
      "  shellHook = ''",
      '    export LD_LIBRARY_PATH="${libraryPath}"',
      "  '';",
      '}',
      '',
    ),
    opts: { add: ['zlib'] },
    out: L(
      '{ pkgs }:',
      'let',
      '  libraryPath = with pkgs; lib.makeLibraryPath [',
      '    # wheels need these',
      '    stdenv.cc.cc',
      '    zlib',
      '  ];',
      'in pkgs.mkShell {',
      "  shellHook = ''",
      '    export LD_LIBRARY_PATH="${libraryPath}"',
      "  '';",
      '}',
      '',
    ),
  },
  {
    name: 'compact list without spaces',
    src: '{pkgs ? import <nixpkgs> {}}:\nwith pkgs;\n  pkgs.mkShell {\n    LD_LIBRARY_PATH = lib.makeLibraryPath [pkgs.stdenv.cc.cc];\n  }\n',
    opts: { add: ['zlib'] },
    out: '{pkgs ? import <nixpkgs> {}}:\nwith pkgs;\n  pkgs.mkShell {\n    LD_LIBRARY_PATH = lib.makeLibraryPath [pkgs.stdenv.cc.cc pkgs.zlib];\n  }\n',
  },
  {
    name: 'no library path, mkShell given a let-bound set',
    src: L('{ pkgs }:', 'let', '  shellAttrs = { packages = [ pkgs.uv ]; };', 'in pkgs.mkShell shellAttrs', ''),
    opts: { add: ['zlib'] },
    out: L('{ pkgs }:', 'let', '  shellAttrs = { packages = [ pkgs.uv ]; LD_LIBRARY_PATH = pkgs.lib.makeLibraryPath [ pkgs.zlib ]; };', 'in pkgs.mkShell shellAttrs', ''),
    created: true,
  },
  {
    name: 'no library path, mkShell given an opaque argument: unplaced, not a module',
    src: L('{ pkgs, attrs }:', '{ devShell = pkgs.mkShell attrs; }', ''),
    opts: { add: ['zlib'] },
    out: L('{ pkgs, attrs }:', '{ devShell = pkgs.mkShell attrs; }', ''),
    added: [],
    unplaced: ['zlib'],
  },
  {
    name: 'no library path, (mkShell.override { … }) { … }: into the shell set, not the override',
    src: L('{ pkgs }:', '(pkgs.mkShellNoCC.override { stdenv = pkgs.stdenv; }) { packages = [ pkgs.uv ]; }', ''),
    opts: { add: ['zlib'] },
    out: L('{ pkgs }:', '(pkgs.mkShellNoCC.override { stdenv = pkgs.stdenv; }) { packages = [ pkgs.uv ]; LD_LIBRARY_PATH = pkgs.lib.makeLibraryPath [ pkgs.zlib ]; }', ''),
    created: true,
  },
  {
    name: 'equivalent spellings asked for together are written once',
    src: L('{ pkgs }:', 'pkgs.mkShell { LD_LIBRARY_PATH = pkgs.lib.makeLibraryPath [ pkgs.zlib ]; }', ''),
    opts: { add: ['stdenv.cc.cc', 'stdenv.cc.cc.lib', 'gcc-unwrapped.lib'] },
    out: L('{ pkgs }:', 'pkgs.mkShell { LD_LIBRARY_PATH = pkgs.lib.makeLibraryPath [ pkgs.zlib pkgs.stdenv.cc.cc ]; }', ''),
    added: ['stdenv.cc.cc', 'stdenv.cc.cc.lib', 'gcc-unwrapped.lib'],
  },
  {
    name: 'attribute names that are not plain identifiers are quoted; malformed paths are refused',
    src: L('{ pkgs }:', 'with pkgs; mkShell { LD_LIBRARY_PATH = lib.makeLibraryPath [ zlib ]; }', ''),
    opts: { add: ['gtk+3', 'qt6.if', 'a..b', 'x ]; y'] },
    // The one-line list outgrows 100 characters: rewritten one element per line.
    out: L('{ pkgs }:', 'with pkgs; mkShell { LD_LIBRARY_PATH = lib.makeLibraryPath [', '  zlib', '  pkgs."gtk+3"', '  qt6."if"', '  pkgs."x ]; y"', ']; }', ''),
    added: ['gtk+3', 'qt6.if', 'x ]; y'],
    unplaced: ['a..b'],
  },
  // Shapes seen in real projects' devenv.nix / shell.nix files.
  {
    name: 'devenv: env = { LD_LIBRARY_PATH = "${with pkgs; lib.makeLibraryPath buildInputs}"; }',
    src: L(
      '{ pkgs, lib, config, inputs, ... }:',
      'let',
      '  buildInputs = with pkgs; [',
      '    stdenv.cc.cc',
      '    zlib',
      '  ];',
      'in',
      '{',
      '  env = { LD_LIBRARY_PATH = "${with pkgs; lib.makeLibraryPath buildInputs}"; };',
      '}',
      '',
    ),
    opts: { add: ['libGL'] },
    out: L(
      '{ pkgs, lib, config, inputs, ... }:',
      'let',
      '  buildInputs = with pkgs; [',
      '    stdenv.cc.cc',
      '    zlib',
      '    libGL',
      '  ];',
      'in',
      '{',
      '  env = { LD_LIBRARY_PATH = "${with pkgs; lib.makeLibraryPath buildInputs}"; };',
      '}',
      '',
    ),
  },
  {
    name: 'devenv: "${pkgs.gcc-unwrapped.lib}/lib64:${pkgs.libz}/lib"',
    src: L('{ pkgs, ... }:', '{', '  env.LD_LIBRARY_PATH = "${pkgs.gcc-unwrapped.lib}/lib64:${pkgs.libz}/lib";', '}', ''),
    opts: { add: ['stdenv.cc.cc.lib', 'glib'] },
    out: L('{ pkgs, ... }:', '{', '  env.LD_LIBRARY_PATH = "${pkgs.gcc-unwrapped.lib}/lib64:${pkgs.libz}/lib:${pkgs.glib.out}/lib";', '}', ''),
    added: ['glib'],
    present: ['stdenv.cc.cc.lib'],
  },
  {
    name: 'rec: LD_LIBRARY_PATH = NIX_LD_LIBRARY_PATH',
    src: L(
      'with import <nixpkgs> {};',
      'mkShell rec {',
      '  NIX_LD_LIBRARY_PATH = lib.makeLibraryPath [',
      '    stdenv.cc.cc',
      '    zlib',
      '  ];',
      '  LD_LIBRARY_PATH = NIX_LD_LIBRARY_PATH;',
      '}',
    ),
    opts: { add: ['openssl'] },
    out: L(
      'with import <nixpkgs> {};',
      'mkShell rec {',
      '  NIX_LD_LIBRARY_PATH = lib.makeLibraryPath [',
      '    stdenv.cc.cc',
      '    zlib',
      '    openssl',
      '  ];',
      '  LD_LIBRARY_PATH = NIX_LD_LIBRARY_PATH;',
      '}',
    ),
  },
  {
    name: 'devenv: with pkgs; "${stdenv.cc.cc.lib}/lib"',
    src: L('{ pkgs, ... }:', '{', '  env.LD_LIBRARY_PATH = with pkgs; "${stdenv.cc.cc.lib}/lib";', '}', ''),
    opts: { add: ['zlib'] },
    out: L('{ pkgs, ... }:', '{', '  env.LD_LIBRARY_PATH = with pkgs; "${stdenv.cc.cc.lib}/lib:${zlib.out}/lib";', '}', ''),
  },
  {
    name: 'shellHook export with an empty multi-line list under with import <nixpkgs> {}',
    src: L(
      'with import <nixpkgs> {};',
      'stdenv.mkDerivation {',
      '  name = "env";',
      '  shellHook = \'\'export LD_LIBRARY_PATH="$LD_LIBRARY_PATH:${pkgs.lib.makeLibraryPath [',
      '  ]}"\'\';',
      '}',
      '',
    ),
    opts: { add: ['zlib'] },
    out: L(
      'with import <nixpkgs> {};',
      'stdenv.mkDerivation {',
      '  name = "env";',
      '  shellHook = \'\'export LD_LIBRARY_PATH="$LD_LIBRARY_PATH:${pkgs.lib.makeLibraryPath [',
      '    zlib',
      '  ]}"\'\';',
      '}',
      '',
    ),
  },
  {
    name: 'two makeLibraryPath lists and the driver dir in one string: the first list is extended',
    src: L('{ pkgs, lib, ... }:', '{', '  env.LD_LIBRARY_PATH = "${lib.makeLibraryPath [ pkgs.stdenv.cc.cc.lib ]}:/run/opengl-driver/lib/:${lib.makeLibraryPath [ pkgs.glib ]}";', '}', ''),
    opts: { add: ['glib', 'zlib'], driverPath: true },
    // The line was long already and grows: the list is rewritten one element per line.
    out: L('{ pkgs, lib, ... }:', '{', '  env.LD_LIBRARY_PATH = "${lib.makeLibraryPath [', '    pkgs.stdenv.cc.cc.lib', '    pkgs.zlib', '  ]}:/run/opengl-driver/lib/:${lib.makeLibraryPath [ pkgs.glib ]}";', '}', ''),
    added: ['zlib'],
    present: ['glib', 'addDriverRunpath.driverLink'],
  },
  // Found on real shell.nix files: callPackage-style arguments are packages, not package sets.
  {
    name: 'callPackage-style arguments: written bare, never used as a prefix',
    src: L('{ lib, stdenv, mkShell, openssl, zlib }:', 'mkShell {', '  LD_LIBRARY_PATH = lib.makeLibraryPath [ stdenv.cc.cc zlib.dev ];', '}', ''),
    opts: { add: ['openssl', 'stdenv.cc.cc.lib', 'libGL'] },
    out: L('{ lib, stdenv, mkShell, openssl, zlib }:', 'mkShell {', '  LD_LIBRARY_PATH = lib.makeLibraryPath [ stdenv.cc.cc zlib.dev openssl ];', '}', ''),
    added: ['openssl'],
    present: ['stdenv.cc.cc.lib'],
    unplaced: ['libGL'],
  },
  {
    name: 'callPackage-style arguments already on the path are present',
    src: L('{ lib, mkShell, zlib, libGL }:', 'mkShell {', '  NIX_LD_LIBRARY_PATH = lib.makeLibraryPath [', '    zlib', '    libGL', '  ];', '}', ''),
    opts: { add: ['zlib', 'libGL'] },
    out: L('{ lib, mkShell, zlib, libGL }:', 'mkShell {', '  NIX_LD_LIBRARY_PATH = lib.makeLibraryPath [', '    zlib', '    libGL', '  ];', '}', ''),
    added: [],
    present: ['zlib', 'libGL'],
  },
  {
    name: 'a let-bound package first in a with-pkgs list is no prefix',
    src: L('let', '  pkgs = import <nixpkgs> { };', '  tool = pkgs.rust-bin.fromFile ./t.toml;', 'in', 'pkgs.mkShell {', '  LD_LIBRARY_PATH = with pkgs; lib.makeLibraryPath [ tool wayland ];', '}', ''),
    opts: { add: ['zlib'] },
    out: L('let', '  pkgs = import <nixpkgs> { };', '  tool = pkgs.rust-bin.fromFile ./t.toml;', 'in', 'pkgs.mkShell {', '  LD_LIBRARY_PATH = with pkgs; lib.makeLibraryPath [ tool wayland zlib ];', '}', ''),
    added: ['zlib'],
  },
  {
    name: 'a flake package set selected by system is still the package set',
    src: L('{ nixpkgs, ... }:', 'let', '  system = "x86_64-linux";', '  np = nixpkgs.legacyPackages.${system};', 'in', '{', '  devShells.${system}.default = np.mkShell {', '    LD_LIBRARY_PATH = np.lib.makeLibraryPath [ np.zlib ];', '  };', '}', ''),
    opts: { add: ['zlib', 'glib'] },
    out: L('{ nixpkgs, ... }:', 'let', '  system = "x86_64-linux";', '  np = nixpkgs.legacyPackages.${system};', 'in', '{', '  devShells.${system}.default = np.mkShell {', '    LD_LIBRARY_PATH = np.lib.makeLibraryPath [ np.zlib np.glib ];', '  };', '}', ''),
    added: ['glib'],
    present: ['zlib'],
  },
  {
    name: "a package's own LD_LIBRARY_PATH is left alone next to the dev shell's",
    src: L(
      '{ pkgs }:',
      '{',
      '  packages.default = pkgs.rustPlatform.buildRustPackage {',
      '    env.LD_LIBRARY_PATH = pkgs.lib.makeLibraryPath [ pkgs.udev ];',
      '  };',
      '  devShells.default = pkgs.mkShell {',
      '    env.LD_LIBRARY_PATH = pkgs.lib.makeLibraryPath [ pkgs.udev ];',
      '  };',
      '}',
      '',
    ),
    opts: { add: ['zlib'] },
    out: L(
      '{ pkgs }:',
      '{',
      '  packages.default = pkgs.rustPlatform.buildRustPackage {',
      '    env.LD_LIBRARY_PATH = pkgs.lib.makeLibraryPath [ pkgs.udev ];',
      '  };',
      '  devShells.default = pkgs.mkShell {',
      '    env.LD_LIBRARY_PATH = pkgs.lib.makeLibraryPath [ pkgs.udev pkgs.zlib ];',
      '  };',
      '}',
      '',
    ),
    added: ['zlib'],
  },
  {
    name: 'a derivation used as the shell (no mkShell) still has its path extended',
    src: L('{ pkgs }:', 'pkgs.stdenv.mkDerivation {', '  name = "env";', '  LD_LIBRARY_PATH = pkgs.lib.makeLibraryPath [ pkgs.udev ];', '}', ''),
    opts: { add: ['zlib'] },
    out: L('{ pkgs }:', 'pkgs.stdenv.mkDerivation {', '  name = "env";', '  LD_LIBRARY_PATH = pkgs.lib.makeLibraryPath [ pkgs.udev pkgs.zlib ];', '}', ''),
    added: ['zlib'],
  },
  {
    name: 'numtide devshell.mkShell is a module: nothing is created there',
    src: L('{ pkgs, inputs, ... }:', 'inputs.devshell.legacyPackages.x86_64-linux.mkShell {', '  packages = [ pkgs.uv ];', '}', ''),
    opts: { add: ['zlib'] },
    out: L('{ pkgs, inputs, ... }:', 'inputs.devshell.legacyPackages.x86_64-linux.mkShell {', '  packages = [ pkgs.uv ];', '}', ''),
    added: [],
    unplaced: ['zlib'],
  },
];

describe('patchLibraryList', () => {
  it.each(CASES)('$name', (c) => {
    const r = patchLibraryList(c.src, 'flake.nix', c.opts);
    expect(r.text).toBe(c.out);
    expect(r.changed).toBe(c.src !== c.out);
    if (c.added) expect(r.added).toEqual(c.added);
    if (c.present) expect(r.present).toEqual(c.present);
    expect(r.unplaced.map((u) => u.attr)).toEqual(c.unplaced ?? []);
    for (const u of r.unplaced) expect(u.reason.length).toBeGreaterThan(0);
    expect(r.createdLibraryPath).toBe(c.created ?? false);
    // Idempotent: a second run over the output changes nothing.
    const again = patchLibraryList(r.text, 'flake.nix', c.opts);
    expect(again.changed).toBe(false);
    expect(again.text).toBe(r.text);
    expect(again.added).toEqual([]);
  });

  it('refuses unparsable input with file:line:col', () => {
    const src = L('{ pkgs }:', 'pkgs.mkShell {', '  packages = [ pkgs.uv ]', '}', '');
    let err: unknown;
    try {
      patchLibraryList(src, 'shell.nix', { add: ['zlib'] });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(NixSyntaxError);
    const e = err as NixSyntaxError;
    expect([e.file, e.line, e.column]).toEqual(['shell.nix', 4, 1]);
    expect(e.message).toMatch(/^shell\.nix:4:1: syntax error, unexpected '}', expecting ';'$/);
  });

  // Positions as Nix reports them: an error at the end of input sits where the last lexeme starts.
  it.each([
    { what: 'unterminated string', src: 'let x = "abc; in x', line: 1, column: 10 },
    { what: 'unterminated indented string', src: "{ a = ''\n  x\n", line: 2, column: 1 },
    { what: 'stray }', src: '{ }\n}', line: 2, column: 1 },
    { what: 'unterminated comment', src: '[ 1 /* 2 ]', line: 1, column: 5 },
  ])('$what -> NixSyntaxError at $line:$column', ({ src, line, column }) => {
    let err: unknown;
    try {
      patchLibraryList(src, 'f.nix', { add: ['zlib'] });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(NixSyntaxError);
    expect([(err as NixSyntaxError).line, (err as NixSyntaxError).column]).toEqual([line, column]);
    expect((err as NixSyntaxError).message.startsWith(`f.nix:${line}:${column}: `)).toBe(true);
  });
});

describe('findLibraryLists', () => {
  it('reports each list with its position, variable and condition', () => {
    const src = L(
      '{ pkgs, lib, gui }:',
      'let libs = with pkgs; [ stdenv.cc.cc zlib "/run/opengl-driver" ]; in',
      'pkgs.mkShell {',
      '  LD_LIBRARY_PATH = lib.makeLibraryPath (libs ++ lib.optionals gui [ pkgs.libGL ]);',
      "  shellHook = ''",
      '    export NIX_LD_LIBRARY_PATH=${lib.makeLibraryPath [ pkgs.openssl ]}',
      "  '';",
      '}',
      '',
    );
    const c = findLibraryLists(src, 'shell.nix');
    expect(c.hasLibraryPath).toBe(true);
    expect(c.driverPath).toBe(true);
    expect(c.lists).toEqual([
      { line: 2, column: 23, via: 'LD_LIBRARY_PATH', attrs: ['stdenv.cc.cc', 'zlib'], conditional: false },
      { line: 4, column: 68, via: 'LD_LIBRARY_PATH', attrs: ['libGL'], conditional: true },
      { line: 6, column: 54, via: 'NIX_LD_LIBRARY_PATH', attrs: ['openssl'], conditional: false },
    ]);
    expect(c.attrs).toEqual(['stdenv.cc.cc', 'zlib', 'openssl']);
  });

  it('knows a file without a library path', () => {
    const c = findLibraryLists('{ pkgs }: pkgs.mkShell { packages = [ pkgs.zlib ]; }', 'shell.nix');
    expect(c).toEqual({ lists: [], attrs: [], driverPath: false, hasLibraryPath: false, sources: [] });
  });

  it('does not count makeLibraryPath text in comments or strings', () => {
    const src = L(
      '{ pkgs }:',
      '# LD_LIBRARY_PATH = pkgs.lib.makeLibraryPath [ pkgs.zlib ];',
      'pkgs.mkShell { shellHook = "echo LD_LIBRARY_PATH = makeLibraryPath"; }',
    );
    expect(findLibraryLists(src, 'shell.nix').hasLibraryPath).toBe(false);
  });
});

describeWithTool('nix-instantiate', 'patched outputs parse with nix-instantiate', () => {
  it.each(CASES)('$name', (c) => {
    const r = nixParseText(c.out);
    expect(r.stderr).toBe('');
    expect(r.ok).toBe(true);
  });
});
