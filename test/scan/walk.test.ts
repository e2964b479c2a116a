import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { walkVenv } from '../../src/scan/walk.js';

const VENV = join(import.meta.dirname, '../../fixtures/scan/venv');
const SP = 'lib/python3.12/site-packages';

describe('walkVenv on fixtures/scan/venv', () => {
  const w = walkVenv(VENV);
  const rels = w.candidates.map((c) => c.rel);

  it('lists every shared object once, under the path Python loads it by', () => {
    expect(rels).toEqual(
      [
        `${SP}/alpha/_core.cpython-312-x86_64-linux-gnu.so`,
        `${SP}/beta.libs/libbeta.so.1`,
        `${SP}/beta/_beta.cpython-312-x86_64-linux-gnu.so`,
        `${SP}/broken/i386.so`,
        `${SP}/broken/linker-script.so`,
        `${SP}/broken/musllinux.so`,
        `${SP}/broken/ppc64.so`,
        `${SP}/broken/truncated.so`,
        `${SP}/delta/libdelta.so.1.0.0`,
        `${SP}/epsilon/.libs/libeps.so.1`,
        `${SP}/epsilon/_eps.cpython-312-x86_64-linux-gnu.so`,
        `${SP}/eta/_eta.cpython-312-x86_64-linux-gnu.so`,
        `${SP}/eta/libs/libeta_dep.so.1`,
        `${SP}/extpkg/_ext.cpython-312-x86_64-linux-gnu.so`,
        `${SP}/gamma.libs/libgamma.so.1`,
        `${SP}/gamma/_gamma.cpython-312-x86_64-linux-gnu.so`,
        `${SP}/zeta.libs_a/libzeta_a.so.1`,
        `${SP}/zeta.libs_b/libzeta_b.so.1`,
        `${SP}/zeta/_zeta.cpython-312-x86_64-linux-gnu.so`,
      ].sort(),
    );
  });

  it('does not walk lib64 -> lib nor a link back up the tree', () => {
    expect(rels.some((r) => r.startsWith('lib64/'))).toBe(false);
    expect(rels.some((r) => r.includes('/up/'))).toBe(false);
  });

  it('keeps a symlinked object at its link path (uv link-mode), absolute path not resolved', () => {
    const gamma = w.candidates.find((c) => c.rel.includes('gamma/_gamma'));
    expect(gamma?.abs).toBe(join(VENV, SP, 'gamma/_gamma.cpython-312-x86_64-linux-gnu.so'));
  });

  it('sets a same-directory soname link aside instead of judging it twice', () => {
    expect(w.sameDirLinks.map((c) => c.rel)).toEqual([`${SP}/delta/libdelta.so.1`]);
  });

  it('skips dangling links and link loops with a reason', () => {
    expect(w.skipped).toEqual([
      { path: `${SP}/broken/dangling.so`, reason: 'dangling symlink' },
      { path: `${SP}/broken/loop.so`, reason: 'symlink loop' },
    ]);
  });
});

describe('walkVenv on directory-link loops outside the venv', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nixpy-walk-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('walks each real directory once and terminates', () => {
    const venv = join(dir, 'venv');
    const ext = join(dir, 'ext');
    mkdirSync(join(venv, 'site'), { recursive: true });
    mkdirSync(join(ext, 'a'), { recursive: true });
    writeFileSync(join(ext, 'a', 'x.so'), 'not elf');
    symlinkSync(ext, join(venv, 'site', 'ext1'));
    symlinkSync(ext, join(venv, 'site', 'ext2'));
    // ext/a/back -> ext: a loop that only exists outside the venv.
    symlinkSync(ext, join(ext, 'a', 'back'));
    // Links to an ancestor of the venv (its parent, /) would walk the venv again and far more.
    symlinkSync(dir, join(venv, 'site', 'parent'));
    symlinkSync('/', join(ext, 'a', 'root'));
    const w = walkVenv(venv);
    expect(w.candidates.map((c) => c.rel)).toEqual(['site/ext1/a/x.so']);
  });
});

describe('walkVenv on entries of every kind', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nixpy-walk-kinds-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('descends into directories whatever their name but __pycache__, and lists only shared-object files', () => {
    const venv = join(dir, 'kinds');
    mkdirSync(join(venv, 'weird.so', '.hidden', 'deep'), { recursive: true });
    writeFileSync(join(venv, 'weird.so', '.hidden', 'deep', 'x.so.2'), 'not elf');
    writeFileSync(join(venv, 'weird.so', 'module.py'), '');
    // Python keeps only bytecode in __pycache__: not walked.
    mkdirSync(join(venv, 'pkg', '__pycache__'), { recursive: true });
    writeFileSync(join(venv, 'pkg', '__pycache__', 'stray.so'), 'not elf');
    writeFileSync(join(venv, 'pkg', '__pycache__', 'module.cpython-312.pyc'), '');
    writeFileSync(join(venv, 'x.sock'), '');
    execFileSync('mkfifo', [join(venv, 'pipe.so')]);
    const w = walkVenv(venv);
    expect(w.candidates.map((c) => c.rel)).toEqual(['weird.so/.hidden/deep/x.so.2']);
    expect(w.candidates[0]?.abs).toBe(join(venv, 'weird.so/.hidden/deep/x.so.2'));
    // A FIFO named like a library is never opened, and never dropped without a word.
    expect(w.skipped).toEqual([{ path: 'pipe.so', reason: 'a FIFO (named pipe), not a shared object: never opened' }]);
  });

  it('follows a link named like a shared object that leads to a directory outside the venv', () => {
    const venv = join(dir, 'solink');
    const ext = join(dir, 'solink-ext');
    mkdirSync(venv, { recursive: true });
    mkdirSync(ext, { recursive: true });
    writeFileSync(join(ext, 'y.so'), 'not elf');
    symlinkSync(ext, join(venv, 'plugins.so'));
    expect(walkVenv(venv).candidates.map((c) => c.rel)).toEqual(['plugins.so/y.so']);
  });

  it('names the files of an outside directory by the first link in name order', () => {
    const venv = join(dir, 'many');
    const ext = join(dir, 'many-ext');
    mkdirSync(venv, { recursive: true });
    mkdirSync(ext, { recursive: true });
    writeFileSync(join(ext, 'z.so'), 'not elf');
    // Twenty links to one directory, made in an order that is neither name order nor its reverse.
    for (let i = 0; i < 20; i++) symlinkSync(ext, join(venv, `link${String((i * 7) % 20).padStart(2, '0')}`));
    expect(walkVenv(venv).candidates.map((c) => c.rel)).toEqual(['link00/z.so']);
  });

  it('names them by the link nearest the venv root first (breadth first), then by name', () => {
    const venv = join(dir, 'depth');
    const ext = join(dir, 'depth-ext');
    mkdirSync(join(venv, 'a', 'deep'), { recursive: true });
    mkdirSync(ext, { recursive: true });
    writeFileSync(join(ext, 'w.so'), 'not elf');
    symlinkSync(ext, join(venv, 'a', 'deep', 'link'));
    symlinkSync(ext, join(venv, 'zz'));
    expect(walkVenv(venv).candidates.map((c) => c.rel)).toEqual(['zz/w.so']);
  });
});
