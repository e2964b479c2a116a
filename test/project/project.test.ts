import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { isVenvDir, locateProject, noVenvError, reloadAdvice } from '../../src/project/project.js';

/** A venv as `python -m venv` leaves it: pyvenv.cfg and an empty site-packages. */
function makeVenv(dir: string): string {
  mkdirSync(join(dir, 'lib', 'python3.12', 'site-packages'), { recursive: true });
  writeFileSync(join(dir, 'pyvenv.cfg'), 'home = /usr/bin\ninclude-system-site-packages = false\nversion = 3.12.3\n');
  return dir;
}

describe('locating the project', () => {
  let root: string;
  let other: string;
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'nixpy-project-'));
    makeVenv(join(root, '.venv'));
    makeVenv(join(root, 'envs', 'dev'));
    writeFileSync(join(root, 'shell.nix'), '{ }\n');
    other = makeVenv(mkdtempSync(join(tmpdir(), 'nixpy-active-')));
  });
  afterAll(() => {
    rmSync(root, { recursive: true, force: true });
    rmSync(other, { recursive: true, force: true });
  });

  it('defaults to ./.venv and the Nix file of the working directory', async () => {
    const p = await locateProject({ cwd: root, env: {} });
    expect(p).toMatchObject({ root, venv: join(root, '.venv'), venvSource: '.venv', nixFile: join(root, 'shell.nix') });
  });

  it('prefers the active venv, then UV_PROJECT_ENVIRONMENT (relative to the project)', async () => {
    expect((await locateProject({ cwd: root, env: { VIRTUAL_ENV: other, UV_PROJECT_ENVIRONMENT: 'envs/dev' } })).venv).toBe(other);
    const uv = await locateProject({ cwd: root, env: { UV_PROJECT_ENVIRONMENT: 'envs/dev' } });
    expect(uv).toMatchObject({ venv: join(root, 'envs', 'dev'), venvSource: 'UV_PROJECT_ENVIRONMENT' });
    // A stale $VIRTUAL_ENV that no longer exists falls through to the next candidate.
    expect((await locateProject({ cwd: root, env: { VIRTUAL_ENV: join(other, 'gone') } })).venvSource).toBe('.venv');
  });

  it('an explicit --project wins over the active venv; --venv wins over everything', async () => {
    const p = await locateProject({ cwd: other, env: { VIRTUAL_ENV: other }, project: root });
    expect(p).toMatchObject({ root, venv: join(root, '.venv'), venvSource: '--project' });
    const v = await locateProject({ cwd: other, env: { VIRTUAL_ENV: other }, project: root, venv: join(root, 'envs/dev') });
    expect(v.venvSource).toBe('--venv');
  });

  it('reports no venv and no Nix file as nulls (the commands decide)', async () => {
    const p = await locateProject({ cwd: other, env: {} });
    expect(p).toMatchObject({ venv: null, nixFile: null });
    expect(p.venvTried).toEqual([join(other, '.venv'), join(other, '.devenv/state/venv')]);
  });

  it('tells how to reload for each kind of file and shell', () => {
    expect(reloadAdvice(other, join(other, 'flake.nix'), false)).toBe('enter the shell with `nix develop`');
    expect(reloadAdvice(other, join(other, 'devenv.nix'), true)).toBe('leave the shell and run `devenv shell` again');
    expect(reloadAdvice(other, join(other, 'shell.nix'), true)).toBe('leave the shell and run `nix-shell` again');
    writeFileSync(join(other, '.envrc'), 'use flake\n');
    expect(reloadAdvice(other, join(other, 'flake.nix'), true)).toBe('run `direnv reload`');
  });
});

