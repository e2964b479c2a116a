import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Chalk } from 'chalk';
import { describe, expect, it } from 'vitest';
import { renderVerify, venvJudge, verifiedExitCode } from '../../src/cli/verify.js';
import { realEngine } from '../../src/plan/engine-real.js';
import type { VerifyResult } from '../../src/verify/index.js';
import { copyDemo, run } from '../e2e/harness.js';

const plain = new Chalk({ level: 0 });
const show = (p: string): string => p.replace('/p/', '');

describe('renderVerify and the exit code', () => {
  it('verified: one line with the count; the command keeps its own exit code', () => {
    const v: VerifyResult = { status: 'verified', libraryPath: ['/nix/store/a/lib', '/nix/store/b/lib'], failures: [], objects: 32 };
    expect(renderVerify(v, plain, show)).toBe('verified: all 32 extension modules resolve in the new shell (2 library directories realised)\n');
    expect(verifiedExitCode(0, v)).toBe(0);
    expect(verifiedExitCode(1, v)).toBe(1);
  });
  it('failed or unavailable: each failure with its file and soname, the reason indented; never exit 0', () => {
    const v: VerifyResult = {
      status: 'failed',
      libraryPath: [],
      objects: 0,
      failures: [
        { file: '/p/flake.nix', soname: 'libraqm.so.0', reason: "pkgs.libraqm does not exist; nix says:\nerror: attribute 'libraqm' missing" },
        { file: 'lib/x.so', reason: 'r' },
      ],
    };
    expect(renderVerify(v, plain, show)).toBe(
      "verify failed:\n  flake.nix (libraqm.so.0):\n      pkgs.libraqm does not exist; nix says:\n      error: attribute 'libraqm' missing\n  lib/x.so:\n      r\n",
    );
    expect(verifiedExitCode(0, v)).toBe(1);
    expect(verifiedExitCode(0, { ...v, status: 'unavailable' })).toBe(1);
  });
});

describe('--verify without Nix on PATH', () => {
  it('doctor and check: verify unavailable, exit 1, the project untouched', async () => {
    const demo = copyDemo();
    const empty = mkdtempSync(join(tmpdir(), 'nixpy-no-nix-'));
    try {
      const before = readdirSync(demo.dir).sort();
      const d = await run(['doctor', '--verify', '--json', '--no-stdin', '--project', demo.dir], { env: { PATH: empty } });
      const doc = JSON.parse(d.out) as { verify: VerifyResult };
      expect(doc.verify).toEqual({
        status: 'unavailable',
        libraryPath: [],
        objects: 0,
        failures: [{ file: join(demo.dir, 'flake.nix'), reason: 'nix is not on PATH: --verify needs Nix installed' }],
      });
      expect(d.code).toBe(1);
      const c = await run(['check', '--verify', '--project', demo.dir], { env: { PATH: empty } });
      expect(c.out).toContain('verify unavailable:\n');
      expect(c.out).toContain('nix is not on PATH: --verify needs Nix installed');
      expect(c.code).toBe(1);
      expect(readdirSync(demo.dir).sort()).toEqual(before);
    } finally {
      demo.cleanup();
      rmSync(empty, { recursive: true, force: true });
    }
  });
});

describe('venvJudge', () => {
  it('reruns the scan with a library path and describes symbol-version refusals with the way out', async () => {
    // fixtures/doctor/symver: an extension needing GLIBCXX_3.4.32 and VERS_2.0, shipped with
    // older builds (found through its RUNPATH).
    const venv = join(import.meta.dirname, '../../fixtures/doctor/symver/venv');
    const judge = venvJudge(realEngine({ env: {} }));
    const report = await judge.scan(venv, '/nonexistent');
    const failures = judge.versionFailures(report);
    const cxx = failures.find((f) => f.soname === 'libstdc++.so.6');
    expect(cxx?.file).toBe('lib/python3.12/site-packages/verspkg/_ext.cpython-312-x86_64-linux-gnu.so');
    expect(cxx?.reason).toMatch(/^GLIBCXX_3\.4\.32 needed by .*_ext\..*, the libstdc\+\+\.so\.6 at .*verspkg\.libs\/libstdc\+\+\.so\.6 provides up to GLIBCXX_3\.4\.30; .*gcc13\.cc\.lib/);
    expect(failures.map((f) => f.soname).sort()).toEqual(['libstdc++.so.6', 'libvers.so.1']);
  });
});
