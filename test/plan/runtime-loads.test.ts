import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readDistIndex } from '../../src/project/dists-io.js';
import { distributionOf } from '../../src/project/dists.js';
import { findLibraryAdvice, scanRuntimeLoads, type DistView } from '../../src/plan/runtime-loads.js';

const FIXTURES = join(import.meta.dirname, '../../fixtures/runtime');

async function view(venv: string): Promise<DistView> {
  const index = readDistIndex(venv);
  return { names: index.records.map((r) => r.name), distributionOf: (rel) => distributionOf(rel, index) };
}

describe('scanRuntimeLoads on a venv fixture', () => {
  it('reports the curated entries of installed distributions and the calls found in sources', async () => {
    const venv = join(FIXTURES, 'venv');
    const { runtime, typelibs, pass } = scanRuntimeLoads(venv, await view(venv));
    const rows = runtime.map((r) => `${r.dist} ${r.soname} ${r.source} ${r.category}${r.file ? ` ${r.file.replace(/^.*site-packages\//, '')}:${r.line}` : ''}`);
    expect(rows).toEqual([
      'acme-scanner libacme.so.3 ctypes unknown acme_scanner/_native.py:8',
      'acme-scanner libacmepy.so.1 ctypes unknown acme_scanner/_native.py:16',
      'acme-scanner libsndfile.so.1 cffi package acme_scanner/_native.py:10',
      'acme-scanner libusb-1.0.so.0 ctypes package acme_scanner/_native.py:11',
      'acme-scanner libzbar.so.0 ctypes package acme_scanner/_native.py:9',
      'nvidia-cudnn-cu12 libcudnn_graph.so.9 known package',
      'nvidia-cudnn-cu12 libcudnn_ops.so.9 known package',
      'pynvml libnvidia-ml.so.1 known driver',
      'PyOpenGL libEGL.so.1 known package',
      'PyOpenGL libGL.so.1 known package',
      'PyOpenGL libGLU.so.1 known package',
      'PyOpenGL libglut.so.3 known package',
      'python-magic libmagic.so.1 known package',
      'pyusb libusb-1.0.so.0 known package',
      'pyzbar libzbar.so.0 known package',
      'soundfile libsndfile.so.1 known package',
    ]);
    expect(typelibs).toEqual([{ dist: 'PyGObject', note: expect.stringMatching(/GI_TYPELIB_PATH/) }]);
    expect(pass.truncated).toBeNull();
    expect(pass.files).toBe(6); // tests/ left out
  });

  it('a distribution turned off in [tool.nixpy] is left out of both sources', async () => {
    const venv = join(FIXTURES, 'venv');
    const { runtime } = scanRuntimeLoads(venv, await view(venv), { disabled: ['ACME_scanner', 'pyopengl'] });
    expect(runtime.some((r) => r.dist === 'acme-scanner' || r.dist === 'PyOpenGL')).toBe(false);
    expect(runtime.some((r) => r.dist === 'soundfile')).toBe(true);
  });

  it('a wheel that bundles its own copy needs nothing from the system', async () => {
    const venv = join(FIXTURES, 'venv-bundled');
    const { runtime } = scanRuntimeLoads(venv, await view(venv));
    // soundfile.py still holds the find_library fallback: found by the static pass, not the table.
    expect(runtime.filter((r) => r.source === 'known')).toEqual([]);
  });

  it('says what works where a package relies on find_library alone', async () => {
    const venv = join(FIXTURES, 'venv');
    const { runtime } = scanRuntimeLoads(venv, await view(venv));
    const advised = runtime.filter((r) => findLibraryAdvice(r) !== null).map((r) => `${r.dist} ${r.soname}`);
    expect(advised).toEqual(['acme-scanner libsndfile.so.1', 'acme-scanner libusb-1.0.so.0', 'pyusb libusb-1.0.so.0', 'pyzbar libzbar.so.0']);
    expect(findLibraryAdvice(runtime.find((r) => r.dist === 'pyzbar')!)).toMatch(/mkShell.*LD_LIBRARY_PATH/);
  });
});
