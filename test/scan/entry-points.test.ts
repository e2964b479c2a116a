import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLoaderEnv, createObjectCache, loadClosure } from '../../src/loader/index.js';
import { scanVenv } from '../../src/scan/index.js';
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
