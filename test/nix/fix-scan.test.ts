import { afterEach, beforeEach, expect, it } from 'vitest';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describeWithTool } from '../helpers/tools.js';
import { nixParseFile } from '../helpers/nix.js';
import { dirsOfVar, evalShells, libraryDirsOf } from '../helpers/nix-eval.js';
import { runCli } from '../helpers/fix-cli.js';
import { scanVenv } from '../../src/scan/index.js';
import { classify } from '../helpers/classify.js';
import { loadIndex, resolveSoname } from '../../src/nixpkgs/index.js';
import type { FixReport } from '../../src/plan/fix.js';
import { DRIVER_ELEMENT } from '../../src/nixpkgs/attrs.js';

/**
 * `nixpy fix` without --add, on the demo project (fixtures/demo: a flake with `libs = [ zlib ]`
 * and a .venv of real ELF objects needing libstdc++, zlib, libGL, libX11, libcuda, a venv-shipped
 * libcudart and an unknown vendor library).
 */

const demo = fileURLToPath(new URL('../../fixtures/demo', import.meta.url));
const venv = join(demo, '.venv');

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'nixpy-fixscan-'));
  cpSync(join(demo, 'flake.nix'), join(dir, 'flake.nix'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describeWithTool('nix-instantiate', 'nixpy fix from a venv scan', () => {
  it('adds the resolver picks and the driver dir, reports the rest, exit 1 for the unknown soname', async () => {
    const { result } = await scanVenv(venv, { classify, env: 'nixos' });
    const index = loadIndex({ env: {} });
    const packages = result.missing.filter((m) => m.category === 'package');
    expect(packages.length).toBeGreaterThan(0);
    const picks = packages.map((m) => resolveSoname(m.soname, index, { preferAttrs: ['zlib'] }).candidates[0]!.attr);

    const r = await runCli(['fix', '--venv', venv, '--json'], dir, { HOME: dir });
    expect(r.stderr).toBe('');
    const doc = JSON.parse(r.stdout) as FixReport;
    expect(doc.from).toBe('scan');
    expect([...doc.added, ...doc.present].filter((a) => a !== DRIVER_ELEMENT).sort()).toEqual([...new Set(picks)].sort());
    expect(doc.added).toContain(DRIVER_ELEMENT);
    expect(doc.present).toContain('zlib');
    expect(doc.driverPath).toBe(true);
    expect(doc.reasons[DRIVER_ELEMENT]).toEqual(['libcuda.so.1']);
    expect(doc.unresolved.map((u) => u.soname)).toEqual(
      result.missing.filter((m) => m.category === 'unknown').map((m) => m.soname),
    );
    expect(doc.notes.map((n) => n.soname)).toEqual(result.missing.filter((m) => m.category === 'venv').map((m) => m.soname));
    expect(r.code).toBe(doc.unresolved.length > 0 || doc.unplaced.length > 0 ? 1 : 0);

    const f = join(dir, 'flake.nix');
    expect(nixParseFile(f).ok).toBe(true);
    const shell = evalShells(f).default!;
    const dirs = dirsOfVar(shell, 'LD_LIBRARY_PATH');
    for (const d of [...libraryDirsOf(picks), '/run/opengl-driver/lib']) expect(dirs).toContain(d);

    // Run again: everything is covered now, nothing changes.
    const text = readFileSync(f, 'utf8');
    const again = await runCli(['fix', '--venv', venv, '--json'], dir, { HOME: dir });
    const doc2 = JSON.parse(again.stdout) as FixReport;
    expect(doc2.changed).toBe(false);
    expect(doc2.added).toEqual([]);
    expect(readFileSync(f, 'utf8')).toBe(text);
  });

  it('human report: each addition with the soname behind it, the unknown soname, the venv note', async () => {
    const r = await runCli(['fix', '--venv', venv], dir, { HOME: dir });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^added to flake\.nix:$/m);
    expect(r.stdout).toMatch(/^ {2}\+ libGL \(libGL\.so\.1\)$/m);
    expect(r.stdout).toMatch(/^ {2}\+ addDriverRunpath\.driverLink \(GPU driver directory \/run\/opengl-driver\/lib, libcuda\.so\.1\)$/m);
    expect(r.stdout).toMatch(/^already present: .*\bzlib\b/m);
    expect(r.stdout).toMatch(/^no attribute for:\n {2}\? libacme\.so\.2 \(unknown\): /m);
    expect(r.stdout).toMatch(/^note: libcudart\.so\.12: shipped inside the venv/m);
  });

  it('uses $VIRTUAL_ENV when --venv is not given', async () => {
    const r = await runCli(['fix', '--dry-run', '--json'], dir, { VIRTUAL_ENV: venv, HOME: dir });
    const doc = JSON.parse(r.stdout) as FixReport;
    expect(doc.venv).toBe(venv);
    expect(doc.written).toBe(false);
    expect(doc.diff).toMatch(/^\+.*libGL/m);
    expect(readFileSync(join(dir, 'flake.nix'), 'utf8')).toBe(readFileSync(join(demo, 'flake.nix'), 'utf8'));
  });
});
