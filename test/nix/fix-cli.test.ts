import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describeWithTool } from '../helpers/tools.js';
import { nixParseFile } from '../helpers/nix.js';
import { loadBadCases, loadCorpus } from '../helpers/nix-corpus.js';
import { runCli } from '../helpers/fix-cli.js';
import { unifiedDiff } from '../../src/nix/diff.js';
import { NixSyntaxError, parseNix } from '../../src/nix/index.js';
import { attrArgument } from '../../src/plan/fix.js';

const corpus = loadCorpus();
const byName = (n: string) => {
  const c = corpus.find((x) => x.name === n);
  if (!c) throw new Error(`no corpus case ${n}`);
  return c;
};

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'nixpy-fixcli-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('--add normalisation', () => {
  it('strips a leading pkgs.', () => {
    expect(attrArgument('pkgs.zlib')).toBe('zlib');
    expect(attrArgument(' stdenv.cc.cc.lib ')).toBe('stdenv.cc.cc.lib');
  });
  it('refuses what is not an attribute path', () => {
    for (const bad of ['', 'foo bar', '../x', 'zlib;', '"zlib"', 'a..b', '${x}']) {
      expect(() => attrArgument(bad), bad).toThrow(/not a nixpkgs attribute path/);
    }
  });
});

describe('nixpy fix: finding the file and bad options', () => {
  it('exit 2 with one line when there is no Nix file', async () => {
    const r = await runCli(['fix', '--add', 'zlib'], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^nixpy: no Nix file found in \. .*\n$/);
    expect(r.stdout).toBe('');
  });

  it('exit 2 for a bad --add, file untouched', async () => {
    const c = byName('flake-plain-let-libs');
    cpSync(c.path, join(dir, 'flake.nix'));
    const r = await runCli(['fix', '--add', 'zlib; rm -rf', '--json'], dir);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(readFileSync(join(dir, 'flake.nix'), 'utf8')).toBe(c.source);
  });

  it('exit 2 when there is neither --add nor a venv to scan', async () => {
    const c = byName('flake-plain-let-libs');
    cpSync(c.path, join(dir, 'flake.nix'));
    const r = await runCli(['fix'], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^nixpy: no venv found \(looked at .*\.venv, .*\.devenv\/state\/venv\)/);
  });

  it('finds shell.nix when there is no flake.nix, and --flake takes a directory', async () => {
    const c = byName('shell-nix-basic');
    mkdirSync(join(dir, 'proj'));
    cpSync(c.path, join(dir, 'proj', 'shell.nix'));
    const r = await runCli(['fix', '--add', 'zlib', '--json'], join(dir, 'proj'));
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).file).toBe(join(dir, 'proj', 'shell.nix'));
    cpSync(c.path, join(dir, 'proj', 'shell.nix'));
    const r2 = await runCli(['fix', '--flake', 'proj', '--add', 'zlib', '--json'], dir);
    expect(r2.code, r2.stderr).toBe(0);
    expect(JSON.parse(r2.stdout).changed).toBe(true);
  });
});

