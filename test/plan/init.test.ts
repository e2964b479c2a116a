import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { nixParseFile } from '../helpers/nix.js';
import { dirsOfVar, evalShells, libraryDirsOf } from '../helpers/nix-eval.js';
import { describeWithTool } from '../helpers/tools.js';
import { copyDemo, demoPicks, run } from '../e2e/harness.js';

describeWithTool('nix-instantiate', 'init', () => {
  let dir: string;
  let cleanup: () => void;
  beforeAll(() => {
    ({ dir, cleanup } = copyDemo());
    rmSync(join(dir, 'flake.nix'));
  });
  afterAll(() => cleanup());

  it('--dry-run prints the flake and writes nothing', async () => {
    const r = await run(['init', '--project', dir, '--dry-run']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('LD_LIBRARY_PATH = pkgs.lib.makeLibraryPath libs;');
    expect(existsSync(join(dir, 'flake.nix'))).toBe(false);
  });

  it('writes a flake whose libs cover the venv, and check agrees', async () => {
    const r = await run(['init', '--project', dir]);
    expect(r.code).toBe(0);
    expect(r.out).toContain('Wrote');
    const flake = join(dir, 'flake.nix');
    expect(nixParseFile(flake).ok).toBe(true);
    const text = readFileSync(flake, 'utf8');
    expect(text).toContain('packages = [ pkgs.python312 pkgs.uv ];');
    expect(text).toContain('no nixpkgs attribute for: libacme.so.2');
    const dirs = dirsOfVar(evalShells(flake).default!, 'LD_LIBRARY_PATH');
    const P = demoPicks();
    expect(dirs).toEqual([...libraryDirsOf([P.libGL, P.libX11, P.libstdcxx, P.zlib]), '/run/opengl-driver/lib']);
    const c = JSON.parse((await run(['check', '--project', dir, '--json'])).out);
    expect(c.missing.map((m: { soname: string }) => m.soname)).toEqual(['libacme.so.2']);
    expect(c.add).toEqual([]);
    expect(c.driverPath).toBe(false);
  });

  it('refuses (exit 2) when a Nix file exists, leaving it untouched', async () => {
    const flake = join(dir, 'flake.nix');
    const before = readFileSync(flake, 'utf8');
    const r = await run(['init', '--project', dir]);
    expect(r.code).toBe(2);
    expect(r.err).toContain('already exists');
    expect(readFileSync(flake, 'utf8')).toBe(before);
    rmSync(flake);
    for (const name of ['shell.nix', 'devenv.nix']) {
      writeFileSync(join(dir, name), '{ }\n');
      const s = await run(['init', '--project', dir]);
      expect(s.code).toBe(2);
      expect(s.err).toContain(name);
      expect(existsSync(flake)).toBe(false);
      rmSync(join(dir, name));
    }
  });

  it('writes an empty list when there is no venv yet', async () => {
    rmSync(join(dir, '.venv'), { recursive: true });
    const r = await run(['init', '--project', dir, '--json']);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.out);
    expect(doc).toMatchObject({ venv: null, attrs: [], driverPath: false, written: true, python: 'python3' });
    expect(readFileSync(join(dir, 'flake.nix'), 'utf8')).toContain('libs = [ ];');
    expect(nixParseFile(join(dir, 'flake.nix')).ok).toBe(true);
  });
});
