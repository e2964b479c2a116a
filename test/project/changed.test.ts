import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO, run } from '../e2e/harness.js';
import { projectsOfFiles } from '../../src/project/changed.js';

/**
 * A monorepo as the pre-commit hook sees it: the changed files, relative to the repository
 * root, mapped to the projects that own them.
 */
describe('the projects changed files belong to', () => {
  let top: string;
  beforeAll(() => {
    top = mkdtempSync(join(tmpdir(), 'nixpy-mono-'));
    const files: Record<string, string> = {
      'pyproject.toml': '[project]\nname = "top"\n',
      'nix/shell.nix': '{ }\n',
      'services/api/flake.nix': '{ }\n',
      'services/api/uv.lock': '',
      'services/worker/requirements-dev.txt': '',
      'services/worker/nix/devenv.nix': '{ }\n',
      'infra/flake.nix': '{ }\n',
    };
    for (const [f, text] of Object.entries(files)) {
      mkdirSync(join(top, f, '..'), { recursive: true });
      writeFileSync(join(top, f), text);
    }
    mkdirSync(join(top, 'tools', 'gen', '.devenv', 'state', 'venv'), { recursive: true });
    writeFileSync(join(top, 'tools', 'gen', 'devenv.nix'), '{ }\n');
  });
  afterAll(() => rmSync(top, { recursive: true, force: true }));

  it('maps each file to the nearest project directory above it, each project once', () => {
    const r = projectsOfFiles(
      ['services/api/flake.nix', 'nix/shell.nix', 'services/api/uv.lock', 'services/worker/nix/devenv.nix', 'tools/gen/devenv.nix', 'pyproject.toml'],
      top,
    );
    expect(r.projects).toEqual([join(top, 'services/api'), top, join(top, 'services/worker'), join(top, 'tools/gen')]);
    expect(r.outside).toEqual([]);
  });

  it('a Nix file in no Python project is left out, not judged as one', () => {
    const bare = mkdtempSync(join(tmpdir(), 'nixpy-bare-'));
    mkdirSync(join(bare, 'infra'));
    writeFileSync(join(bare, 'infra', 'flake.nix'), '{ }\n');
    expect(projectsOfFiles(['infra/flake.nix'], bare)).toEqual({ projects: [], outside: ['infra/flake.nix'] });
    rmSync(bare, { recursive: true });
  });
});

describe('check FILES: the hook in a monorepo', () => {
  let top: string;
  beforeAll(() => {
    top = mkdtempSync(join(tmpdir(), 'nixpy-mono-check-'));
    cpSync(DEMO, join(top, 'apps', 'demo'), { recursive: true, verbatimSymlinks: true });
    mkdirSync(join(top, 'apps', 'novenv'), { recursive: true });
    writeFileSync(join(top, 'apps', 'novenv', 'pyproject.toml'), '[project]\nname = "novenv"\n');
    writeFileSync(join(top, 'apps', 'novenv', 'flake.nix'), '{ outputs = _: { }; }\n');
    mkdirSync(join(top, 'infra'));
    writeFileSync(join(top, 'infra', 'shell.nix'), '{ }\n');
  });
  afterAll(() => rmSync(top, { recursive: true, force: true }));

  it('judges a nested project with its own venv from the repository root', async () => {
    const r = await run(['check', 'apps/demo/flake.nix', 'apps/demo/pyproject.toml', 'infra/shell.nix'], { cwd: top });
    expect(r.err).toBe('');
    expect(r.code).toBe(1);
    expect(r.out.split('\n')[0]).toBe('nixpy check: apps/demo/flake.nix does not cover the native libraries of apps/demo/.venv:');
    expect(r.out.match(/^nixpy check:/gm)).toHaveLength(1);
  });

  it('a project without a venv is bad input for that project only; the exit code is the worst', async () => {
    const r = await run(['check', 'apps/novenv/flake.nix', 'apps/demo/flake.nix'], { cwd: top });
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^nixpy: apps\/novenv: no venv found \(looked at .*apps\/novenv\/\.venv/);
    expect(r.out).toContain('nixpy check: apps/demo/flake.nix does not cover');
    const j = JSON.parse((await run(['check', '--json', 'apps/novenv/flake.nix', 'apps/demo/flake.nix', 'infra/shell.nix'], { cwd: top })).out);
    expect(j.ok).toBe(false);
    expect(j.outside).toEqual(['infra/shell.nix']);
    expect(j.projects.map((p: { project: string }) => p.project)).toEqual([join(top, 'apps/novenv'), join(top, 'apps/demo')]);
    expect(j.projects[0].error).toContain('no venv found');
    expect(j.projects[1].missing.length).toBeGreaterThan(0);
  });

  it('files that belong to no Python project: nothing to judge, exit 0 and silent', async () => {
    const r = await run(['check', 'infra/shell.nix'], { cwd: top });
    expect([r.code, r.out, r.err]).toEqual([0, '', '']);
  });

  it('--project wins over the file names (`args: [--project DIR]` in the hook config)', async () => {
    const r = await run(['check', '--project', 'apps/demo', 'infra/shell.nix', 'apps/novenv/flake.nix'], { cwd: top });
    expect(r.code).toBe(1);
    expect(r.err).toBe('');
    expect(r.out).toContain('apps/demo/flake.nix does not cover');
  });
});