describeWithTool('nix-instantiate', 'nixpy fix: output and dry run', () => {
  it('--dry-run prints the unified diff and writes nothing', async () => {
    const c = byName('flake-plain-let-libs');
    const f = join(dir, 'flake.nix');
    cpSync(c.path, f);
    const r = await runCli(['fix', '--add', 'libGL', '--dry-run'], dir);
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(f, 'utf8')).toBe(c.source);
    expect(r.stdout).toContain('--- a/flake.nix\n+++ b/flake.nix\n@@ ');
    expect(r.stdout).toMatch(/^\+\s+pkgs\.libGL$/m);
    expect(r.stdout).toContain('would add');
    expect(r.stdout).toContain('dry run: flake.nix not written');
    expect(readdirSync(dir)).toEqual(['flake.nix']);
  });

  it('--dry-run --json carries the diff, identical to the one that the write would make', async () => {
    const c = byName('with-pkgs-makelibrarypath');
    const f = join(dir, 'flake.nix');
    cpSync(c.path, f);
    const dry = await runCli(['fix', '--add', 'glib', '--dry-run', '--json'], dir);
    const doc = JSON.parse(dry.stdout) as { diff: string; written: boolean; dryRun: boolean; added: string[] };
    expect(doc.written).toBe(false);
    expect(doc.dryRun).toBe(true);
    expect(doc.added).toEqual(['glib']);
    expect(readFileSync(f, 'utf8')).toBe(c.source);
    const wet = await runCli(['fix', '--add', 'glib', '--json'], dir);
    expect(wet.code).toBe(0);
    expect(unifiedDiff('flake.nix', c.source, readFileSync(f, 'utf8'))).toBe(doc.diff);
  });

  it('human report lists added and already-present attributes', async () => {
    const c = byName('flake-equivalent-spelling');
    cpSync(c.path, join(dir, 'flake.nix'));
    const r = await runCli(['fix', '--add', 'stdenv.cc.cc.lib', '--add', 'libxkbcommon'], dir);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/added to flake\.nix:\n {2}\+ libxkbcommon\n/);
    expect(r.stdout).toContain('already present: stdenv.cc.cc.lib');
  });

  it('nothing to do: exit 0, file byte-identical, says so', async () => {
    const c = byName('all-present');
    const f = join(dir, 'flake.nix');
    cpSync(c.path, f);
    const before = statSync(f).mtimeMs;
    const r = await runCli(['fix', '--add', 'zlib'], dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('already covers everything');
    expect(readFileSync(f, 'utf8')).toBe(c.source);
    expect(statSync(f).mtimeMs).toBe(before);
  });

  it('keeps an unusual file mode', async () => {
    const c = byName('shell-nix-basic');
    const f = join(dir, 'shell.nix');
    cpSync(c.path, f);
    chmodSync(f, 0o600);
    const r = await runCli(['fix', '--add', 'zlib'], dir);
    expect(r.code, r.stderr).toBe(0);
    expect(statSync(f).mode & 0o777).toBe(0o600);
    expect(nixParseFile(f).ok).toBe(true);
  });
});

const UNPLACEABLE = fileURLToPath(new URL('../../fixtures/nix/unplaceable', import.meta.url));

describeWithTool('nix-instantiate', 'nixpy fix: nowhere to put it', () => {
  // A package default.nix, a flake without a dev shell, a library path not built from a list.
  for (const name of readdirSync(UNPLACEABLE).sort()) {
    it(`${name}: exit 1, says why, file untouched`, async () => {
      const fileName = readdirSync(join(UNPLACEABLE, name))[0]!;
      const source = readFileSync(join(UNPLACEABLE, name, fileName), 'utf8');
      expect(nixParseFile(join(UNPLACEABLE, name, fileName)).ok).toBe(true);
      writeFileSync(join(dir, fileName), source);
      const human = await runCli(['fix', '--add', 'zlib', '--add', 'libGL'], dir);
      expect(human.code).toBe(1);
      expect(human.stdout).toMatch(/could not place:\n {2}! zlib: \S/);
      expect(human.stdout).toContain(`${fileName} unchanged`);
      const json = await runCli(['fix', '--add', 'zlib', '--json'], dir);
      expect(json.code).toBe(1);
      const doc = JSON.parse(json.stdout) as { changed: boolean; unplaced: { attr: string; reason: string }[] };
      expect(doc.changed).toBe(false);
      expect(doc.unplaced.map((u) => u.attr)).toEqual(['zlib']);
      expect(readFileSync(join(dir, fileName), 'utf8')).toBe(source);
      expect(readdirSync(dir)).toEqual([fileName]);
    });
  }
});

const badCases = loadBadCases();

