import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyDemo, DEMO, run } from '../e2e/harness.js';

describe('check: exit codes and input errors', () => {
  let dir: string;
  let cleanup: () => void;
  beforeAll(() => ({ dir, cleanup } = copyDemo()));
  afterAll(() => cleanup());

  it('exits 2 without a venv, naming where it looked', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'nixpy-check-empty-'));
    writeFileSync(join(empty, 'flake.nix'), '{ outputs = _: { }; }\n');
    const r = await run(['check'], { cwd: empty });
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^nixpy: no venv found \(looked at .*\.venv, .*\.devenv\/state\/venv\); create one with `uv sync`, or name it on the command line\n$/);
    rmSync(empty, { recursive: true });
  });

  it('finds the venv through $VIRTUAL_ENV and $UV_PROJECT_ENVIRONMENT', async () => {
    const elsewhere = mkdtempSync(join(tmpdir(), 'nixpy-check-cwd-'));
    writeFileSync(join(elsewhere, 'flake.nix'), readFileSync(join(dir, 'flake.nix')));
    const viaActive = await run(['check', '--json'], { cwd: elsewhere, env: { VIRTUAL_ENV: join(dir, '.venv') } });
    expect(JSON.parse(viaActive.out).venv).toBe(join(dir, '.venv'));
    const viaUv = await run(['check', '--json'], { cwd: elsewhere, env: { UV_PROJECT_ENVIRONMENT: join(dir, '.venv') } });
    expect(JSON.parse(viaUv.out).venv).toBe(join(dir, '.venv'));
    rmSync(elsewhere, { recursive: true });
  });

  it('exits 2 without a Nix file', async () => {
    const p = mkdtempSync(join(tmpdir(), 'nixpy-check-nonix-'));
    mkdirSync(join(p, '.venv', 'lib', 'python3.12', 'site-packages'), { recursive: true });
    const r = await run(['check', '--project', p]);
    expect(r.code).toBe(2);
    expect(r.err).toContain('no Nix file');
    expect(r.err).toContain('nixpy init');
    rmSync(p, { recursive: true });
  });

  it('exits 2 on a Nix file that does not parse, leaving it untouched', async () => {
    const bad = join(dir, 'broken.nix');
    writeFileSync(bad, '{ pkgs }: pkgs.mkShell { LD_LIBRARY_PATH = pkgs.lib.makeLibraryPath [ pkgs.zlib ;\n');
    const r = await run(['check', '--project', dir, '--flake', bad]);
    expect(r.code).toBe(2);
    expect(r.err.split('\n')).toHaveLength(2);
    expect(r.err).toContain('broken.nix');
    const d = await run(['doctor', '--project', dir, '--flake', bad, '--fix']);
    expect(d.code).toBe(2);
    expect(readFileSync(bad, 'utf8')).toBe('{ pkgs }: pkgs.mkShell { LD_LIBRARY_PATH = pkgs.lib.makeLibraryPath [ pkgs.zlib ;\n');
  });

  it('exits 2 on bad [tool.nixpy] configuration, naming the key', async () => {
    const pyproject = join(dir, 'pyproject.toml');
    const saved = readFileSync(pyproject, 'utf8');
    try {
      writeFileSync(pyproject, saved.replace('ignore = []', 'ignored = []'));
      let r = await run(['check', '--project', dir]);
      expect(r.code).toBe(2);
      expect(r.err).toBe(`nixpy: ${pyproject}: unknown key [tool.nixpy] ignored (known: ignore, extra, nix-file, env, nixpkgs, runtime-ignore)\n`);
      writeFileSync(pyproject, saved.replace('ignore = []', 'ignore = "libacme.so.2"'));
      r = await run(['doctor', '--project', dir]);
      expect(r.code).toBe(2);
      expect(r.err).toContain('[tool.nixpy] ignore must be a list of strings');
      writeFileSync(pyproject, saved.replace('ignore = []', 'env = "fedora"'));
      r = await run(['init', '--project', dir]);
      expect(r.code).toBe(2);
      expect(r.err).toContain('[tool.nixpy] env must be "nixos" or "host"');
      writeFileSync(pyproject, '[tool.nixpy\n');
      r = await run(['check', '--project', dir]);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(/pyproject\.toml:1:\d+: /);
    } finally {
      writeFileSync(pyproject, saved);
    }
  });

  it('honours [tool.nixpy] extra, nix-file and env', async () => {
    const pyproject = join(dir, 'pyproject.toml');
    const saved = readFileSync(pyproject, 'utf8');
    try {
      mkdirSync(join(dir, 'nix'), { recursive: true });
      writeFileSync(join(dir, 'nix', 'shell.nix'), readFileSync(join(dir, 'flake.nix')));
      writeFileSync(
        pyproject,
        saved.replace('ignore = []', 'ignore = ["libacme.so.2"]\nextra = ["ffmpeg"]\nnix-file = "nix/shell.nix"\nenv = "host"'),
      );
      const r = await run(['check', '--project', dir, '--json']);
      const doc = JSON.parse(r.out);
      expect(r.code).toBe(1);
      expect(doc.nixFile).toBe(join(dir, 'nix', 'shell.nix'));
      expect(doc.env).toBe('host');
      expect(doc.extraMissing).toEqual(['ffmpeg']);
      expect(doc.add).toContain('ffmpeg');
      // `nixpy fix` reads the same [tool.nixpy]: the extra attribute needs no --add.
      expect(doc.command).toBe(`nixpy fix --project ${dir}`);
      // --env on the command line wins over the file.
      const n = JSON.parse((await run(['check', '--project', dir, '--json', '--env', 'nixos'])).out);
      expect(n.env).toBe('nixos');
    } finally {
      writeFileSync(pyproject, saved);
      rmSync(join(dir, 'nix'), { recursive: true, force: true });
    }
  });

  it('ignores the current LD_LIBRARY_PATH (it judges the file), unless told', async () => {
    // A shell whose library path happens to hold a libGL must not hide that the flake lacks it.
    const r = await run(['check', '--project', dir, '--json'], { env: { LD_LIBRARY_PATH: '/usr/lib/x86_64-linux-gnu' } });
    expect(JSON.parse(r.out).missing.map((m: { soname: string }) => m.soname)).toContain('libGL.so.1');
    const zlibDir = ['/usr/lib/x86_64-linux-gnu', '/lib/x86_64-linux-gnu', '/usr/lib64', '/lib64'].find((d) => existsSync(join(d, 'libz.so.1')));
    expect(zlibDir, 'this machine has zlib').toBeDefined();
    const told = await run(['check', '--project', dir, '--json', '--ld-library-path', zlibDir!]);
    const sonames = JSON.parse(told.out).missing.map((m: { soname: string }) => m.soname);
    expect(sonames).not.toContain('libz.so.1');
  });
});

