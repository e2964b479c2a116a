import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { classifySoname } from '../../src/nixpkgs/classify.js';
import { embeddedIndex } from '../../src/nixpkgs/embedded.js';
import { RUNTIME_DATA_PATH, RUNTIME_TABLE_PATH, renderRuntime } from '../../src/nixpkgs/generate.js';
import { runtimeLoadsOf, runtimeTable } from '../../src/nixpkgs/runtime.js';
import { normalizeDistName, parseRuntimeTable } from '../../src/nixpkgs/runtime-table.js';

const TSV = readFileSync(RUNTIME_TABLE_PATH, 'utf8');
const entries = parseRuntimeTable(TSV);

describe('runtime-load table', () => {
  it('data/runtime.json is generated from the current table', () => {
    expect(readFileSync(RUNTIME_DATA_PATH, 'utf8')).toBe(renderRuntime(TSV));
  });

  it('covers the distributions of issue 13', () => {
    for (const d of ['soundfile', 'sounddevice', 'PyOpenGL', 'python-magic', 'pyzbar', 'cairocffi', 'WeasyPrint', 'pynvml',
      'nvidia-ml-py', 'pyusb', 'python-vlc', 'pyglet', 'torch', 'triton', 'nvidia-cudnn-cu12', 'PyGObject']) {
      expect(runtimeLoadsOf(d).length, d).toBeGreaterThan(0);
    }
    expect(runtimeTable().size).toBe(new Set(entries.map((e) => e.dist)).size);
  });

  it('every library is classified: a nixpkgs package, the driver, or (cuDNN) the wheel itself', () => {
    for (const e of entries) {
      if (e.soname.startsWith('typelib:')) continue;
      const category = classifySoname(e.soname, { venvProviders: [] });
      if (e.dist.startsWith('nvidia-cudnn-')) {
        // Provided by the wheel's own directory: the resolution is the wheel or cudaPackages.cudnn.
        expect(e.bundled, e.soname).toMatch(/^nvidia\/cudnn\/lib\//);
        continue;
      }
      expect(['package', 'driver'], `${e.dist} ${e.soname}`).toContain(category);
      if (category === 'package') expect(embeddedIndex().has(e.soname)).toBe(true);
    }
  });

  it('the driver libraries are classified as driver, not as a package to pin', () => {
    expect(runtimeLoadsOf('pynvml').map((e) => classifySoname(e.soname, { venvProviders: [] }))).toEqual(['driver']);
    expect(runtimeLoadsOf('triton').map((e) => e.soname)).toEqual(['libcuda.so.1']);
  });

  it('says which packages depend on ctypes.util.find_library alone', () => {
    const only = entries.filter((e) => e.lookup.length === 1 && e.lookup[0] === 'find_library').map((e) => e.dist);
    expect(only.sort()).toEqual(['pyusb', 'pyzbar', 'sounddevice']);
  });

  it('PyGObject needs typelibs on GI_TYPELIB_PATH, not a library', () => {
    const [gi] = runtimeLoadsOf('pygobject');
    expect(gi?.soname).toBe('typelib:*');
    expect(gi?.note).toMatch(/GI_TYPELIB_PATH/);
  });

  it('normalises distribution names as PEP 503 does', () => {
    expect(normalizeDistName('Python_Magic')).toBe('python-magic');
    expect(normalizeDistName('nvidia.cudnn__cu12')).toBe('nvidia-cudnn-cu12');
    expect(runtimeLoadsOf('PyOpenGL').map((e) => e.soname)).toContain('libGL.so.1');
  });

  it('rejects malformed rows with the line number', () => {
    const row = (cols: string[]): string => cols.join('\t') + '\n';
    const ok = ['soundfile', 'libsndfile.so.1', 'cffi', 'find_library', 'required', '-', 'a/b@0123456789ab:x.py:1'];
    expect(parseRuntimeTable(row(ok))).toHaveLength(1);
    expect(() => parseRuntimeTable(row(ok) + row(ok))).toThrow(/runtime.tsv:2: duplicate/);
    expect(() => parseRuntimeTable(row(['SoundFile', ...ok.slice(1)]))).toThrow(/PEP 503/);
    expect(() => parseRuntimeTable(row([...ok.slice(0, 2), 'dlopen', ...ok.slice(3)]))).toThrow(/bad via/);
    expect(() => parseRuntimeTable(row([...ok.slice(0, 3), 'ldconfig', ...ok.slice(4)]))).toThrow(/bad lookup/);
    expect(() => parseRuntimeTable(row([...ok.slice(0, 4), 'sometimes', ...ok.slice(5)]))).toThrow(/bad when/);
    expect(() => parseRuntimeTable(row([...ok.slice(0, 6), 'trust me']))).toThrow(/bad evidence/);
    expect(() => parseRuntimeTable(row(ok.slice(0, 5)))).toThrow(/columns/);
  });
});