describe('which venv, and whether it is one', () => {
  let base: string;
  beforeAll(() => {
    base = mkdtempSync(join(tmpdir(), 'nixpy-venvs-'));
  });
  afterAll(() => rmSync(base, { recursive: true, force: true }));

  const dir = (...parts: string[]): string => {
    const d = join(base, ...parts);
    mkdirSync(d, { recursive: true });
    return d;
  };
  const inputError = async (p: Promise<unknown>): Promise<string> => {
    const err = await p.then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(InputError);
    return (err as InputError).message;
  };

  it('an explicit --project is not judged by another project\'s active venv', async () => {
    const proj = dir('p1');
    const active = makeVenv(dir('elsewhere'));
    const p = await locateProject({ cwd: base, env: { VIRTUAL_ENV: active }, project: proj });
    expect(p.venv).toBeNull();
    expect(p.venvPassedOver).toBe(active);
    expect(noVenvError(p).message).toContain(`$VIRTUAL_ENV (${active}) is outside ${proj}: pass --venv`);
    // An active venv inside the project is the project's own: it counts.
    const inner = makeVenv(dir('p1', 'venvs', 'py312'));
    expect(await locateProject({ cwd: base, env: { VIRTUAL_ENV: inner }, project: proj })).toMatchObject({ venv: inner, venvSource: 'VIRTUAL_ENV' });
  });

  it("finds devenv's venv (.devenv/state/venv) after .venv", async () => {
    const proj = dir('devenv-proj');
    writeFileSync(join(proj, 'devenv.nix'), '{ pkgs, ... }: { languages.python.venv.enable = true; }\n');
    const venv = makeVenv(dir('devenv-proj', '.devenv', 'state', 'venv'));
    expect(await locateProject({ cwd: proj, env: {} })).toMatchObject({ venv, venvSource: '.devenv/state/venv', nixFile: join(proj, 'devenv.nix') });
    expect(await locateProject({ cwd: base, env: {}, project: proj })).toMatchObject({ venv });
    const dotVenv = makeVenv(dir('devenv-proj', '.venv'));
    expect((await locateProject({ cwd: proj, env: {} })).venv).toBe(dotVenv);
  });

  it('a directory with neither pyvenv.cfg nor site-packages is not a venv (exit 2)', async () => {
    const notVenv = dir('just-a-dir', 'bin');
    const msg = await inputError(locateProject({ cwd: base, env: {}, venv: join(base, 'just-a-dir') }));
    expect(msg).toMatch(/just-a-dir: not a venv \(no pyvenv\.cfg, no lib\/python\*\/site-packages\) \(--venv\)$/);
    expect(isVenvDir(notVenv)).toBe(false);
    // An empty .venv found by default is no venv either, and says where it came from.
    const proj = dir('empty-dotvenv');
    dir('empty-dotvenv', '.venv');
    expect(await inputError(locateProject({ cwd: proj, env: {} }))).toContain('.venv: not a venv');
  });

  it('site-packages alone makes a venv (conda environments, PyPy, Windows layouts)', () => {
    expect(isVenvDir(dir('conda', 'lib', 'python3.11', 'site-packages').replace(/\/lib\/.*$/, ''))).toBe(true);
    expect(isVenvDir(dir('pypy', 'lib', 'pypy3.10', 'site-packages').replace(/\/lib\/.*$/, ''))).toBe(true);
    expect(isVenvDir(dir('win', 'Lib', 'site-packages').replace(/\/Lib\/.*$/, ''))).toBe(true);
    expect(isVenvDir(dir('nolib', 'lib', 'node_modules').replace(/\/lib\/.*$/, ''))).toBe(false);
  });

  it('--venv FILE and --project FILE say "not a directory"; a missing one "no such directory"', async () => {
    const file = join(base, 'a-file');
    writeFileSync(file, 'x\n');
    expect(await inputError(locateProject({ cwd: base, env: {}, venv: 'a-file' }))).toBe('a-file: not a directory (--venv)');
    expect(await inputError(locateProject({ cwd: base, env: {}, venv: 'gone' }))).toBe('gone: no such directory (--venv)');
    expect(await inputError(locateProject({ cwd: base, env: {}, project: 'a-file' }))).toBe('a-file: not a directory');
  });
});
