import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { locateProject, reloadAdvice } from '../../src/project/project.js';

describe('locating the project', () => {
  let root: string;
  let other: string;
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'nixpy-project-'));
    mkdirSync(join(root, '.venv'));
    mkdirSync(join(root, 'envs', 'dev'), { recursive: true });
    writeFileSync(join(root, 'shell.nix'), '{ }\n');
    other = mkdtempSync(join(tmpdir(), 'nixpy-active-'));
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
    expect(p.venvTried).toEqual([join(other, '.venv')]);
  });

  it('tells how to reload for each kind of file and shell', () => {
    expect(reloadAdvice(other, join(other, 'flake.nix'), false)).toBe('enter the shell with `nix develop`');
    expect(reloadAdvice(other, join(other, 'devenv.nix'), true)).toBe('leave the shell and run `devenv shell` again');
    expect(reloadAdvice(other, join(other, 'shell.nix'), true)).toBe('leave the shell and run `nix-shell` again');
    writeFileSync(join(other, '.envrc'), 'use flake\n');
    expect(reloadAdvice(other, join(other, 'flake.nix'), true)).toBe('run `direnv reload`');
  });
});
