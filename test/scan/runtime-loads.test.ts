import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadDistIndex } from '../../src/project/dists-io.js';
import { distributionOf } from '../../src/project/dists.js';
import { findLoadCalls, sonameOfCall } from '../../src/scan/python-loads.js';
import { findLibraryAdvice, scanRuntimeLoads, type DistView } from '../../src/scan/runtime-loads.js';

const FIXTURES = join(import.meta.dirname, '../../fixtures/runtime');

async function view(venv: string): Promise<DistView> {
  const index = await loadDistIndex(venv);
  return { names: index.records.map((r) => r.name), distributionOf: (rel) => distributionOf(rel, index) };
}

describe('findLoadCalls', () => {
  it('reads the literal of each loading form, with its line', () => {
    const src = [
      'import ctypes',
      'a = ctypes.CDLL("libfoo.so.1")',
      "b = ctypes.cdll.LoadLibrary('libbar.so.2')",
      'c = ctypes.util.find_library("baz")',
      "d = _ffi.dlopen('qux')",
      'e = ct.CDLL(ctypes.util.find_library("usb-1.0"))',
      "f = ctypes.PyDLL(r'libraw.so')",
    ].join('\n');
    expect(findLoadCalls(src)).toEqual([
      { kind: 'ctypes', name: 'libfoo.so.1', line: 2 },
      { kind: 'ctypes', name: 'libbar.so.2', line: 3 },
      { kind: 'find_library', name: 'baz', line: 4 },
      { kind: 'cffi', name: 'qux', line: 5 },
      { kind: 'find_library', name: 'usb-1.0', line: 6 },
      { kind: 'ctypes', name: 'libraw.so', line: 7 },
    ]);
  });

  it('skips comments, names computed at run time, and calls inside a string before a #', () => {
    expect(findLoadCalls('# ctypes.CDLL("libnope.so.1")\nx = ctypes.CDLL(name)\nctypes.CDLL(f"lib{x}.so")')).toEqual([]);
    // The # is inside the string: the call after it is code.
    expect(findLoadCalls('s = "#"; ctypes.CDLL("libyes.so.1")')).toEqual([{ kind: 'ctypes', name: 'libyes.so.1', line: 1 }]);
  });

  it('stays linear on a megabyte-long line and on files without a trigger word', () => {
    expect(findLoadCalls('x = "' + 'a'.repeat(1 << 20) + '" ; ctypes.CDLL("libbig.so")')).toEqual([]);
    expect(findLoadCalls('print("hello")\n'.repeat(10_000))).toEqual([]);
  });
});

describe('sonameOfCall', () => {
  it('maps each form to the name the loader looks for', () => {
    expect(sonameOfCall({ kind: 'ctypes', name: 'libfoo.so.1', line: 1 })).toEqual({ soname: 'libfoo.so.1', bare: false });
    expect(sonameOfCall({ kind: 'ctypes', name: '/usr/lib/x86_64-linux-gnu/libzbar.so.0', line: 1 })).toEqual({ soname: 'libzbar.so.0', bare: false });
    expect(sonameOfCall({ kind: 'find_library', name: 'magic', line: 1 })).toEqual({ soname: 'libmagic.so', bare: true });
    expect(sonameOfCall({ kind: 'cffi', name: 'sndfile', line: 1 })).toEqual({ soname: 'libsndfile.so', bare: true });
    expect(sonameOfCall({ kind: 'ctypes', name: 'acme64.dll', line: 1 })).toBeNull();
    expect(sonameOfCall({ kind: 'ctypes', name: 'libcairo.2.dylib', line: 1 })).toBeNull();
    // dlopen("foo") looks for a file named foo: nothing on Linux is named like that.
    expect(sonameOfCall({ kind: 'ctypes', name: 'foo', line: 1 })).toBeNull();
  });
});

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

  it('stops at its bounds and says so', async () => {
    const venv = join(FIXTURES, 'venv');
    const dists = await view(venv);
    expect(scanRuntimeLoads(venv, dists, { maxFiles: 2 }).pass).toMatchObject({ files: 2, truncated: expect.stringMatching(/limit 2/) });
    let t = 0;
    const clock = (): number => (t += 1000);
    expect(scanRuntimeLoads(venv, dists, { timeBudgetMs: 2500, now: clock }).pass.truncated).toMatch(/time budget/);
    expect(scanRuntimeLoads(venv, dists, { maxBytes: 10 }).pass.truncated).toMatch(/bytes/);
  });

  it('says what works where a package relies on find_library alone', async () => {
    const venv = join(FIXTURES, 'venv');
    const { runtime } = scanRuntimeLoads(venv, await view(venv));
    const advised = runtime.filter((r) => findLibraryAdvice(r) !== null).map((r) => `${r.dist} ${r.soname}`);
    expect(advised).toEqual(['acme-scanner libsndfile.so.1', 'acme-scanner libusb-1.0.so.0', 'pyusb libusb-1.0.so.0', 'pyzbar libzbar.so.0']);
    expect(findLibraryAdvice(runtime.find((r) => r.dist === 'pyzbar')!)).toMatch(/mkShell.*LD_LIBRARY_PATH/);
  });
});
