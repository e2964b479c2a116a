import { describe, expect, it, beforeEach, afterEach } from 'vitest';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync, lstatSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findNixFile, readNixFile, writeFileAtomic, displayPath } from '../../src/nix/files.js';
import { changedLines, unifiedDiff } from '../../src/nix/diff.js';
import { InputError } from '../../src/errors.js';
import { Chalk } from 'chalk';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'nixpy-files-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('findNixFile', () => {
  it('prefers flake.nix, then shell.nix, devenv.nix, default.nix', () => {
    for (const n of ['default.nix', 'devenv.nix', 'shell.nix', 'flake.nix']) {
      writeFileSync(join(dir, n), '{ }\n');
      expect(findNixFile(dir)).toBe(join(dir, n));
    }
  });

  it('takes --flake as a file or a directory, relative to cwd', () => {
    mkdirSync(join(dir, 'sub'));
    writeFileSync(join(dir, 'sub', 'shell.nix'), '{ }\n');
    writeFileSync(join(dir, 'custom.nix'), '{ }\n');
    expect(findNixFile(dir, 'custom.nix')).toBe(join(dir, 'custom.nix'));
    expect(findNixFile(dir, 'sub')).toBe(join(dir, 'sub', 'shell.nix'));
  });

  it('refuses --flake naming a file that is no Nix file (pyproject.toml), whatever it holds', () => {
    writeFileSync(join(dir, 'pyproject.toml'), '[project]\nname = "x"\n');
    expect(() => findNixFile(dir, 'pyproject.toml')).toThrow(InputError);
    expect(() => findNixFile(dir, 'pyproject.toml')).toThrow(/^pyproject\.toml: not a Nix file/);
  });

  it('reports a missing file or an empty directory as input errors', () => {
    expect(() => findNixFile(dir)).toThrow(InputError);
    expect(() => findNixFile(dir)).toThrow(/no Nix file found/);
    expect(() => findNixFile(dir, 'nope.nix')).toThrow(/nope\.nix: no such file/);
  });
});

describe('readNixFile', () => {
  it('refuses bytes that are not UTF-8', () => {
    writeFileSync(join(dir, 'flake.nix'), Buffer.from([0x7b, 0xff, 0xfe, 0x7d]));
    expect(() => readNixFile(join(dir, 'flake.nix'))).toThrow(/not valid UTF-8/);
  });
  it('keeps a byte-order mark (Nix refuses it, so the parser must see it)', () => {
    writeFileSync(join(dir, 'flake.nix'), Buffer.from('\ufeff{ }\n', 'utf8'));
    expect(readNixFile(join(dir, 'flake.nix'))).toBe('\ufeff{ }\n');
  });
  it('refuses a directory', () => {
    expect(() => readNixFile(dir)).toThrow(InputError);
  });
});

describe('writeFileAtomic', () => {
  it('replaces the content, keeps the mode, leaves no temporary file', () => {
    const f = join(dir, 'flake.nix');
    writeFileSync(f, 'old\n');
    chmodSync(f, 0o640);
    writeFileAtomic(f, 'new\n', { expectCurrent: 'old\n' });
    expect(readFileSync(f, 'utf8')).toBe('new\n');
    expect(statSync(f).mode & 0o7777).toBe(0o640);
    expect(readdirSync(dir)).toEqual(['flake.nix']);
  });

  it('writes through a symlink, which stays a symlink', () => {
    mkdirSync(join(dir, 'real'));
    const target = join(dir, 'real', 'flake.nix');
    writeFileSync(target, 'old\n');
    symlinkSync(target, join(dir, 'flake.nix'));
    writeFileAtomic(join(dir, 'flake.nix'), 'new\n');
    expect(lstatSync(join(dir, 'flake.nix')).isSymbolicLink()).toBe(true);
    expect(readFileSync(target, 'utf8')).toBe('new\n');
    expect(readdirSync(join(dir, 'real'))).toEqual(['flake.nix']);
  });

  it('writes nothing when the file changed since it was read', () => {
    const f = join(dir, 'flake.nix');
    writeFileSync(f, 'edited by someone else\n');
    expect(() => writeFileAtomic(f, 'new\n', { expectCurrent: 'old\n' })).toThrow(/changed on disk/);
    expect(readFileSync(f, 'utf8')).toBe('edited by someone else\n');
    expect(readdirSync(dir)).toEqual(['flake.nix']);
  });

  // root writes anywhere, so the permission case can only be staged for an ordinary user.
  it.skipIf(process.getuid?.() === 0)('fails cleanly in a directory it cannot write to', () => {
    const f = join(dir, 'flake.nix');
    writeFileSync(f, 'old\n');
    chmodSync(dir, 0o555);
    try {
      expect(() => writeFileAtomic(f, 'new\n')).toThrow(InputError);
      expect(readFileSync(f, 'utf8')).toBe('old\n');
    } finally {
      chmodSync(dir, 0o755);
    }
  });

  it('fails cleanly when the file is gone', () => {
    expect(() => writeFileAtomic(join(dir, 'missing.nix'), 'x')).toThrow(InputError);
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe('displayPath', () => {
  it('is relative inside cwd, absolute outside', () => {
    expect(displayPath('/a/b', '/a/b/flake.nix')).toBe('flake.nix');
    expect(displayPath('/a/b', '/a/c/flake.nix')).toBe('/a/c/flake.nix');
  });
});

describe('unifiedDiff / changedLines', () => {
  const before = 'a\nb\nc\nd\ne\n';
  const after = 'a\nb\nc\n  x\nd\ne\n';

  it('is empty for equal texts and a git-style unified diff otherwise', () => {
    expect(unifiedDiff('flake.nix', before, before)).toBe('');
    const d = unifiedDiff('flake.nix', before, after);
    expect(d.split('\n').slice(0, 3)).toEqual(['--- a/flake.nix', '+++ b/flake.nix', '@@ -1,5 +1,6 @@']);
    expect(d).toContain('\n+  x\n');
  });

  it('colours added and removed lines when given a colour chalk', () => {
    const d = unifiedDiff('flake.nix', before, after, new Chalk({ level: 1 }));
    expect(d).toContain('\u001b[32m+  x\u001b[39m');
    expect(unifiedDiff('flake.nix', before, after, new Chalk({ level: 0 }))).toBe(unifiedDiff('flake.nix', before, after));
  });

  it('marks a lost final newline', () => {
    expect(unifiedDiff('shell.nix', 'x', 'x y')).toContain('\\ No newline at end of file');
  });

  it('locates insertions and replacements in original line numbers', () => {
    expect(changedLines(before, after)).toEqual({ removed: [], insertedAfter: [3] });
    expect(changedLines(before, 'x\n' + before)).toEqual({ removed: [], insertedAfter: [0] });
    expect(changedLines(before, before + 'z\n')).toEqual({ removed: [], insertedAfter: [5] });
    expect(changedLines(before, 'a\nB\nc\nd\ne\n')).toEqual({ removed: [2], insertedAfter: [2] });
    expect(changedLines('x', 'x y')).toEqual({ removed: [1], insertedAfter: [1] });
  });
});
