import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO } from '../e2e/harness.js';

/**
 * `npm pack` yields a working package: the tarball, installed into an empty directory, runs
 * `nixpy --version` and `nixpy doctor` on the demo project it carries. The CLI is one bundle
 * (scripts/bundle.mjs) with no runtime dependency, so the install is offline and nothing but the
 * tarball's own files can make it work.
 */
const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { name: string; version: string };


function sh(cmd: string, args: string[], cwd: string): SpawnSyncReturns<string> {
  return spawnSync(cmd, args, { cwd, encoding: 'utf8', env: { ...process.env, npm_config_fund: 'false', npm_config_audit: 'false', npm_config_update_notifier: 'false' } });
}

describe('npm pack', () => {
  let base: string;
  let tarball: string;
  let files: string[];
  let installDir: string;

  beforeAll(() => {
    expect(existsSync(join(REPO, 'dist/bundle/main.js')), 'run `npm run build` first').toBe(true);
    base = mkdtempSync(join(tmpdir(), 'nixpy-pack-'));
    // --ignore-scripts: `npm test` has just built dist/; prepare would only build it again.
    const packed = sh('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', base], REPO);
    expect(packed.status, packed.stderr).toBe(0);
    const info = JSON.parse(packed.stdout) as { filename: string; files: { path: string }[] }[];
    tarball = join(base, info[0]!.filename);
    files = info[0]!.files.map((f) => f.path);

    installDir = join(base, 'app');
    mkdirSync(installDir);
    writeFileSync(join(installDir, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', private: true }));
    const inst = sh('npm', ['install', '--offline', '--ignore-scripts', '--no-save', tarball], installDir);
    expect(inst.status, inst.stderr).toBe(0);
  });
  afterAll(() => rmSync(base, { recursive: true, force: true }));

  it('ships the built CLI, the data, the demo project, and no sources or tests', () => {
    for (const f of ['bin/nixpy.js', 'dist/bundle/main.js', 'package.json', 'README.md', 'fixtures/demo/flake.nix', 'fixtures/demo/pyproject.toml']) {
      expect(files).toContain(f);
    }
    expect(files.some((f) => f.startsWith('data/'))).toBe(true);
    expect(files).toContain('fixtures/demo/.venv/lib/python3.12/site-packages/fastzip/_core.cpython-312-x86_64-linux-gnu.so');
    expect(files.filter((f) => f.startsWith('src/') || f.startsWith('test/') || f.startsWith('node_modules/'))).toEqual([]);
  });

  it("ships every file the README links to (npm shows the tarball's README)", () => {
    const readme = readFileSync(join(REPO, 'README.md'), 'utf8');
    const links = [...readme.matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)].map((m) => m[1]!).filter((l) => !/^[a-z]+:/.test(l));
    expect(links.length).toBeGreaterThan(0);
    for (const l of links) expect(files, l).toContain(l);
  });

  it('installs and runs `nixpy --version`', () => {
    const r = spawnSync(join(installDir, 'node_modules/.bin/nixpy'), ['--version'], { cwd: installDir, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe(pkg.version);
  });

  it('runs `nixpy doctor` on the demo it carries', () => {
    const demo = join(installDir, 'node_modules', pkg.name, 'fixtures/demo');
    const env = { ...process.env };
    delete env.VIRTUAL_ENV;
    delete env.LD_LIBRARY_PATH;
    env.XDG_CACHE_HOME = join(base, 'no-cache');
    const r = spawnSync(process.execPath, [join(installDir, 'node_modules', pkg.name, 'bin/nixpy.js'), 'doctor', '--project', demo, '--json'], {
      cwd: installDir,
      encoding: 'utf8',
      env,
    });
    expect(r.status, r.stderr).toBe(1);
    const doc = JSON.parse(r.stdout);
    expect(doc.scan.objects).toBe(6);
    expect(doc.libraries.map((l: { soname: string }) => l.soname)).toContain('libGL.so.1');
    expect(doc.patch.changed).toBe(true);
  });

  it('installs nothing beside itself: the bundle holds every dependency', () => {
    const manifest = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
    expect(manifest.dependencies ?? {}).toEqual({});
    expect(readdirSync(join(installDir, 'node_modules')).sort()).toEqual(['.bin', '.package-lock.json', pkg.name].sort());
  });
});
