import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { abiAdvice, type GccRuntimeAdvice, type GlibcAdvice, type VersionError } from '../../src/plan/abi-advice.js';
import { parseLoaderErrors, type MissingVersionFinding } from '../../src/plan/error-text.js';
import { firstGccProviding, dottedNumbers, toolchain, type Toolchain } from '../../src/nixpkgs/toolchain.js';

const facts = toolchain();
const fixture = (path: string): MissingVersionFinding => {
  const [f] = parseLoaderErrors(readFileSync(join(import.meta.dirname, '../../fixtures/doctor', path), 'utf8'));
  if (f?.kind !== 'missing-version') throw new Error(`${path}: no version finding`);
  return f;
};
const gcc = (f: VersionError, release?: string, listed?: string[]): GccRuntimeAdvice => {
  const a = abiAdvice(f, { ...(release ? { release } : {}), ...(listed ? { listed } : {}) });
  if (a.kind !== 'gcc-runtime') throw new Error(`expected gcc-runtime advice, got ${a.kind}`);
  return a;
};
const glibc = (f: VersionError, o: { release?: string; facts?: Toolchain } = {}): GlibcAdvice => {
  const a = abiAdvice(f, o);
  if (a.kind !== 'glibc') throw new Error(`expected glibc advice, got ${a.kind}`);
  return a;
};

describe('abiAdvice: the headline case', () => {
  // ImportError: /nix/store/…-gcc-12.3.0-lib/lib/libstdc++.so.6: version `GLIBCXX_3.4.32' not found
  const headline = fixture('errors/pyarrow-glibcxx.txt');

  it('names the loaded libstdc++, what it has, and the first gcc that has GLIBCXX_3.4.32', () => {
    const a = gcc(headline, '24.11', ['pkgs.zlib', 'pkgs.stdenv.cc.cc.lib']);
    expect(a).toMatchObject({
      runtime: 'libstdc++',
      needed: 'GLIBCXX_3.4.32',
      loadedGcc: '12.3.0',
      loadedProvides: 'GLIBCXX_3.4.30',
      firstGcc: '13.2.0',
      indirect: false,
      release: '24.11',
      releaseKnown: true,
      // 24.11's stdenv is gcc 13 (rl-2505: "from GCC 13 to GCC 14"), which has 3.4.32.
      stdenvGcc: 13,
      stdenvEnough: true,
      attr: 'stdenv.cc.cc.lib',
      alreadyListed: true,
      replaces: null,
      write: 'pkgs.stdenv.cc.cc.lib',
    });
  });

  it('on 23.11, whose stdenv is that gcc 12: pkgs.gcc13.cc.lib replaces stdenv.cc.cc.lib, or nixpkgs 24.05', () => {
    const a = gcc(headline, '23.11', ['pkgs.stdenv.cc.cc.lib']);
    expect(a).toMatchObject({
      releaseKnown: true,
      stdenvGcc: 12,
      stdenvEnough: false,
      attr: 'gcc13.cc.lib',
      attrInRelease: true,
      replaces: 'pkgs.stdenv.cc.cc.lib',
      alreadyListed: false,
      write: 'pkgs.gcc13.cc.lib',
      newerRelease: '24.05',
    });
  });

  it('GLIBCXX_3.4.33 on 24.05: stdenv (gcc 13) is not enough; gcc14, or nixpkgs 25.05', () => {
    const a = gcc({ ...headline, version: 'GLIBCXX_3.4.33' }, '24.05', ['stdenv.cc.cc.lib']);
    expect(a).toMatchObject({ firstGcc: '14.1.0', stdenvGcc: 13, stdenvEnough: false, attr: 'gcc14.cc.lib', attrInRelease: null, replaces: 'stdenv.cc.cc.lib', newerRelease: '25.05' });
  });

  it('defaults to unstable, whose stdenv is new enough', () => {
    const a = gcc(headline);
    expect(a.release).toBe('unstable');
    expect(a.stdenvEnough).toBe(true);
    expect(a.newerRelease).toBeNull();
  });

  it('an unknown release name gets the answer without release facts', () => {
    const a = gcc(headline, '22.05');
    expect(a).toMatchObject({ releaseKnown: false, stdenvGcc: null, stdenvEnough: null, attr: 'gcc13.cc.lib' });
  });
});

describe('abiAdvice follows the tables', () => {
  it('for every libstdc++ version and every release: stdenv when its gcc is new enough, else the first gcc that is', () => {
    const newest = facts.abi[facts.abi.length - 1]!.glibcxx;
    const top = Number(newest.split('.')[2]);
    for (let minor = 20; minor <= top; minor++) {
      const version = `GLIBCXX_3.4.${minor}`;
      const major = dottedNumbers(firstGccProviding(facts, version)!.gcc)[0]!;
      for (const r of facts.releases) {
        const a = gcc({ ...fixture('errors/pyarrow-glibcxx.txt'), version }, r.release);
        expect(a.firstGcc, version).toBe(firstGccProviding(facts, version)!.gcc);
        if (r.stdenvGcc === null) {
          expect(a.stdenvEnough).toBeNull();
          expect(a.attr).toBe(`gcc${major}.cc.lib`);
        } else if (r.stdenvGcc >= major) {
          expect(a.attr, `${version} on ${r.release}`).toBe('stdenv.cc.cc.lib');
        } else {
          const m = Math.min(...r.gccAttrs.filter((x) => x >= major));
          expect(a.attr, `${version} on ${r.release}`).toBe(`gcc${Number.isFinite(m) ? m : major}.cc.lib`);
          const later = facts.releases.slice(facts.releases.indexOf(r) + 1);
          expect(a.newerRelease).toBe(later.find((x) => (x.stdenvGcc ?? 0) >= major)?.release ?? null);
        }
      }
    }
  });

  it('a version newer than every known gcc gets no attribute, only the facts', () => {
    const a = gcc({ version: 'GLIBCXX_3.4.99', library: null, requiredBy: null });
    expect(a).toMatchObject({ firstGcc: null, attr: null, write: null, newerRelease: null });
  });
});