describe('a rejected command line writes nothing', () => {
  it('doctor --fix --env bogus: exit 2, flake untouched', async () => {
    const { dir, cleanup } = copyDemo();
    try {
      const before = readFileSync(join(dir, 'flake.nix'), 'utf8');
      const r = await run(['doctor', '--project', dir, '--fix', '--env', 'bogus']);
      expect(r.code).toBe(2);
      expect(readFileSync(join(dir, 'flake.nix'), 'utf8')).toBe(before);
    } finally {
      cleanup();
    }
  });
});

describe('check: which venv it judges', () => {
  it('`check --venv DIR` on a directory that is no venv exits 2 with one line', async () => {
    const d = mkdtempSync(join(tmpdir(), 'nixpy-check-notvenv-'));
    writeFileSync(join(d, 'flake.nix'), '{ outputs = _: { }; }\n');
    mkdirSync(join(d, 'data'));
    const r = await run(['check', '--venv', 'data'], { cwd: d });
    expect(r.code).toBe(2);
    expect(r.err).toBe('nixpy: data: not a venv (no pyvenv.cfg, no lib/python*/site-packages) (--venv)\n');
    writeFileSync(join(d, 'file'), 'x');
    const f = await run(['check', '--venv', 'file'], { cwd: d });
    expect([f.code, f.err]).toEqual([2, 'nixpy: file: not a directory (--venv)\n']);
    rmSync(d, { recursive: true });
  });

  it('VIRTUAL_ENV of another project does not replace the one --project names', async () => {
    const p = mkdtempSync(join(tmpdir(), 'nixpy-check-novenv-'));
    writeFileSync(join(p, 'flake.nix'), '{ outputs = _: { }; }\n');
    const r = await run(['check', '--project', p], { env: { VIRTUAL_ENV: join(DEMO, '.venv') } });
    expect(r.code).toBe(2);
    expect(r.err).toContain(`$VIRTUAL_ENV (${join(DEMO, '.venv')}) is outside ${p}`);
    rmSync(p, { recursive: true });
  });
});

describe('check: [tool.nixpy] ignore patterns', () => {
  it('a glob in ignore leaves out every soname it matches', async () => {
    const { dir, cleanup } = copyDemo();
    const pyproject = join(dir, 'pyproject.toml');
    writeFileSync(pyproject, readFileSync(pyproject, 'utf8').replace('ignore = []', 'ignore = ["libacm?.so.*", "libX*.so.6"]'));
    const r = JSON.parse((await run(['check', '--project', dir, '--json'])).out);
    expect(r.ignored).toEqual(['libX11.so.6', 'libacme.so.2']);
    expect(r.missing.map((m: { soname: string }) => m.soname)).not.toContain('libacme.so.2');
    expect(r.config).toBe(pyproject);
    cleanup();
  });
});

describe('[tool.nixpy] ignore entries that match nothing', () => {
  it('are named in check and doctor, and in their JSON', async () => {
    const { dir, cleanup } = copyDemo();
    try {
      const pyproject = join(dir, 'pyproject.toml');
      writeFileSync(pyproject, readFileSync(pyproject, 'utf8').replace('ignore = []', 'ignore = ["libacme.*", "libnothere_*.so.9"]'));
      const check = await run(['check', '--project', dir, '--json']);
      const doc = JSON.parse(check.out);
      expect(doc.ignored).toEqual(['libacme.so.2']);
      expect(doc.ignoreUnused).toEqual(['libnothere_*.so.9']);
      expect((await run(['check', '--project', dir])).out).toContain('[tool.nixpy] ignore: "libnothere_*.so.9" matches nothing the venv is missing');
      expect((await run(['doctor', '--project', dir])).out).toContain('"libnothere_*.so.9" matches nothing');
    } finally {
      cleanup();
    }
  });
});
