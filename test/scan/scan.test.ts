import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scanVenv } from '../../src/scan/index.js';
import { classify } from '../helpers/classify.js';
import type { ScanResult } from '../../src/scan/types.js';

const FIX = join(import.meta.dirname, '../../fixtures/scan');
const VENV = join(FIX, 'venv');
const SP = 'lib/python3.12/site-packages';
const EXT = 'cpython-312-x86_64-linux-gnu.so';

const EXPECTED_SKIPPED = [
  { path: `${SP}/broken/dangling.so`, reason: 'dangling symlink' },
  { path: `${SP}/broken/i386.so`, reason: 'ELF32 object in a 64-bit venv (i386)' },
  { path: `${SP}/broken/linker-script.so`, reason: 'not an ELF file' },
  { path: `${SP}/broken/loop.so`, reason: 'symlink loop' },
  { path: `${SP}/broken/musllinux.so`, reason: 'linked against musl, not glibc' },
  { path: `${SP}/broken/ppc64.so`, reason: 'built for another machine (powerpc64, venv is x86_64)' },
  { path: `${SP}/eta/libs/libeta_dep.so.1`, reason: 'not an ELF file' },
];

function expectFixtureResult(r: ScanResult, env: string): void {
  expect(r.root).toBe(VENV);
  expect(r.env).toBe(env);
  // alpha, beta, beta.libs, delta (once), epsilon + .libs, eta, extpkg, gamma + gamma.libs,
  // zeta + 2 libs.
  expect(r.objects).toBe(13);
  const { skipped } = r;
  expect(skipped.filter((s) => !s.path.endsWith('truncated.so'))).toEqual(EXPECTED_SKIPPED);
  expect(skipped.find((s) => s.path.endsWith('truncated.so'))?.reason).toMatch(/^truncated ELF file: /);
  expect(r.missing).toEqual([
    { soname: 'libalpha_missing.so.1', category: 'unknown', neededBy: [`${SP}/alpha/_core.${EXT}`] },
    {
      soname: 'libbeta.so.1',
      category: 'venv',
      neededBy: [`${SP}/alpha/_core.${EXT}`],
      providedBy: [`${SP}/beta.libs/libbeta.so.1`],
    },
    // Charged to the bundled library that needs it, whether reached from beta or scanned itself.
    { soname: 'libbetadep_missing.so.2', category: 'unknown', neededBy: [`${SP}/beta.libs/libbeta.so.1`] },
    // Found on eta's RUNPATH, but a text file: ld.so stops there.
    { soname: 'libeta_dep.so.1', category: 'unknown', neededBy: [`${SP}/eta/_eta.${EXT}`] },
    // ldd finds it through libzeta_b's RUNPATH on a second search; dlopen of _zeta fails first.
    {
      soname: 'libzeta_a.so.1',
      category: 'venv',
      neededBy: [`${SP}/zeta/_zeta.${EXT}`],
      providedBy: [`${SP}/zeta.libs_a/libzeta_a.so.1`],
    },
  ]);
}

describe('scanVenv on fixtures/scan/venv', () => {
  it('env nixos: glibc resolves from the default directory; the rest per the venv layout', async () => {
    const { result } = await scanVenv(VENV, { classify, env: 'nixos', ldLibraryPath: '' });
    expectFixtureResult(result, 'nixos');
  });

  it('env host: the same answer through this machine\'s ld.so cache', async () => {
    const { result } = await scanVenv(VENV, { classify, env: 'host', ldLibraryPath: '' });
    expectFixtureResult(result, 'host');
  });

  it('judges a symlinked object at the link ($ORIGIN of the link, not of the uv cache)', async () => {
    const { objects } = await scanVenv(VENV, { classify, env: 'nixos', ldLibraryPath: '' });
    const gamma = objects.find((o) => o.path === `${SP}/gamma/_gamma.${EXT}`);
    expect(gamma?.abs).toBe(join(VENV, SP, `gamma/_gamma.${EXT}`));
    expect(gamma?.closure.libraries.find((l) => l.soname === 'libgamma.so.1')?.path).not.toBeNull();
    // The same file judged where it really sits does not find its bundled library.
    const cache = await scanVenv(join(FIX, 'uv-cache'), { classify, env: 'nixos', ldLibraryPath: '' });
    expect(cache.result.missing.map((m) => [m.soname, m.neededBy])).toEqual([['libgamma.so.1', [`gamma/_gamma.${EXT}`]]]);
  });

  it('finds a library through a directory symlinked out of the venv ($ORIGIN/.. resolved physically)', async () => {
    const { objects } = await scanVenv(VENV, { classify, env: 'nixos', ldLibraryPath: '' });
    const ext = objects.find((o) => o.path === `${SP}/extpkg/_ext.${EXT}`);
    expect(ext?.closure.libraries.find((l) => l.soname === 'libext.so.1')?.path).toBeTruthy();
  });

  it('LD_LIBRARY_PATH pointing at the bundled directory resolves the venv-category soname', async () => {
    const { result } = await scanVenv(VENV, { classify, env: 'nixos', ldLibraryPath: join(VENV, SP, 'beta.libs') });
    expect(result.missing.map((m) => m.soname)).toEqual(['libalpha_missing.so.1', 'libbetadep_missing.so.2', 'libeta_dep.so.1', 'libzeta_a.so.1']);
  });

  it('reports progress up to the number of candidates', async () => {
    const seen: [number, number][] = [];
    await scanVenv(VENV, { classify, env: 'nixos', onProgress: (d, t) => seen.push([d, t]) });
    expect(seen.at(-1)).toEqual([19, 19]);
    expect(seen.map(([d]) => d)).toEqual(Array.from({ length: 19 }, (_, i) => i + 1));
  });
});

describe('scan: symbol versions the found library lacks', () => {
  it('are refusals in the result (versionErrors), from the closures already computed', async () => {
    const { copyFileSync, mkdirSync, mkdtempSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const src = join(import.meta.dirname, '../../fixtures/loader/missing_symbol_version_is_refused');
    const venv = mkdtempSync(join(tmpdir(), 'nixpy-scan-vers-'));
    try {
      mkdirSync(join(venv, SP, 'pkg/lib'), { recursive: true });
      copyFileSync(join(src, 'libroot.so'), join(venv, SP, `pkg/_needs2.${EXT}`));
      copyFileSync(join(src, 'libok.so'), join(venv, SP, `pkg/_needs1.${EXT}`));
      copyFileSync(join(src, 'lib/libvers.so'), join(venv, SP, 'pkg/lib/libvers.so'));
      const report = await scanVenv(venv, { classify, env: 'host' });
      const library = join(venv, SP, 'pkg/lib/libvers.so');
      expect(report.result.missing).toEqual([]);
      expect(report.result.versionErrors).toEqual([{ soname: 'libvers.so', version: 'VERS_2', neededBy: `${SP}/pkg/_needs2.${EXT}`, library }]);
      expect(report.versionDefinitions.get(library)).toEqual(['VERS_1']);
    } finally {
      rmSync(venv, { recursive: true, force: true });
    }
  });
});
