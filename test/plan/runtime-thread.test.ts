import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readDistIndex } from '../../src/project/dists-io.js';
import { runtimeOf } from '../../src/plan/runtime.js';
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
    const { startRuntimeScan } = await built();
    for (const config of [{ runtimeIgnore: [] }, { runtimeIgnore: ['ACME_scanner', 'soundfile'] }]) {
      const dists = readDistIndex(venv);
      const pending = startRuntimeScan(venv, dists, config);
      expect(pending.thread).toBe('worker');
      expect(await pending.result()).toEqual(runtimeOf(venv, dists, config));
    }
  });

  it('runs in the thread from the sources, where no worker is built', async () => {
    const { startRuntimeScan } = await import('../../src/plan/runtime-thread.js');
    const venv = join(FIXTURES, 'venv');
    const pending = startRuntimeScan(venv, readDistIndex(venv), { runtimeIgnore: [] });
    expect(pending.thread).toBe('main');
    expect((await pending.result()).runtime.length).toBeGreaterThan(0);
  });

  it('a cancelled pass still answers, from the thread', async () => {
    const { startRuntimeScan } = await built();
    const venv = join(FIXTURES, 'venv');
    const dists = readDistIndex(venv);
    const pending = startRuntimeScan(venv, dists, { runtimeIgnore: [] });
    pending.cancel();
    expect(await pending.result()).toEqual(runtimeOf(venv, dists, { runtimeIgnore: [] }));
  });
});
