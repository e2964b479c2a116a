import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { nixParseFile } from '../helpers/nix.js';
import { dirsOfVar, evalShells, libraryDirsOf } from '../helpers/nix-eval.js';
import { describeWithTool } from '../helpers/tools.js';
import { copyDemo, demoPicks, run } from '../e2e/harness.js';

const P = demoPicks();

describeWithTool('nix-instantiate', 'doctor: project shapes', () => {
  let dir: string;
  let cleanup: () => void;
  beforeAll(() => {
    ({ dir, cleanup } = copyDemo());
    rmSync(join(dir, 'flake.nix'));
  });
  afterAll(() => cleanup());

  it('without a Nix file: reports, and points at nixpy init', async () => {
    const r = await run(['doctor', '--project', dir]);
    expect(r.code).toBe(1);
    expect(r.out).toContain('Nix file: none');
    expect(r.out).toContain(`nixpy init writes a flake.nix with these libraries: ${[P.libGL, P.libX11, P.libstdcxx, P.zlib].join(', ')}.`);
    const j = JSON.parse((await run(['doctor', '--project', dir, '--json'])).out);
    expect(j).toMatchObject({ nixFile: null, nix: null, patch: null, reload: null });
  });

  it('a shell.nix without any library path gets one from --fix', async () => {
    const shell = join(dir, 'shell.nix');
    writeFileSync(shell, '{ pkgs ? import <nixpkgs> { } }:\n\npkgs.mkShell {\n  packages = [ pkgs.python312 pkgs.uv ];\n}\n');
    try {
      const r = await run(['doctor', '--project', dir, '--fix', '--json']);
      const doc = JSON.parse(r.out);
      expect(doc.patch).toMatchObject({ applied: true, createdLibraryPath: true });
      expect(doc.reload).toBe('enter the shell with `nix-shell`');
      expect(nixParseFile(shell).ok).toBe(true);
      const dirs = dirsOfVar(evalShells(shell).default!, 'LD_LIBRARY_PATH');
      for (const d of libraryDirsOf([P.libGL, P.libX11, P.libstdcxx, P.zlib])) expect(dirs).toContain(d);
      expect(dirs).toContain('/run/opengl-driver/lib');
      const patched = readFileSync(shell, 'utf8');
      const again = await run(['doctor', '--project', dir, '--fix']);
      expect(again.code).toBe(1); // libacme.so.2 remains unknown
      expect(readFileSync(shell, 'utf8')).toBe(patched);
      expect(again.out).not.toContain('Updated');
    } finally {
      rmSync(shell);
    }
  });

  it('--no-stdin does not read stdin; empty stdin counts as no error', async () => {
    const text = 'ImportError: libGL.so.1: cannot open shared object file: No such file or directory\n';
    const skipped = JSON.parse((await run(['doctor', '--project', dir, '--json', '--no-stdin'], { stdin: text })).out);
    expect(skipped.input.source).toBe('scan');
    const empty = JSON.parse((await run(['doctor', '--project', dir, '--json'], { stdin: '  \n' })).out);
    expect(empty.input.source).toBe('scan');
  });

  it('bad paths are input errors (exit 2, one line)', async () => {
    for (const argv of [
      ['doctor', '--project', join(dir, 'nope')],
      ['doctor', '--project', dir, '--venv', join(dir, 'nope')],
      ['doctor', '--project', dir, '--flake', join(dir, 'nope.nix')],
    ]) {
      const r = await run(argv);
      expect(r.code, argv.join(' ')).toBe(2);
      expect(r.err).toMatch(/^nixpy: [^\n]+\n$/);
      expect(r.out).toBe('');
    }
  });
});

describeWithTool('nix-instantiate', 'doctor runs no code from the venv', () => {
  it('scans without executing the venv python, unless given a command', async () => {
    const { dir, cleanup } = copyDemo();
    try {
      const marker = join(dir, 'executed');
      const bin = join(dir, '.venv', 'bin');
      mkdirSync(bin, { recursive: true });
      for (const name of ['python', 'python3']) {
        writeFileSync(join(bin, name), `#!/bin/sh\ntouch '${marker}'\n`, { mode: 0o755 });
      }
      const env = { PATH: `${bin}:${process.env.PATH}`, VIRTUAL_ENV: join(dir, '.venv') };
      await run(['doctor', '--project', dir], { env });
      await run(['doctor', '--project', dir, '--fix'], { env, stdin: 'ImportError: libGL.so.1: cannot open shared object file\n' });
      await run(['check', '--project', dir], { env });
      expect(existsSync(marker)).toBe(false);
      // With a command, exactly that command runs.
      await run(['doctor', '--project', dir, '--', 'python', '-c', 'import imgview'], { env });
      expect(existsSync(marker)).toBe(true);
    } finally {
      cleanup();
    }
  });
});
