import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ABI_TABLE_PATH, RELEASE_TABLE_PATH, renderToolchain } from '../../src/nixpkgs/generate.js';
import {
  firstGccProviding,
  dottedNumbers,
  highestProvidedBy,
  parseAbiTable,
  parseReleaseTable,
  releaseRow,
  toolchain,
  TOOLCHAIN_PATH,
} from '../../src/nixpkgs/toolchain.js';
import { compareNumbers, parseVersionName } from '../../src/elf/version-names.js';
import { RELEASES as DETECTABLE } from '../../src/nixpkgs/releases.js';

const ABI = readFileSync(ABI_TABLE_PATH, 'utf8');
const RELEASES = readFileSync(RELEASE_TABLE_PATH, 'utf8');
const facts = toolchain();

describe('toolchain facts', () => {
  it('data/toolchain.json is generated from the current tables', () => {
    expect(readFileSync(TOOLCHAIN_PATH, 'utf8')).toBe(renderToolchain(ABI, RELEASES));
  });

  it('every libstdc++ version from GLIBCXX_3.4 to the newest row maps back to the first release that defines it', () => {
    const newest = parseVersionName(facts.abi[facts.abi.length - 1]!.glibcxx)!.numbers[2]!;
    for (let minor = 1; minor <= newest; minor++) {
      const version = `GLIBCXX_3.4.${minor}`;
      const row = firstGccProviding(facts, version);
      expect(row, version).not.toBeNull();
      // That row defines it, and the release before it does not (versions are cumulative).
      expect(compareNumbers(parseVersionName(row!.glibcxx)!.numbers, [3, 4, minor])).toBeGreaterThanOrEqual(0);
      const before = facts.abi[facts.abi.indexOf(row!) - 1];
      if (before) expect(compareNumbers(parseVersionName(before.glibcxx)!.numbers, [3, 4, minor])).toBeLessThan(0);
    }
    expect(firstGccProviding(facts, `GLIBCXX_3.4.${newest + 1}`)).toBeNull();
  });

  it('agrees with gcc\'s ABI list on hand-checked versions', () => {
    // abi.xml@05cfd7b0 and the GCC 14.1 docs patch (see libstdcxx-abi.tsv).
    const first = (v: string): string | undefined => firstGccProviding(facts, v)?.gcc;
    expect(first('GLIBCXX_3.4.26')).toBe('9.1.0');
    expect(first('GLIBCXX_3.4.30')).toBe('12.1.0');
    expect(first('GLIBCXX_3.4.31')).toBe('13.1.0');
    expect(first('GLIBCXX_3.4.32')).toBe('13.2.0');
    expect(first('GLIBCXX_3.4.33')).toBe('14.1.0');
    expect(first('CXXABI_1.3.8')).toBe('4.9.0');
    expect(first('CXXABI_1.3.15')).toBe('14.1.0');
    expect(first('GLIBC_2.38')).toBeUndefined();
    expect(highestProvidedBy(facts, '12.3.0', 'GLIBCXX')).toBe('GLIBCXX_3.4.30');
    expect(highestProvidedBy(facts, '13.1.0', 'GLIBCXX')).toBe('GLIBCXX_3.4.31');
    expect(highestProvidedBy(facts, '7.5.0', 'CXXABI')).toBe('CXXABI_1.3.11');
    expect(highestProvidedBy(facts, '3.3.0', 'GLIBCXX')).toBeNull();
  });

  it('marks the rows that rest on inference, and only those', () => {
    const indirect = facts.abi.filter((r) => r.indirect).map((r) => r.gcc);
    expect(indirect.every((g) => dottedNumbers(g)[0]! >= 15)).toBe(true);
    expect(facts.abi.filter((r) => !r.indirect).every((r) => r.cxxabi !== null)).toBe(true);
  });

  it('knows stdenv\'s gcc only with evidence, and never goes backwards between releases', () => {
    let last = 0;
    for (const r of facts.releases) {
      if (r.stdenvGcc !== null) {
        expect(r.evidence.length, r.release).toBeGreaterThan(0);
        expect(r.stdenvGcc, r.release).toBeGreaterThanOrEqual(last);
        last = r.stdenvGcc;
      }
    }
    expect(releaseRow(facts, 'unstable')).not.toBeNull();
    expect(releaseRow(facts, '19.09')).toBeNull();
  });

  it('has a row for every release the release detection can return', () => {
    for (const r of DETECTABLE) expect(releaseRow(facts, r), r).not.toBeNull();
  });

  it('rejects malformed tables', () => {
    expect(() => parseAbiTable('13.2.0\tGLIBCXX_3.4.32\tCXXABI_1.3.14\n')).toThrow(/columns/);
    expect(() => parseAbiTable('13.2\tGLIBCXX_3.4.32\tCXXABI_1.3.14\tx\n')).toThrow(/bad gcc version/);
    expect(() => parseAbiTable('13.2.0\tCXXABI_1.3.14\tCXXABI_1.3.14\tx\n')).toThrow(/bad GLIBCXX/);
    expect(() => parseAbiTable('13.2.0\tGLIBCXX_3.4.32\t-\t-\n')).toThrow(/evidence/);
    expect(() => parseAbiTable('13.2.0\tGLIBCXX_3.4.32\t-\tx\n12.1.0\tGLIBCXX_3.4.30\t-\tx\n')).toThrow(/out of order/);
    expect(() => parseAbiTable('12.1.0\tGLIBCXX_3.4.32\t-\tx\n13.2.0\tGLIBCXX_3.4.30\t-\tx\n')).toThrow(/lower GLIBCXX/);
    expect(() => parseReleaseTable('24.06\t13\t13\t-\tx\n')).toThrow(/bad release/);
    expect(() => parseReleaseTable('24.11\t13\t14\t-\tx\n')).toThrow(/among/);
    expect(() => parseReleaseTable('24.11\t13\t13\t-\t-\n')).toThrow(/evidence/);
    expect(() => parseReleaseTable('24.11\t-\t-\t2.4x\tx\n')).toThrow(/bad glibc/);
  });
});
