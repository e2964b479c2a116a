import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { copyDemo, DEMO, ERRORS, REPO, run, SYMVER } from '../e2e/harness.js';
import { describeWithTool } from '../helpers/tools.js';
import { parseLoaderErrors, type MissingVersionFinding } from '../../src/plan/error-text.js';
import { abiAdvice } from '../../src/plan/abi-advice.js';
import { highestOfFamily } from '../../src/plan/symbol-versions.js';
import { readElfFile } from '../../src/elf/index.js';
import { firstGccProviding, dottedNumbers, toolchain } from '../../src/nixpkgs/toolchain.js';
import { compareNumbers } from '../../src/elf/version-names.js';

/**
 * issue 10, "The libstdc++ version error gets no answer": pasting the error must put the answer
 * first, in `focus`, with the data behind it.
 */
const headline = readFileSync(join(ERRORS, 'pyarrow-glibcxx.txt'), 'utf8');
const real = (name: string): string => readFileSync(join(REPO, 'fixtures/doctor/version-errors', name), 'utf8');
const doctor = (stdin: string, json: boolean) => run(['doctor', '--project', DEMO, ...(json ? ['--json'] : [])], { stdin });

describe('doctor answers a pasted symbol-version error first', () => {
  it('focus carries the version answer and its data', async () => {
    const doc = JSON.parse((await doctor(headline, true)).out);
    expect(doc.input.findings[0]).toMatchObject({ kind: 'missing-version', version: 'GLIBCXX_3.4.32', gccVersion: '12.3.0' });
    expect(doc.focus[0]).toMatchObject({
      soname: 'libstdc++.so.6',
      abi: { kind: 'gcc-runtime', needed: 'GLIBCXX_3.4.32', loadedGcc: '12.3.0', loadedProvides: 'GLIBCXX_3.4.30', firstGcc: '13.2.0', release: 'unstable' },
    });
    expect(doc.focus[0].verdict).toMatch(/^GLIBCXX_3\.4\.32 first ships with GCC 13\.2\.0; the libstdc\+\+\.so\.6 loaded is gcc 12\.3\.0's/);
    // What to write depends on the Nix file's list: the demo's is read, not assumed.
    const listed = (doc.nix.attrs as string[]).includes('stdenv.cc.cc.lib');
    expect(doc.focus[0].abi.alreadyListed).toBe(listed);
    expect(doc.focus[0].verdict).toContain(
      listed ? 'another nixpkgs (gcc 12.3.0) comes first' : 'write `pkgs.stdenv.cc.cc.lib` in the library list',
    );
    if (!listed) expect(doc.focus[0].verdict).toContain('like the one gcc 12.3.0 came from, `pkgs.gcc13.cc.lib`');
  });

  it('with stdenv.cc.cc.lib already listed, names what comes before it instead', async () => {
    const demo = copyDemo();
    try {
      const flake = join(demo.dir, 'flake.nix');
      writeFileSync(flake, readFileSync(flake, 'utf8').replace('pkgs.zlib', 'pkgs.zlib\n        pkgs.stdenv.cc.cc.lib'));
      const doc = JSON.parse((await run(['doctor', '--project', demo.dir, '--json'], { stdin: headline })).out);
      expect(doc.nix.attrs).toContain('stdenv.cc.cc.lib');
      expect(doc.focus[0].abi).toMatchObject({ alreadyListed: true, stdenvEnough: true, loadedFrom: 'nix-store' });
      expect(doc.focus[0].verdict).toContain('another nixpkgs (gcc 12.3.0) comes first on the library path');
    } finally {
      demo.cleanup();
    }
  });

  it('answers for the release the plan detects (--nixpkgs 24.05: gcc 13, so GLIBCXX_3.4.33 needs gcc14 or 25.05)', async () => {
    const text =
      "ImportError: /nix/store/…-gcc-13.3.0-lib/lib/libstdc++.so.6: version `GLIBCXX_3.4.33' not found (required by /p/.venv/lib/python3.12/site-packages/foo/_ext.so)";
    const doc = JSON.parse((await run(['doctor', '--project', DEMO, '--nixpkgs', '24.05', '--json'], { stdin: text })).out);
    expect(doc.nixpkgs.release).toBe('24.05');
    expect(doc.focus[0].abi).toMatchObject({
      release: '24.05',
      loadedGcc: '13.3.0',
      loadedProvides: 'GLIBCXX_3.4.32',
      firstGcc: '14.1.0',
      stdenvGcc: 13,
      stdenvEnough: false,
      write: 'pkgs.gcc14.cc.lib',
      newerRelease: '25.05',
    });
  });

  it('the human report says it in its first lines', async () => {
    const r = await doctor(headline, false);
    const lines = r.out.split('\n');
    const at = lines.findIndex((l) => l.includes('libstdc++.so.6: GLIBCXX_3.4.32 first ships with GCC 13.2.0'));
    expect(at).toBeGreaterThanOrEqual(0);
    expect(at).toBeLessThan(12);
  });

  it('one answer for a loader that failed the same way for four objects (CompuCell3D, CXXABI_1.3.15)', async () => {
    const doc = JSON.parse((await doctor(real('compucell3d-830-cxxabi-many.txt'), true)).out);
    expect(doc.input.findings).toHaveLength(4);
    const versions = doc.focus.filter((f: { abi?: unknown }) => f.abi);
    expect(versions).toHaveLength(1);
    expect(versions[0].abi).toMatchObject({ needed: 'CXXABI_1.3.15', firstGcc: '14.1.0', loadedFrom: 'host' });
  });

  it('a glibc error from a terminal-wrapped paste gets the glibc answer', async () => {
    const doc = JSON.parse((await doctor(real('pulumi-7754-terminal-wrapped.txt'), true)).out);
    expect(doc.focus[0]).toMatchObject({ soname: 'libc.so.6', abi: { kind: 'glibc', neededGlibc: '2.33', loadedGlibc: '2.32', mixedNixpkgs: true } });
  });
});

describeWithTool('ldd', "glibc's own loader output for a real version mismatch", () => {
  // fixtures/doctor/symver: an extension linked against a libstdc++ stand-in defining
  // GLIBCXX_3.4.32, shipped beside one that stops at GLIBCXX_3.4.30 (built by its build.sh).
  const ext = join(SYMVER, 'venv/lib/python3.12/site-packages/verspkg/_ext.cpython-312-x86_64-linux-gnu.so');
  // ldd (glibc's ld.so --list under the hood) prints version errors on stdout, before the list.
  const lddErr = (): string => {
    const r = spawnSync('ldd', [ext], { encoding: 'utf8' });
    return r.stdout + r.stderr;
  };

  it('is parsed, and answered from what the shipped library really defines', async () => {
    const text = lddErr();
    const found = parseLoaderErrors(text).filter((f): f is MissingVersionFinding => f.kind === 'missing-version');
    expect(found.map((f) => f.version).sort()).toEqual(['GLIBCXX_3.4.32', 'VERS_2.0']);
    const cxx = found.find((f) => f.version === 'GLIBCXX_3.4.32')!;
    expect(cxx.library).toMatch(/verspkg\.libs\/libstdc\+\+\.so\.6$/);
    const a = abiAdvice(cxx);
    if (a.kind !== 'gcc-runtime') throw new Error(a.kind);
    expect(a).toMatchObject({ firstGcc: '13.2.0', loadedFrom: 'venv', loadedGcc: null });
    // The first GCC for the version the loaded copy does define is older than the one needed.
    const have = highestOfFamily(readElfFile(cxx.library!).verdef, 'GLIBCXX')!;
    expect(have).toBe('GLIBCXX_3.4.30');
    expect(compareNumbers(dottedNumbers(firstGccProviding(toolchain(), have)!.gcc), dottedNumbers(a.firstGcc!))).toBeLessThan(0);

    const doc = JSON.parse((await run(['doctor', '--project', SYMVER, '--venv', join(SYMVER, 'venv'), '--json'], { stdin: text })).out);
    const kinds = doc.focus.map((f: { soname: string; abi?: { kind: string } }) => `${f.soname}:${f.abi?.kind}`);
    expect(kinds).toEqual(expect.arrayContaining(['libstdc++.so.6:gcc-runtime', 'libvers.so.1:other']));
  });
});
