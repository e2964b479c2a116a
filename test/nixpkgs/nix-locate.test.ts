import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseLocateLine, sonameOfPath, LOCATE_REGEX } from '../../src/nixpkgs/nix-locate.js';

const DUMP = readFileSync(resolve(__dirname, '../../fixtures/nix-locate/dump.txt'), 'utf8').trim().split('\n');

describe('parseLocateLine', () => {
  it('parses every line of the recorded dump', () => {
    const hits = DUMP.map(parseLocateLine);
    expect(hits.every((h) => h !== null)).toBe(true);
  });

  it('splits attribute and output, keeps store path and in-package path apart', () => {
    const h = parseLocateLine(DUMP.find((l) => l.includes('libstdc++.so.6.0.33'))!)!;
    expect(h).toMatchObject({ attr: 'gcc-unwrapped', output: 'lib', size: 2512344, type: 'x', path: 'lib/libstdc++.so.6.0.33', topLevel: true });
    expect(h.storePath).toMatch(/^\/nix\/store\/[0-9a-z]{32}-gcc-14\.3\.0-lib$/);
  });

  it('strips the parentheses of non-top-level hits', () => {
    const h = parseLocateLine(DUMP.find((l) => l.startsWith('(gfortran'))!)!;
    expect(h).toMatchObject({ attr: 'gfortran.cc', output: 'lib', topLevel: false, type: 's' });
  });

  it('handles attributes longer than the column (no padding left between fields)', () => {
    const long = DUMP.find((l) => l.startsWith('haskellPackages.'))!;
    const h = parseLocateLine(long)!;
    expect(h.attr).toBe('haskellPackages.some-very-long-attribute-name-that-overflows-the-column');
    expect(h.size).toBe(9999);
    // a line with a single space everywhere parses the same way
    expect(parseLocateLine(long.replace(/\s+/g, ' '))).toEqual(h);
    expect(parseLocateLine('\t' + long.replace(/\s+/g, '\t') + '  ')).toEqual(h);
  });

  it('tells symlinks, regular and executable files apart', () => {
    const z = DUMP.filter((l) => l.startsWith('zlib.out')).map((l) => parseLocateLine(l)!);
    expect(z.map((h) => [h.path, h.type])).toEqual([
      ['lib/libz.so', 's'],
      ['lib/libz.so.1', 's'],
      ['lib/libz.so.1.3.1', 'x'],
    ]);
    expect(parseLocateLine('foo.out 0 d /nix/store/' + 'a'.repeat(32) + '-foo/lib')!.type).toBe('d');
    expect(parseLocateLine('foo.out 10 r /nix/store/' + 'a'.repeat(32) + '-foo/lib/libf.so.1')!.type).toBe('r');
  });

  it('returns null for lines that are not hits', () => {
    for (const l of [
      '',
      '   ',
      'warning: database is old',
      'zlib 0 s /nix/store/' + 'a'.repeat(32) + '-zlib/lib/libz.so.1', // no output
      'zlib.out zero s /nix/store/' + 'a'.repeat(32) + '-zlib/lib/libz.so.1',
      'zlib.out 0 q /nix/store/' + 'a'.repeat(32) + '-zlib/lib/libz.so.1',
      'zlib.out 0 s /usr/lib/libz.so.1',
      'zlib.out 0 s /nix/store/shorthash-zlib/lib/libz.so.1',
    ]) {
      expect(parseLocateLine(l), l).toBeNull();
    }
  });
});

describe('sonameOfPath and the regex', () => {
  it('extracts shared-object file names', () => {
    expect(sonameOfPath('lib/libz.so.1')).toBe('libz.so.1');
    expect(sonameOfPath('lib/libz.so')).toBe('libz.so');
    expect(sonameOfPath('lib/python3.13/site-packages/a/_x.cpython-313-x86_64-linux-gnu.so')).toBe('_x.cpython-313-x86_64-linux-gnu.so');
    expect(sonameOfPath('lib/libz.a')).toBeNull();
    expect(sonameOfPath('lib/libz.so.1.debug')).toBe('libz.so.1.debug');
    expect(sonameOfPath('lib/pkgconfig/zlib.pc')).toBeNull();
  });
  it('the single nix-locate regex matches library files below a lib directory only', () => {
    const re = new RegExp(LOCATE_REGEX);
    expect(re.test('/nix/store/h-zlib/lib/libz.so.1')).toBe(true);
    expect(re.test('/nix/store/h-zlib/lib/libz.so')).toBe(true);
    expect(re.test('/nix/store/h-x/lib/x86_64-linux-gnu/libfoo.so.2.1')).toBe(true);
    expect(re.test('/nix/store/h-zlib/share/libz.so.1')).toBe(false);
    expect(re.test('/nix/store/h-zlib/lib/libz.a')).toBe(false);
    expect(re.test('/nix/store/h-zlib/lib/libz.so.1/README')).toBe(false);
  });
});

describe('parseLocateLine (property)', () => {
  it('reads back what nix-locate prints, whatever the column widths', async () => {
    const fc = (await import('fast-check')).default;
    const seg = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_'+-]{0,20}$/);
    fc.assert(
      fc.property(
        fc.array(seg, { minLength: 1, maxLength: 4 }),
        fc.constantFrom('out', 'lib', 'dev', 'bin'),
        fc.nat({ max: 2 ** 40 }),
        fc.constantFrom('r' as const, 'x' as const, 's' as const, 'd' as const),
        fc.stringMatching(/^[0-9a-df-np-sv-z]{32}$/),
        fc.stringMatching(/^[A-Za-z0-9+._-]{1,20}$/),
        fc.array(fc.stringMatching(/^[A-Za-z0-9+._-]{1,12}$/), { minLength: 1, maxLength: 4 }),
        fc.boolean(),
        fc.nat({ max: 60 }),
        (attrPath, output, size, type, hash, name, parts, topLevel, width) => {
          const attr = attrPath.join('.');
          const shown = topLevel ? `${attr}.${output}` : `(${attr}.${output})`;
          const storePath = `/nix/store/${hash}-${name}`;
          const path = parts.join('/');
          const line = `${shown.padEnd(width)} ${size.toLocaleString('en-US').padStart(14)} ${type} ${storePath}/${path}`;
          expect(parseLocateLine(line)).toEqual({ attr, output, size, type, storePath, path, topLevel });
        },
      ),
      { numRuns: 300 },
    );
  });
});
