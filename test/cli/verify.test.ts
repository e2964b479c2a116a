import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Chalk } from 'chalk';
import { describe, expect, it } from 'vitest';
import { renderVerify, verifiedExitCode } from '../../src/cli/verify.js';
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
