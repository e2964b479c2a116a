import { describe, expect, it } from 'vitest';
import { judgeEvalError, judgeLoad, type JudgeInput } from '../../src/verify/judge.js';

const H = 'b'.repeat(32);
const WEBP = `/nix/store/${H}-libwebp-1.2.4`;

function input(over: Partial<JudgeInput>): JudgeInput {
  return { missing: [], versionFailures: [], expected: [], attrs: [], libFiles: () => null, ...over };
}

describe('judgeLoad', () => {
  it('a picked package that does not ship the soname: names it, its version and what its lib/ ships', () => {
    const failures = judgeLoad(
      input({
        missing: [{ soname: 'libwebpmux.so.3', category: 'package', neededBy: ['PIL/_webp.so', 'PIL/_other.so'] }],
        expected: [{ soname: 'libwebpmux.so.3', attr: 'libwebp' }],
        attrs: [{ attr: 'libwebp', outPath: WEBP, name: 'libwebp-1.2.4' }],
        libFiles: (p) => (p === WEBP ? ['libwebp.so.7.1.5', 'libwebp.so.7', 'pkgconfig', 'libwebp.a'] : null),
      }),
    );
    const reason = 'pkgs.libwebp (libwebp-1.2.4) does not ship libwebpmux.so.3: its lib/ ships libwebp.so.7, libwebp.so.7.1.5';
    expect(failures).toEqual([
      { file: 'PIL/_other.so', soname: 'libwebpmux.so.3', reason },
      { file: 'PIL/_webp.so', soname: 'libwebpmux.so.3', reason },
    ]);
  });

  it('a package without lib/, a package nixpy could not locate, and a soname nothing was added for', () => {
    const failures = judgeLoad(
      input({
        missing: [
          { soname: 'libA.so.1', category: 'package', neededBy: ['a.so'] },
          { soname: 'libB.so.1', category: 'package', neededBy: ['b.so'] },
          { soname: 'libC.so.1', category: 'unknown', neededBy: ['c.so'] },
        ],
        expected: [
          { soname: 'libA.so.1', attr: 'pa' },
          { soname: 'libB.so.1', attr: 'pb' },
        ],
        attrs: [
          { attr: 'pa', outPath: `/nix/store/${H}-pa-2`, name: null },
          { attr: 'pb', outPath: null, name: null },
        ],
      }),
    );
    expect(failures.map((f) => f.reason)).toEqual([
      `pkgs.pa (pa-2) does not ship libA.so.1: it has no lib/ directory (/nix/store/${H}-pa-2)`,
      "libB.so.1 not found: pkgs.pb was meant to bring it, but nixpy could not locate that package's output",
      'libC.so.1 not found in any directory of the library path',
    ]);
  });

  it('symbol-version refusals come as described, in file order with the missing sonames', () => {
    const failures = judgeLoad(
      input({
        missing: [{ soname: 'libz.so.1', category: 'package', neededBy: ['b.so'] }],
        versionFailures: [{ file: 'a.so', soname: 'libstdc++.so.6', reason: 'GLIBCXX_3.4.32 needed by a.so' }],
      }),
    );
    expect(failures.map((f) => [f.file, f.soname])).toEqual([
      ['a.so', 'libstdc++.so.6'],
      ['b.so', 'libz.so.1'],
    ]);
  });
});

describe('judgeEvalError', () => {
  const expected = [{ soname: 'libstdc++.so.6', attr: 'stdenv.cc.cc.lib' }, { soname: 'libraqm.so.0', attr: 'libraqm' }];
  it('names the soname when Nix says an attribute nixpy added is missing', () => {
    const f = judgeEvalError('/p/flake.nix', "error: attribute 'libraqm' missing\n\n       at /p/flake.nix:9:9:", expected);
    expect(f).toEqual({
      file: '/p/flake.nix',
      soname: 'libraqm.so.0',
      reason: "pkgs.libraqm (picked for libraqm.so.0) does not exist in this nixpkgs; nix says:\nerror: attribute 'libraqm' missing\n\n       at /p/flake.nix:9:9:",
    });
  });
  it('matches the last element of a dotted attribute path', () => {
    expect(judgeEvalError('/p/flake.nix', "error: attribute 'lib' missing", expected).soname).toBe('libstdc++.so.6');
  });
  it('any other error: the shell does not evaluate, with Nix own words', () => {
    expect(judgeEvalError('/p/shell.nix', 'error: syntax error, unexpected end of file', expected)).toEqual({
      file: '/p/shell.nix',
      reason: 'the dev shell does not evaluate; nix says:\nerror: syntax error, unexpected end of file',
    });
  });
});
