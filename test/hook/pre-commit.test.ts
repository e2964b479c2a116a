import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DEMO, REPO, run } from '../e2e/harness.js';
import { describeWithTool } from '../helpers/tools.js';

/**
 * The hook as users get it: Debian's real `pre-commit` installs this repository's hook (a clone
 * of HEAD: what a `rev:` would name) and runs it on a monorepo whose Python project is nested
 * (`services/demo`, the demo venv). Then the install command of pre-commit 4.6.1+ (which the
 * installed 3.x does not run), `npm install -g git+file://CLONE`, by hand.
 *
 * Both install from the npm registry, as pre-commit does: slow, so one generous timeout and no
 * speed assertion.
 */
const SLOW = 15 * 60 * 1000;

function sh(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): SpawnSyncReturns<string> {
  return spawnSync(cmd, args, { cwd, env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
}

function git(args: string[], cwd: string): void {
  const r = sh('git', ['-c', 'user.email=ci@example.invalid', '-c', 'user.name=ci', '-c', 'commit.gpgsign=false', ...args], cwd, process.env);
  expect(r.status, `git ${args.join(' ')}: ${r.stderr}`).toBe(0);
}

describeWithTool('pre-commit', 'the pre-commit hook, installed and run by the real pre-commit', () => {
  let base: string;
  let clone: string;
  let mono: string;
  let env: NodeJS.ProcessEnv;
  beforeAll(() => {
    base = mkdtempSync(join(tmpdir(), 'nixpy-hook-'));
    clone = join(base, 'nixpy');
    git(['clone', '--quiet', REPO, clone], base);
    // A monorepo: nothing Python at the top, the project in services/demo with its own venv.
    mono = join(base, 'mono');
    mkdirSync(join(mono, 'services'), { recursive: true });
    cpSync(DEMO, join(mono, 'services', 'demo'), { recursive: true, verbatimSymlinks: true });
    writeFileSync(join(mono, '.gitignore'), '.venv/\n');
    writeFileSync(join(mono, 'README.md'), '# services\n');
    git(['init', '--quiet'], mono);
    git(['add', '-A'], mono);
    git(['commit', '--quiet', '-m', 'init'], mono);
    env = { ...process.env, PRE_COMMIT_HOME: join(base, 'pre-commit-home'), XDG_CACHE_HOME: join(base, 'cache'), npm_config_update_notifier: 'false' };
    delete env.VIRTUAL_ENV;
    delete env.LD_LIBRARY_PATH;
  });
  afterAll(() => rmSync(base, { recursive: true, force: true }));

  it(
    '`pre-commit try-repo` installs the hook; it fails while libraries are missing and passes once they are covered',
    async () => {
      const before = sh('pre-commit', ['try-repo', clone, 'nixpy-check', '--all-files'], mono, env);
      const out = before.stdout + before.stderr;
      expect(before.status, out).toBe(1);
      // The report is wrapped to the terminal's width (80 under pre-commit): compare it unwrapped.
      expect(out.replace(/\s+/g, ' ')).toContain('nixpy check: services/demo/flake.nix does not cover the native libraries of services/demo/.venv:');
      expect(out).toMatch(/libGL\.so\.1 +add /);
      expect(out).not.toContain('no venv found');

      // Cover them: `nixpy fix` for what nixpkgs ships, [tool.nixpy] ignore for the vendor SDK.
      const project = join(mono, 'services', 'demo');
      const pyproject = join(project, 'pyproject.toml');
      writeFileSync(pyproject, readFileSync(pyproject, 'utf8').replace('ignore = []', 'ignore = ["libacme.so.2"]'));
      const fixed = await run(['fix', '--flake', join(project, 'flake.nix')], { cwd: project });
      expect(fixed.out, fixed.err).toContain('added to flake.nix:');
      git(['commit', '--quiet', '-am', 'cover the native libraries'], mono);

      const after = sh('pre-commit', ['try-repo', clone, 'nixpy-check', '--all-files'], mono, env);
      expect(after.status, after.stdout + after.stderr).toBe(0);
      expect(after.stdout).toMatch(/nixpy check\.+Passed/);
    },
    SLOW,
  );

  it(
    "pre-commit 4.6's install command (`npm install -g git+file://CLONE`) builds a working nixpy",
    () => {
      // pre_commit/languages/node.py (v4.6.2): install_environment, with get_env_patch's
      // variables; the clone has .git and package.json, so the hook repo is installed from git.
      const prefix = join(base, 'node_env');
      const npmEnv: NodeJS.ProcessEnv = { ...env, NPM_CONFIG_PREFIX: prefix, npm_config_prefix: prefix, PATH: `${join(prefix, 'bin')}:${env.PATH ?? ''}` };
      delete npmEnv.NPM_CONFIG_USERCONFIG;
      delete npmEnv.npm_config_userconfig;
      const inst = sh('npm', ['install', '--allow-git=root', '--install-links', '-g', `git+file://${clone}`], base, npmEnv);
      expect(inst.status, inst.stdout + inst.stderr).toBe(0);
      const bin = join(prefix, 'bin', 'nixpy');
      expect(existsSync(bin)).toBe(true);
      const version = sh(bin, ['--version'], base, npmEnv);
      expect(version.stderr).toBe('');
      expect(version.stdout.trim()).toBe((JSON.parse(readFileSync(join(clone, 'package.json'), 'utf8')) as { version: string }).version);
      // The hook's own call: the files pre-commit passes, from the repository root.
      const r = sh(bin, ['check', 'services/demo/flake.nix', 'services/demo/pyproject.toml'], mono, npmEnv);
      expect(r.stderr).toBe('');
      expect(r.status, r.stdout).toBe(0);
    },
    SLOW,
  );
});
