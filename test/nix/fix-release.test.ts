import { afterEach, beforeEach, expect, it } from 'vitest';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describeWithTool } from '../helpers/tools.js';
import { nixParseFile } from '../helpers/nix.js';
import { evalShells, NixEvalError } from '../helpers/nix-eval.js';
import { runCli } from '../helpers/fix-cli.js';
import type { FixReport } from '../../src/plan/fix.js';

/**
 * `nixpy fix` on the demo flake (its venv needs libX11.so.6 among others) with a flake.lock
 * pinning each release: the spelling written must be the one that release has, and the patched
 * flake must evaluate against a stub nixpkgs shaped like that release (no top-level libx11 before
 * 26.05), with the real nix-instantiate.
 */
const demo = fileURLToPath(new URL('../../fixtures/demo', import.meta.url));
const venv = join(demo, '.venv');

function lock(ref: string, lastModified: number): string {
  return JSON.stringify({
    nodes: {
      nixpkgs: {
        locked: { lastModified, narHash: 'sha256-0000000000000000000000000000000000000000000=', owner: 'NixOS', repo: 'nixpkgs', rev: '0'.repeat(40), type: 'github' },
        original: { owner: 'NixOS', ref, repo: 'nixpkgs', type: 'github' },
      },
      root: { inputs: { nixpkgs: 'nixpkgs' } },
    },
    root: 'root',
    version: 7,
  });
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'nixpy-fixrel-'));
  cpSync(join(demo, 'flake.nix'), join(dir, 'flake.nix'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const cases: [ref: string, date: string, release: string, x11: string][] = [
  ['nixos-24.05', '2024-09-01', '24.05', 'xorg.libX11'],
  ['nixos-24.11', '2025-03-01', '24.11', 'xorg.libX11'],
  ['release-25.05', '2025-09-01', '25.05', 'xorg.libX11'],
  ['nixos-25.11', '2026-02-01', '25.11', 'xorg.libX11'],
  ['nixos-26.05', '2026-08-01', '26.05', 'libx11'],
  ['nixpkgs-unstable', '2026-12-01', '26.11', 'libx11'],
];

describeWithTool('nix-instantiate', 'nixpy fix writes the spelling of the pinned nixpkgs', () => {
  for (const [ref, date, release, x11] of cases) {
    it(`${ref} → ${x11}`, async () => {
      writeFileSync(join(dir, 'flake.lock'), lock(ref, Date.parse(`${date}T00:00:00Z`) / 1000));
      const r = await runCli(['fix', '--venv', venv, '--json'], dir, { HOME: dir });
      expect(r.stderr).toBe('');
      const doc = JSON.parse(r.stdout) as FixReport;
      expect(doc.nixpkgs).toMatchObject({ release, source: 'flake.lock' });
      expect(doc.added).toContain(x11);
      expect(doc.added.filter((a) => /^(libx11|xorg\.libX11)$/.test(a))).toEqual([x11]);
      const f = join(dir, 'flake.nix');
      expect(nixParseFile(f).ok).toBe(true);
      // The stub shaped like the release evaluates it: a wrong spelling is an evaluation error.
      expect(() => evalShells(f, release)).not.toThrow();
      // And a second run finds everything covered.
      const again = JSON.parse((await runCli(['fix', '--venv', venv, '--json'], dir, { HOME: dir })).stdout) as FixReport;
      expect(again.added).toEqual([]);
    });
  }

  it('the stub really rejects the new spelling on 24.11 (the test above can fail)', () => {
    const f = join(dir, 'flake.nix');
    writeFileSync(f, readFileSync(f, 'utf8').replace('pkgs.zlib', 'pkgs.zlib pkgs.libx11'));
    expect(() => evalShells(f, '24.11')).toThrow(NixEvalError);
    expect(() => evalShells(f, '26.05')).not.toThrow();
  });

  it('--nixpkgs overrides the lock', async () => {
    writeFileSync(join(dir, 'flake.lock'), lock('nixos-24.11', 1740787200));
    const doc = JSON.parse((await runCli(['fix', '--venv', venv, '--json', '--dry-run', '--nixpkgs', 'unstable'], dir, { HOME: dir })).stdout) as FixReport;
    expect(doc.nixpkgs).toMatchObject({ release: 'unstable', source: 'flag' });
    expect(doc.added).toContain('libx11');
    const bad = await runCli(['fix', '--venv', venv, '--nixpkgs', '24.10'], dir, { HOME: dir });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('accepted: 24.05, 24.11, 25.05, 25.11, 26.05, 26.11 or unstable');
  });

  it('check and doctor judge with the same release as fix', async () => {
    writeFileSync(join(dir, 'flake.lock'), lock('nixos-24.11', 1740787200));
    cpSync(join(demo, 'pyproject.toml'), join(dir, 'pyproject.toml'));
    const check = await runCli(['check', '--venv', venv, '--json'], dir, { HOME: dir });
    const c = JSON.parse(check.stdout) as { add: string[]; nixpkgs: { release: string; source: string }; command: string };
    expect(c.nixpkgs).toMatchObject({ release: '24.11', source: 'flake.lock' });
    expect(c.add).toContain('xorg.libX11');
    expect(c.add).not.toContain('libx11');
    const doctor = await runCli(['doctor', '--venv', venv, '--json'], dir, { HOME: dir });
    const d = JSON.parse(doctor.stdout) as { nixpkgs: { release: string }; patch: { add: string[] } };
    expect(d.nixpkgs.release).toBe('24.11');
    expect(d.patch.add).toEqual(c.add);
    const human = await runCli(['doctor', '--venv', venv], dir, { HOME: dir });
    expect(human.stdout).toMatch(/nixpkgs: +24\.11 \(flake\.lock \(input nixpkgs\) pins nixos-24\.11\)/);
  });

  it('init --nixpkgs pins that release and spells for it', async () => {
    rmSync(join(dir, 'flake.nix'));
    cpSync(venv, join(dir, '.venv'), { recursive: true, verbatimSymlinks: true });
    const r = await runCli(['init', '--project', dir, '--nixpkgs', '24.11', '--json'], dir, { HOME: dir });
    const doc = JSON.parse(r.stdout) as { attrs: string[]; nixpkgs: { release: string; source: string }; text: string };
    expect(doc.nixpkgs).toMatchObject({ release: '24.11', source: 'flag' });
    expect(doc.attrs).toContain('xorg.libX11');
    expect(doc.text).toContain('github:NixOS/nixpkgs/nixos-24.11');
    expect(() => evalShells(join(dir, 'flake.nix'), '24.11')).not.toThrow();
  });
});