describe('abiAdvice on real texts', () => {
  it('CXXABI_1.3.15 (CompuCell3D): GCC 14.1.0, stdenv from 25.05 on', () => {
    const a = gcc(fixture('version-errors/compucell3d-830-cxxabi-many.txt'), '24.11');
    expect(a).toMatchObject({ needed: 'CXXABI_1.3.15', firstGcc: '14.1.0', loadedGcc: null, stdenvEnough: false, newerRelease: '25.05' });
    // 24.11 is not known to have gcc14: the first gcc that has it, without a claim about the release.
    expect(a).toMatchObject({ attr: 'gcc14.cc.lib', attrInRelease: null });
  });

  it('GLIBCXX_3.4.26 with a gcc-7.5.0 libstdc++ (NixOS onnx): GCC 9.1.0; today\'s stdenv covers it', () => {
    const a = gcc(fixture('version-errors/nixpkgs-94443-onnx.txt'), '25.11');
    expect(a).toMatchObject({ loadedGcc: '7.5.0', loadedProvides: 'GLIBCXX_3.4.24', firstGcc: '9.1.0', attr: 'stdenv.cc.cc.lib' });
  });

  it('GCC_7.0.0 from libgcc_s: GCC 7', () => {
    const a = gcc(fixture('version-errors/optware-282-libgcc.txt'));
    // libgcc's GCC_7.0.0 label is GCC 7's; NixOS takes libgcc_s from glibc's directory, so no attribute.
    expect(a).toMatchObject({ runtime: 'libgcc_s', firstGcc: '7', loadedFrom: 'host', loadedProvides: null, attr: null, write: null });
  });

  it('GLIBC_2.38 with glibc-2.37 loaded: glibc 2.38 or newer; the needer is the host libstdc++', () => {
    const a = glibc(fixture('version-errors/nix-9203-arch-glibc.txt'));
    expect(a).toMatchObject({ neededGlibc: '2.38', loadedGlibc: '2.37', mixedNixpkgs: false, requiredByFrom: 'host' });
    // The first release nixpy knows with glibc >= 2.38, whatever the user's release.
    const first = facts.releases.find((r) => r.glibc !== null && Number(r.glibc.split('.')[1]) >= 38)!;
    expect(a).toMatchObject({ firstRelease: first.release, firstReleaseGlibc: first.glibc });
  });

  it('GLIBC_2.33 needed by a store libstdc++: two nixpkgs revisions mixed on the path', () => {
    const a = glibc(fixture('version-errors/chainsail-309-glibc-quoted.txt'));
    expect(a).toMatchObject({ neededGlibc: '2.33', loadedGlibc: '2.31', mixedNixpkgs: true });
  });

  it('picks the first release whose glibc is new enough, when the table knows glibc versions', () => {
    const withGlibc: Toolchain = {
      ...facts,
      releases: facts.releases.map((r, i) => ({ ...r, glibc: `2.${36 + i}` })),
    };
    const f = fixture('version-errors/nix-9203-arch-glibc.txt');
    const a = glibc(f, { release: facts.releases[0]!.release, facts: withGlibc });
    const want = withGlibc.releases.find((r) => Number(r.glibc!.split('.')[1]) >= 38)!.release;
    expect(a).toMatchObject({ releaseEnough: false, newerRelease: want });
    expect(glibc(f, { release: want, facts: withGlibc })).toMatchObject({ releaseEnough: true, newerRelease: null });
  });

  it('other families get no toolchain answer', () => {
    expect(abiAdvice(fixture('errors/real-ctypes-vers.txt')).kind).toBe('other');
  });
});

describe('pathOrigin', () => {
  it('tells the store, the host, a Python environment and the rest apart', async () => {
    const { pathOrigin } = await import('../../src/plan/abi-advice.js');
    expect(pathOrigin('/nix/store/6qx8ijrs82bnq60vp09pv46mdx4rnq9d-gcc-7.5.0-lib/lib/libstdc++.so.6')).toBe('nix-store');
    expect(pathOrigin('/usr/lib/x86_64-linux-gnu/libstdc++.so.6')).toBe('host');
    expect(pathOrigin('/lib64/libm.so.6')).toBe('host');
    expect(pathOrigin('/p/.venv/lib/python3.12/site-packages/verspkg.libs/libstdc++.so.6')).toBe('venv');
    expect(pathOrigin('/home/user/.anaconda/envs/py27/lib/libstdc++.so.6')).toBe('venv');
    expect(pathOrigin('/home/hbw/gcc-build-5.4.0/lib64/libstdc++.so.6')).toBe('other');
    expect(pathOrigin('libgcc_s.so.1')).toBeNull();
    expect(pathOrigin(null)).toBeNull();
  });
});