describeWithTool('nix-instantiate', 'nixpy fix: unparsable input', () => {
  for (const b of badCases) {
    it(`${b.name}: refused by Nix and by parseNix, exit 2 with file:line:col, file untouched`, async () => {
      const nix = nixParseFile(b.path);
      expect(nix.ok).toBe(false);
      let err: unknown;
      try {
        parseNix(b.source, b.fileName);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(NixSyntaxError);
      const nixLine = /:(\d+):(\d+):?\s*$/m.exec(nix.stderr.split('\n').find((l) => l.includes(' at ')) ?? '');
      if (b.line !== undefined) {
        expect(Number(nixLine?.[1])).toBe(b.line);
        expect((err as NixSyntaxError).line).toBe(b.line);
      }

      const f = join(dir, b.fileName);
      writeFileSync(f, b.source);
      chmodSync(f, 0o644);
      const mtime = statSync(f).mtimeMs;
      const r = await runCli(['fix', '--add', 'zlib'], dir);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      const lines = r.stderr.split('\n').filter((l) => l !== '');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(new RegExp(`^nixpy: ${b.fileName.replace('.', '\\.')}:\\d+:\\d+: \\S`));
      if (b.line !== undefined) expect(lines[0]).toContain(`${b.fileName}:${b.line}:`);
      expect(readFileSync(f, 'utf8')).toBe(b.source);
      expect(statSync(f).mtimeMs).toBe(mtime);
      expect(readdirSync(dir)).toEqual([b.fileName]);

      const json = await runCli(['fix', '--add', 'zlib', '--json'], dir);
      expect(json.code).toBe(2);
      expect(json.stdout).toBe('');
    });
  }
});

const repo = fileURLToPath(new URL('../..', import.meta.url));
const built = (() => {
  try {
    return statSync(join(repo, 'dist/bundle/main.js')).isFile();
  } catch {
    return false;
  }
})();

// `npm test` builds first; a bare `vitest run` without dist/ skips this one visibly.
describeWithTool('nix-instantiate', 'nixpy fix as a process (bin/nixpy.js)', () => {
  it.skipIf(!built)('exit codes and streams of the real binary', () => {
    const c = byName('no-library-path-flake');
    cpSync(c.path, join(dir, 'flake.nix'));
    const ok = spawnSync(process.execPath, [join(repo, 'bin/nixpy.js'), 'fix', '--add', 'zlib', '--json'], { cwd: dir, encoding: 'utf8' });
    expect(ok.status, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout).createdLibraryPath).toBe(true);
    expect(nixParseFile(join(dir, 'flake.nix')).ok).toBe(true);

    writeFileSync(join(dir, 'flake.nix'), '{ outputs = { ... }: { ');
    const bad = spawnSync(process.execPath, [join(repo, 'bin/nixpy.js'), 'fix', '--add', 'zlib'], { cwd: dir, encoding: 'utf8' });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/^nixpy: flake\.nix:1:\d+: .+\n$/);
    expect(bad.stdout).toBe('');
  });
});

describe('library-path sources in the report', () => {
  it('--json lists each source with its role; the human report explains the choice', async () => {
    const c = byName('cuda-passthrough-export');
    cpSync(c.path, join(dir, c.fileName));
    const json = await runCli(['fix', '--flake', c.fileName, '--json', '--dry-run', '--add', 'zlib'], dir);
    expect(json.code).toBe(0);
    const doc = JSON.parse(json.stdout) as { sources: { line: number; kind: string; role: string; driver: boolean; reason: string }[] };
    expect(doc.sources.map((s) => [s.line, s.kind, s.role, s.driver])).toEqual([
      [28, 'list', 'extended', false],
      [37, 'pass-through', 'ignored', true],
    ]);
    const human = await runCli(['fix', '--flake', c.fileName, '--dry-run', '--add', 'zlib'], dir);
    expect(human.stdout).toContain('library path in flake.nix:');
    expect(human.stdout).toMatch(/line 37: pass-through, ignored: an export that keeps \$LD_LIBRARY_PATH/);
  });
});
