import { describe, expect, it } from 'vitest';
import {
  compareNumbers,
  describeVersionProblem,
  versionProblemsFromScan,
  gccMajorFor,
  highestOfFamily,
  parseVersionName,
  versionAdvice,
} from '../../src/plan/symbol-versions.js';
import { toolchain } from '../../src/nixpkgs/toolchain.js';

describe('version names', () => {
  it('parses family and numbers', () => {
    expect(parseVersionName('GLIBCXX_3.4.32')).toEqual({ family: 'GLIBCXX', numbers: [3, 4, 32] });
    expect(parseVersionName('OPENSSL_1_1_0')).toEqual({ family: 'OPENSSL_1_1', numbers: [0] });
    expect(parseVersionName('libfoo.so.1')).toBeNull();
  });

  it('compares numerically, not as text', () => {
    expect(compareNumbers([3, 4, 9], [3, 4, 10])).toBeLessThan(0);
    expect(compareNumbers([2, 38], [2, 38, 0])).toBe(0);
    expect(highestOfFamily(['GLIBCXX_3.4', 'GLIBCXX_3.4.9', 'GLIBCXX_3.4.30', 'CXXABI_1.3.99', 'GLIBCXX_3.4.10'], 'GLIBCXX')).toBe(
      'GLIBCXX_3.4.30',
    );
    expect(highestOfFamily(['GLIBC_2.2.5'], 'GLIBCXX')).toBeNull();
  });

  it('knows which GCC first shipped a libstdc++ version', () => {
    expect(gccMajorFor('GLIBCXX_3.4.30')).toBe(12);
    expect(gccMajorFor('GLIBCXX_3.4.32')).toBe(13);
    expect(gccMajorFor('GLIBCXX_3.4.33')).toBe(14);
    expect(gccMajorFor('CXXABI_1.3.15')).toBe(14);
    expect(gccMajorFor('GLIBCXX_3.4.99')).toBeNull();
    expect(gccMajorFor('GLIBC_2.38')).toBeNull();
  });

  it('advises a gcc lib output for libstdc++, a newer nixpkgs for glibc', () => {
    expect(versionAdvice('libstdc++.so.6', 'GLIBCXX_3.4.33')).toContain('pkgs.gcc14.cc.lib');
    expect(versionAdvice('libc.so.6', 'GLIBC_2.38')).toMatch(/cannot be swapped.*nix flake update nixpkgs/);
    expect(versionAdvice('libssl.so.3', 'OPENSSL_3.2.0')).toContain('newer build of the package that ships libssl.so.3');
    // Newer than every GCC in the ABI table: the newest one nixpy knows, not a stale constant.
    const newest = toolchain().abi.at(-1)!.gcc.split('.')[0];
    expect(versionAdvice('libstdc++.so.6', 'GLIBCXX_3.4.99')).toContain(`pkgs.gcc${newest}.cc.lib`);
  });
});

describe('versionProblemsFromScan', () => {
  const definitions = new Map([['/old/libstdc++.so.6', ['GLIBCXX_3.4', 'GLIBCXX_3.4.29', 'GLIBCXX_3.4.30', 'CXXABI_1.3.13']]]);
  const refusal = (version: string, neededBy = 'site-packages/pyarrow/libarrow.so.1800') => ({
    soname: 'libstdc++.so.6',
    version,
    neededBy,
    library: '/old/libstdc++.so.6',
  });

  it("groups the loader's refusals per object and library, with the highest version it has", () => {
    const problems = versionProblemsFromScan([refusal('GLIBCXX_3.4.32'), refusal('GLIBCXX_3.4.31'), refusal('GLIBCXX_3.4.32', 'a.so')], definitions);
    expect(problems).toHaveLength(2);
    expect(problems[1]).toMatchObject({
      neededBy: 'site-packages/pyarrow/libarrow.so.1800',
      soname: 'libstdc++.so.6',
      libraryPath: '/old/libstdc++.so.6',
      missing: ['GLIBCXX_3.4.31', 'GLIBCXX_3.4.32'],
      providesUpTo: 'GLIBCXX_3.4.30',
    });
    expect(describeVersionProblem(problems[1]!)).toBe(
      'GLIBCXX_3.4.31, GLIBCXX_3.4.32 needed by site-packages/pyarrow/libarrow.so.1800, the libstdc++.so.6 at /old/libstdc++.so.6 provides up to GLIBCXX_3.4.30',
    );
    expect(problems[1]!.advice).toContain('gcc13.cc.lib');
  });

  it('is empty without refusals; a library whose definitions are unknown has no "up to"', () => {
    expect(versionProblemsFromScan([], definitions)).toEqual([]);
    expect(versionProblemsFromScan([{ ...refusal('GLIBCXX_3.4.32'), library: '/elsewhere/libstdc++.so.6' }], definitions)[0]?.providesUpTo).toBeNull();
  });
});
