import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readDistIndex } from '../../src/project/dists-io.js';
import { runtimeOf } from '../../src/plan/runtime.js';
import { walkForRuntime } from '../../src/plan/runtime-walk.js';
import { distributionOf } from '../../src/project/dists.js';
import type * as Thread from '../../src/plan/runtime-thread.js';

const REPO = join(import.meta.dirname, '../..');
const FIXTURES = join(REPO, 'fixtures/runtime');
// Debian's sources of the packages that open libraries themselves (.ci/python-sources.sh), when present.
const SOURCES = process.env.NIXPY_PYTHON_SOURCES ?? join(homedir(), '.cache/nixpy/python-sources');

/** The built module: from the sources the worker file is not there, and the pass stays in the thread. */
async function built(): Promise<typeof Thread> {
  const file = join(REPO, 'dist/plan/runtime-thread.js');
  expect(existsSync(file), 'run `npm run build` first').toBe(true);
  return (await import(file)) as typeof Thread;
}

describe('the run-time pass on a worker thread', () => {
  const venvs = [join(FIXTURES, 'venv'), join(FIXTURES, 'venv-bundled'), ...(existsSync(SOURCES) ? [SOURCES] : [])];

  it.each(venvs)('gives the in-thread answer: %s', async (venv) => {
    const { startPythonWalk } = await built();
    for (const config of [{ runtimeIgnore: [] }, { runtimeIgnore: ['ACME_scanner', 'soundfile'] }]) {
      const dists = readDistIndex(venv);
      const pending = startPythonWalk(venv, config.runtimeIgnore);
      expect(pending.thread).toBe('worker');
      const walk = await pending.result(dists);
      expect(runtimeOf(venv, dists, config, walk)).toEqual(runtimeOf(venv, dists, config));
    }
  });

  it('read by both threads at once, gives the one-thread walk: every call in order, every file once', async () => {
    // Enough files (3,000, a call in every 25th) for both threads to claim batches, whatever
    // the split: the answer must not depend on it.
    const venv = mkdtempSync(join(tmpdir(), 'nixpy-shared-pass-'));
    try {
      for (let i = 0; i < 3000; i++) {
        const dir = join(venv, 'lib/python3.12/site-packages', `pkg${Math.floor(i / 100)}`);
        mkdirSync(dir, { recursive: true });
        const call = i % 25 === 0 ? `import ctypes\n_l = ctypes.CDLL("libshared${i}.so.1")\n` : '';
        writeFileSync(join(dir, `m${i}.py`), `${call}def f(x):\n    return x\n`);
      }
      const { startPythonWalk } = await built();
      const dists = readDistIndex(venv);
      const pending = startPythonWalk(venv, []);
      const walk = await pending.result(dists);
      const alone = walkForRuntime(venv, (rel) => distributionOf(rel, dists), []);
      expect(walk.calls).toEqual(alone.calls);
      expect(walk.calls).toHaveLength(120);
      expect(walk.pass).toEqual(alone.pass);
      expect(pending.readHere()).toBeLessThanOrEqual(3000);
    } finally {
      rmSync(venv, { recursive: true, force: true });
    }
  });

  it('runs in the thread from the sources, where no worker is built', async () => {
    const { startPythonWalk } = await import('../../src/plan/runtime-thread.js');
    const venv = join(FIXTURES, 'venv');
    const pending = startPythonWalk(venv, []);
    expect(pending.thread).toBe('main');
    expect((await pending.result(readDistIndex(venv))).calls.length).toBeGreaterThan(0);
  });

  it('a cancelled pass still answers, from the thread', async () => {
    const { startPythonWalk } = await built();
    const venv = join(FIXTURES, 'venv');
    const dists = readDistIndex(venv);
    const pending = startPythonWalk(venv, []);
    pending.cancel();
    expect(runtimeOf(venv, dists, { runtimeIgnore: [] }, await pending.result(dists))).toEqual(runtimeOf(venv, dists, { runtimeIgnore: [] }));
  });
});
