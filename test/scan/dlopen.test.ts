import { spawnSync } from 'node:child_process';
import { realpathSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scanVenv } from '../../src/scan/index.js';
import { classify } from '../helpers/classify.js';

const VENV = join(import.meta.dirname, '../../fixtures/scan/venv');

/**
 * What the real glibc loader says when the object is dlopen'ed on its own in a fresh process
 * (Node's process.dlopen is a plain dlopen): null when every dependency loads (Node then only
 * complains that it is not a Node addon), else the soname dlopen could not open, or the file
 * name of the file it refused (a non-ELF file found under the needed name).
 */
function dlopenFailure(abs: string): string | null {
  const script = `try { process.dlopen({ exports: {} }, ${JSON.stringify(abs)}); } catch (e) { console.log(e.message); }`;
  const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '' } });
  const msg = r.stdout.trim();
  if (msg.includes('did not self-register') || msg.includes('Module did not')) return null;
  const m = msg.match(/^([^:]+): cannot open shared object file/);
  if (m) return m[1]!;
  const refused = msg.match(/^([^:]+): (invalid ELF header|file too short)/);
  if (refused) return basename(refused[1]!);
  throw new Error(`unexpected dlopen outcome for ${abs}: ${msg || r.stderr}`);
}

describe('scan --env host agrees with dlopen on this machine', () => {
  it('an object is reported as needing a missing library exactly when dlopen of it fails', async () => {
    const { result, objects } = await scanVenv(VENV, { classify, env: 'host', ldLibraryPath: '' });
    expect(objects.length).toBeGreaterThan(5);
    for (const o of objects) {
      const failure = dlopenFailure(o.abs);
      // Sonames charged to this object or to a venv library in its closure.
      const inClosure = new Set(o.closure.libraries.flatMap((l) => (l.path === null ? [] : [realpathSync.native(l.path)])));
      const charged = result.missing
        .filter((m) => m.neededBy.some((n) => n === o.path || inClosure.has(realpathSync.native(join(VENV, n)))))
        .map((m) => m.soname);
      const unresolved = o.closure.libraries.filter((l) => l.path === null || l.error !== undefined || (l.notFoundFor?.length ?? 0) > 0);
      if (failure === null) {
        expect(unresolved, o.path).toEqual([]);
      } else {
        expect(unresolved.map((l) => l.soname), o.path).toContain(failure);
        expect(charged, o.path).toContain(failure);
      }
    }
  });
});
