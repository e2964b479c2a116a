import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeFileAtomic } from '../../src/nix/files.js';
import { InputError } from '../../src/errors.js';

/**
 * A read-only flake.nix in a writable directory: replacing it goes through the directory, so an
 * atomic rename would succeed. `fix` must refuse when the user could not write the file itself,
 * and otherwise keep its owner and mode. root writes any file, so the refusal is staged for an
 * ordinary user: in-process when the tests run as one, else the built CLI run as `nobody`.
 */

const REPO = resolve(fileURLToPath(import.meta.url), '../../..');
const BIN = join(REPO, 'bin/nixpy.js');
const NOBODY = 65534;
const isRoot = process.getuid?.() === 0;
const SHELL = '{ pkgs ? import <nixpkgs> { } }:\npkgs.mkShell {\n  LD_LIBRARY_PATH = pkgs.lib.makeLibraryPath [ pkgs.libGL ];\n}\n';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'nixpy-readonly-'));
  chmodSync(dir, 0o777);
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/**
 * The built CLI where `nobody` can read it: the checkout may sit under a directory only its owner
 * may enter (a clone into `mktemp -d` is mode 0700). The copy is what an install ships.
 */
function readableCopy(): string {
  const pkg = join(dir, 'pkg');
  for (const part of ['bin', 'dist/bundle', 'data', 'package.json']) cpSync(join(REPO, part), join(pkg, part), { recursive: true });
  return join(pkg, 'bin/nixpy.js');
}

describe('a read-only Nix file in a writable directory', () => {
  it.skipIf(isRoot)('is refused in-process for its owner when mode 0444', () => {
    const f = join(dir, 'flake.nix');
    writeFileSync(f, SHELL);
    chmodSync(f, 0o444);
    expect(() => writeFileAtomic(f, 'new\n', { expectCurrent: SHELL })).toThrow(InputError);
    expect(() => writeFileAtomic(f, 'new\n', { expectCurrent: SHELL })).toThrow(/cannot write: permission denied \(the file is not writable by you\); nothing written/);
    expect(readFileSync(f, 'utf8')).toBe(SHELL);
    expect(readdirSync(dir)).toEqual(['flake.nix']);
  });

  it.runIf(isRoot)('is refused by `nixpy fix` run as a user who cannot write it (another owner), exit 2', () => {
    expect(existsSync(join(BIN, '../../dist/bundle/main.js')), 'run `npm run build` first').toBe(true);
    const f = join(dir, 'shell.nix');
    writeFileSync(f, SHELL);
    chmodSync(f, 0o644); // root's file; the directory is writable by everyone
    const r = spawnSync('setpriv', [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', process.execPath, readableCopy(), 'fix', '--flake', 'shell.nix', '--add', 'zlib'], {
      cwd: dir, encoding: 'utf8', env: { PATH: process.env.PATH ?? '', HOME: dir, XDG_CACHE_HOME: join(dir, '.cache') },
    });
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/shell\.nix: cannot write: permission denied \(the file is not writable by you\); nothing written/);
    expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
    expect(readFileSync(f, 'utf8')).toBe(SHELL);
    expect(statSync(f).uid).toBe(0);
    expect(readdirSync(dir).filter((n) => n !== '.cache' && n !== 'pkg')).toEqual(['shell.nix']);
  });

  it.runIf(isRoot)('is replaced for a user who may write it, keeping another owner and the mode', () => {
    const f = join(dir, 'flake.nix');
    writeFileSync(f, SHELL);
    chownSync(f, NOBODY, NOBODY);
    chmodSync(f, 0o640);
    writeFileAtomic(f, 'new\n', { expectCurrent: SHELL });
    expect(readFileSync(f, 'utf8')).toBe('new\n');
    const st = statSync(f);
    expect([st.uid, st.gid, st.mode & 0o7777]).toEqual([NOBODY, NOBODY, 0o640]);
    expect(readdirSync(dir)).toEqual(['flake.nix']);
  });
});
