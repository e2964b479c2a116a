import { describe, expect, it } from 'vitest';
import { libraryPathOf, missingAttributeOf, nixErrorExcerpt, parseEvalAnswer, realiseTargets, storeName } from '../../src/verify/interpret.js';

const H = 'a'.repeat(32);

describe('libraryPathOf', () => {
  it('splits at : and ; as ld.so does, drops empty entries, LD_LIBRARY_PATH first, each directory once', () => {
    expect(
      libraryPathOf({
        LD_LIBRARY_PATH: `/nix/store/${H}-zlib/lib::/nix/store/${H}-x/lib;/run/opengl-driver/lib`,
        NIX_LD_LIBRARY_PATH: `/nix/store/${H}-zlib/lib:/nix/store/${H}-y/lib`,
      }),
    ).toEqual([`/nix/store/${H}-zlib/lib`, `/nix/store/${H}-x/lib`, '/run/opengl-driver/lib', `/nix/store/${H}-y/lib`]);
  });
  it('is empty when the shell sets neither variable', () => {
    expect(libraryPathOf({ LD_LIBRARY_PATH: null, NIX_LD_LIBRARY_PATH: null })).toEqual([]);
  });
});

describe('realiseTargets', () => {
  it('names each derivation output as DRV!OUTPUT and keeps plain store paths, sorted, once', () => {
    expect(
      realiseTargets([
        { [`/nix/store/${H}-gcc.drv`]: { outputs: ['lib'] }, [`/nix/store/${H}-src`]: { path: true } },
        { [`/nix/store/${H}-gcc.drv`]: { outputs: ['lib', 'out'] } },
      ]),
    ).toEqual([`/nix/store/${H}-gcc.drv!lib`, `/nix/store/${H}-gcc.drv!out`, `/nix/store/${H}-src`]);
  });
});

describe('parseEvalAnswer', () => {
  it('reads the variables, the context and the attributes in the order asked', () => {
    const stdout = JSON.stringify({
      vars: { LD_LIBRARY_PATH: `/nix/store/${H}-zlib-1.3.1/lib`, NIX_LD_LIBRARY_PATH: null },
      context: [{ [`/nix/store/${H}-zlib-1.3.1.drv`]: { outputs: ['out'] } }],
      attrs: [{ store: `/nix/store/${H}-zlib-1.3.1`, name: 'zlib-1.3.1' }, null],
    });
    expect(parseEvalAnswer(stdout, ['zlib', 'nope'])).toEqual({
      libraryPath: [`/nix/store/${H}-zlib-1.3.1/lib`],
      realise: [`/nix/store/${H}-zlib-1.3.1.drv!out`],
      attrs: [
        { attr: 'zlib', outPath: `/nix/store/${H}-zlib-1.3.1`, name: 'zlib-1.3.1' },
        { attr: 'nope', outPath: null, name: null },
      ],
    });
  });
  it('refuses output that is not the expected JSON', () => {
    expect(() => parseEvalAnswer('warning: x', [])).toThrow(/no JSON/);
    expect(() => parseEvalAnswer('{"vars":1}', [])).toThrow(/unexpected shape/);
  });
});

describe('Nix error text', () => {
  const stderr = [
    "warning: Git tree '/p' is dirty",
    "\u001b[31;1merror:\u001b[0m attribute '\u001b[35;1mlibraqm\u001b[0m' missing",
    '',
    '       at /p/.nixpy-verify-1-flake.nix:9:9:',
    '',
    "(use '--show-trace' to show detailed location information)",
    '',
  ].join('\n');
  it('keeps Nix own message from the error line on, without colours, warnings or the trace hint', () => {
    expect(nixErrorExcerpt(stderr)).toBe("error: attribute 'libraqm' missing\n\n       at /p/.nixpy-verify-1-flake.nix:9:9:");
  });
  it('cuts long messages after the first lines', () => {
    const long = ['error: x', ...Array.from({ length: 20 }, (_, i) => `line ${i}`)].join('\n');
    expect(nixErrorExcerpt(long, 3)).toBe('error: x\nline 0\nline 1\n…');
  });
  it('finds the attribute Nix could not select', () => {
    expect(missingAttributeOf(stderr)).toBe('libraqm');
    expect(missingAttributeOf('error: syntax error, unexpected ]')).toBeNull();
  });
});

describe('storeName', () => {
  it('is the name part of a store path', () => {
    expect(storeName(`/nix/store/${H}-libwebp-1.5.0/lib`)).toBe('libwebp-1.5.0');
    expect(storeName('/usr/lib')).toBeNull();
  });
});
