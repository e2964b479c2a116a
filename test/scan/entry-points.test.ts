import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createLoaderEnv, createObjectCache, loadClosure } from '../../src/loader/index.js';
import type { Closure } from '../../src/loader/types.js';
import { scanVenv, walkVenv } from '../../src/scan/index.js';
import { createRealPaths } from '../../src/scan/real-path.js';
import { entryPoints } from '../../src/scan/roots.js';
import { classify } from '../helpers/classify.js';

const VENV = join(import.meta.dirname, '../../fixtures/scan/vendored-venv');
const SP = 'lib/python3.12/site-packages';
const LIB_A = `${SP}/theta.libs/libtheta_a.so.1`;

describe('vendored libraries are judged through the extensions that load them', () => {
  it('the fixture proves something: on its own, libtheta_a does not find libtheta_b', () => {
    const env = createLoaderEnv('nixos', { ldLibraryPath: '' });
    const alone = loadClosure(join(VENV, LIB_A), env, createObjectCache());
    expect(alone.libraries.find((l) => l.soname === 'libtheta_b.so.1')?.path).toBeNull();
  });

  it('a need met by the extension\'s inherited RPATH is not reported; a real gap still is', async () => {
    const { result } = await scanVenv(VENV, { classify, env: 'nixos', ldLibraryPath: '' });
    expect(result.objects).toBe(3);
    expect(result.missing).toEqual([{ soname: 'libtheta_missing.so.1', category: 'unknown', neededBy: [LIB_A] }]);
  });
});

describe('entryPoints finds a loaded object by its real path, whatever path the closure used', () => {
  const dir = realpathSync.native(mkdtempSync(join(tmpdir(), 'nixpy-roots-')));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const EXT = 'pkg/ext.cpython-312-x86_64-linux-gnu.so';
  for (const d of ['pkg', 'pkg.libs', 'cache']) mkdirSync(join(dir, d));
  for (const f of [EXT, 'pkg.libs/libv.so.1.2', 'pkg.libs/libdot.so', 'pkg/alone.so', 'cache/liblinked-1.0']) writeFileSync(join(dir, f), '');
  symlinkSync('libv.so.1.2', join(dir, 'pkg.libs/libv.so.1'));
  // A link whose target has another name (and is no shared object itself): uv's link mode.
  symlinkSync('../cache/liblinked-1.0', join(dir, 'pkg/liblinked.so'));

  const object = (rel: string, libs: string[] = []): { rel: string; abs: string; closure: Closure } => ({
    rel,
    abs: join(dir, rel),
    closure: {
      path: join(dir, rel),
      libraries: libs.map((p) => ({ soname: p.split('/').pop()!, path: p, via: 'rpath', requiredBy: join(dir, rel) })),
    },
  });
  const locate = (path: string): string | null => (path.startsWith(`${dir}/`) ? path.slice(dir.length + 1) : null);

  it('the extension loads libv by its soname link, libdot through `..`, liblinked by its target', () => {
    const walk = walkVenv(dir);
    expect(walk.candidates.map((c) => c.rel)).toEqual([
      'pkg.libs/libdot.so',
      'pkg.libs/libv.so.1.2',
      'pkg/alone.so',
      EXT,
      'pkg/liblinked.so',
    ]);
    const reached = [`${dir}/pkg.libs/libv.so.1`, `${dir}/pkg/../pkg.libs/libdot.so`, `${dir}/cache/liblinked-1.0`];
    const objects = walk.candidates.map((c) => object(c.rel, c.rel === EXT ? reached : []));
    const roots = entryPoints(objects, locate, createRealPaths(), walk.symlinks).map((o) => o.rel);
    expect(roots).toEqual(['pkg/alone.so', EXT]);
  });
});
