import { describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { REPO, run } from '../e2e/harness.js';
import { glibcFloorProblems, highestGlibc } from '../../src/plan/glibc-floor.js';

/**
 * fixtures/doctor/glibc-too-new: an extension linked (by the real linker, build.sh) against a
 * libc.so.6 defining GLIBC_2.41. nixpkgs releases whose glibc is older cannot load it whatever
 * the library path; those whose glibc is 2.41 or newer can.
 */
const FIX = join(REPO, 'fixtures/doctor/glibc-too-new');
const VENV = join(FIX, 'venv');
const EXT = join(VENV, 'lib/python3.12/site-packages/newglibc/_ext.cpython-312-x86_64-linux-gnu.so');

const host = /([0-9]+)\.([0-9]+)/.exec(execFileSync('getconf', ['GNU_LIBC_VERSION'], { encoding: 'utf8' }))!;
/** Whether this machine's glibc defines GLIBC_2.41 (Debian 12's 2.36 does not). */
const hostHasIt = Number(host[1]) > 2 || Number(host[2]) >= 41;

describe('an object that needs a newer glibc than the nixpkgs release ships', () => {
  it('agrees with the real loader of this machine', () => {
    const r = spawnSync('ldd', [EXT], { encoding: 'utf8' });
    const refused = `${r.stdout}${r.stderr}`.includes("version `GLIBC_2.41' not found");
    expect(refused).toBe(!hostHasIt);
  });

  it('is reported under the NixOS model for a release whose glibc is older, with the release that has it', async () => {
    const r = await run(['doctor', '--project', FIX, '--venv', VENV, '--nixpkgs', '25.05', '--json']);
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.out);
    expect(doc.versionProblems).toHaveLength(1);
    expect(doc.versionProblems[0]).toMatchObject({ soname: 'libc.so.6', missing: ['GLIBC_2.41'], providesUpTo: 'GLIBC_2.40' });
    expect(doc.versionProblems[0].advice).toMatch(/nixpkgs 26\.05 has glibc 2\.42/);
  });

  it('is not reported for a release whose glibc has the version', async () => {
    const r = await run(['doctor', '--project', FIX, '--venv', VENV, '--nixpkgs', '26.05', '--json']);
    expect(JSON.parse(r.out).versionProblems).toEqual([]);
    expect(r.code).toBe(0);
  });

  it('is judged by the loader itself under the host model (this machine\'s glibc)', async () => {
    const r = await run(['scan', VENV, '--env', 'host', '--json'], { env: { LD_LIBRARY_PATH: '' } });
    const doc = JSON.parse(r.out);
    expect(doc.versionErrors.map((e: { version: string }) => e.version).includes('GLIBC_2.41')).toBe(!hostHasIt);
  });
});

describe('glibcFloorProblems', () => {
  it('groups objects by the version they need and says nothing where the release glibc is unknown', () => {
    const objects = [
      { path: 'b/x.so', glibc: 'GLIBC_2.41' },
      { path: 'a/y.so', glibc: 'GLIBC_2.41' },
      { path: 'c/z.so', glibc: 'GLIBC_2.17' },
      { path: 'd/w.so', glibc: null },
    ];
    const p = glibcFloorProblems(objects, '25.05');
    expect(p.map((x) => [x.neededBy, x.missing])).toEqual([['a/y.so (and 1 more objects)', ['GLIBC_2.41']]]);
    expect(glibcFloorProblems(objects, 'unstable')).toEqual([]);
    expect(highestGlibc(['GLIBC_2.2.5', 'GLIBC_2.34', 'GLIBCXX_3.4.32', 'GLIBC_2.17'])).toBe('GLIBC_2.34');
    expect(highestGlibc([])).toBeNull();
  });
});
