import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createRealPaths } from '../../src/scan/real-path.js';

describe('createRealPaths answers as realpath(3) does', () => {
  const dir = realpathSync.native(mkdtempSync(join(tmpdir(), 'nixpy-realpath-')));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, 'a/b'), { recursive: true });
  mkdirSync(join(dir, 'other/deep'), { recursive: true });
  writeFileSync(join(dir, 'a/b/lib.so.1.2'), '');
  writeFileSync(join(dir, 'other/x.so'), '');
  symlinkSync('lib.so.1.2', join(dir, 'a/b/lib.so.1'));
  symlinkSync('../../other/x.so', join(dir, 'a/b/elsewhere.so'));
  symlinkSync(join(dir, 'other/deep'), join(dir, 'a/linkdir'));
  symlinkSync('missing.so', join(dir, 'a/b/dangling.so'));
  symlinkSync('loop.so', join(dir, 'a/b/loop.so'));

  const paths = [
    'a/b/lib.so.1.2',
    'a/b/lib.so.1',
    'a/b/elsewhere.so',
    // `..` after a directory link leads out of the link's target (physically), not back to a/.
    'a/linkdir/../x.so',
    'a/linkdir/../../a/b/lib.so.1',
    'a/b/../b/lib.so.1.2',
    'a/b/dangling.so',
    'a/b/loop.so',
    'a/b/absent.so',
    'a/b',
    'a/b/.',
    'a/b/..',
  ].map((p) => `${dir}/${p}`);

  const expected = (p: string): string | null => {
    try {
      return realpathSync.native(p);
    } catch {
      return null;
    }
  };

  it('for files, links, `..` after a directory link, and paths that do not resolve', () => {
    const real = createRealPaths();
    for (const p of paths) expect([p, real.of(p)]).toEqual([p, expected(p)]);
    // Asked again (cached), the same answers.
    for (const p of paths) expect([p, real.of(p)]).toEqual([p, expected(p)]);
  });

  it('at the top of the tree, and `..` after a link the kernel provides', () => {
    for (const p of ['/', '/bin', '/etc', '/proc/self/..', '/proc/self/exe']) expect([p, createRealPaths().of(p)]).toEqual([p, expected(p)]);
  });
});
