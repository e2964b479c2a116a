import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { abiAdvice } from '../../src/plan/abi-advice.js';
import { abiVerdict } from '../../src/plan/abi-verdict.js';
import { parseLoaderErrors, type MissingVersionFinding } from '../../src/plan/error-text.js';

const finding = (path: string): MissingVersionFinding => {
  const [f] = parseLoaderErrors(readFileSync(join(import.meta.dirname, '../../fixtures/doctor', path), 'utf8'));
  if (f?.kind !== 'missing-version') throw new Error(path);
  return f;
};
const verdict = (path: string, release: string, listed: string[] = ['pkgs.stdenv.cc.cc.lib']): string => {
  const f = finding(path);
  return abiVerdict(abiAdvice(f, { release, listed }), f.soname ?? '');
};

describe('abiVerdict', () => {
  it('the headline case on 23.11: the loaded gcc, what it stops at, the exact replacement, the newer release', () => {
    const v = verdict('errors/pyarrow-glibcxx.txt', '23.11');
    expect(v).toContain('GLIBCXX_3.4.32 first ships with GCC 13.2.0');
    expect(v).toContain("gcc 12.3.0's (its store path), which stops at GLIBCXX_3.4.30");
    expect(v).toContain('replace `pkgs.stdenv.cc.cc.lib` with `pkgs.gcc13.cc.lib`');
    expect(v).toContain('move to nixpkgs 24.05');
  });

  it('when the release\'s stdenv has it and the list has it, names what comes first instead', () => {
    expect(verdict('errors/pyarrow-glibcxx.txt', '24.05')).toMatch(/has it and the library list has it, so another nixpkgs \(gcc 12\.3\.0\) comes first.*put `pkgs\.stdenv\.cc\.cc\.lib` first/);
    expect(verdict('version-errors/hcflow-5-scipy.txt', 'unstable')).toMatch(/a private copy comes first/);
  });

  it('unstable (the default) with an older store gcc loaded: stdenv, or the first gcc for an older nixpkgs', () => {
    expect(verdict('errors/pyarrow-glibcxx.txt', 'unstable', [])).toMatch(
      /write `pkgs\.stdenv\.cc\.cc\.lib` in the library list \(gcc \d+ on nixpkgs unstable\); with an older nixpkgs, like the one gcc 12\.3\.0 came from, `pkgs\.gcc13\.cc\.lib`/,
    );
  });

  it('a release with no stdenv listed gets the write line without replacing', () => {
    expect(verdict('errors/pyarrow-glibcxx.txt', '23.11', [])).toContain('write `pkgs.gcc13.cc.lib` first in the library list');
  });

  it('glibc: a store library from a newer nixpkgs, a host library, an old interpreter', () => {
    expect(verdict('version-errors/chainsail-309-glibc-quoted.txt', 'unstable')).toMatch(/is from a newer nixpkgs than that program; take both from one nixpkgs/);
    expect(verdict('version-errors/nix-9203-arch-glibc.txt', 'unstable')).toMatch(/is the host's.*keep host library directories off LD_LIBRARY_PATH/);
    expect(verdict('version-errors/gambit-272-no-paren.txt', '24.05')).toMatch(/nixpkgs 24\.05 has glibc 2\.39, so the program comes from an older nixpkgs/);
  });

  it('libgcc_s: a nixpkgs, not an attribute', () => {
    expect(verdict('version-errors/optware-282-libgcc.txt', 'unstable')).toMatch(/comes with nixpkgs' glibc/);
  });
});
