import { describe, expect, it } from 'vitest';
import { analyse, coveredSummary } from '../../src/plan/analysis.js';
import { buildDistIndex } from '../../src/project/dists.js';
import type { Engine, NixLists, PlanScan, Resolution } from '../../src/plan/engine.js';
import { parseLoaderErrors } from '../../src/plan/error-text.js';
import { EMPTY_CONFIG } from '../../src/project/pyproject.js';
import type { Category, MissingSoname } from '../../src/scan/types.js';

// A small resolver table standing in for the real index: the logic under test is analyse's.
const PICKS: Record<string, { attr: string; category: Category; alts?: string[] }> = {
  'libstdc++.so.6': { attr: 'stdenv.cc.cc.lib', category: 'package' },
  'libz.so.1': { attr: 'zlib', category: 'package' },
  'libGL.so.1': { attr: 'libGL', category: 'package' },
  'libEGL.so.1': { attr: 'libGL', category: 'package' },
  'libX11.so.6': { attr: 'libx11', category: 'package', alts: ['xorg.libX11'] },
  'libcuda.so.1': { attr: '', category: 'driver' },
};
const SAME = [['stdenv.cc.cc.lib', 'stdenv.cc.cc', 'gcc-unwrapped.lib'], ['libx11', 'xorg.libX11']];

function fakeEngine(lists: NixLists): Engine {
  const same = (a: string, b: string): boolean => a === b || SAME.some((g) => g.includes(a) && g.includes(b));
  return {
    scan: () => Promise.reject(new Error('not used')),
    resolve: (soname): Resolution => {
      const p = PICKS[soname];
      if (!p) return { soname, category: 'unknown', candidates: [] };
      if (p.category !== 'package') return { soname, category: p.category, candidates: [], note: 'driver note' };
      return {
        soname,
        category: 'package',
        candidates: [p.attr, ...(p.alts ?? [])].map((attr) => ({ attr, why: `ships lib/${soname}` })),
      };
    },
    classify: (soname, providers) => (providers.length > 0 ? 'venv' : (PICKS[soname]?.category ?? 'unknown')),
    lists: () => lists,
    patch: () => {
      throw new Error('not used');
    },
    covers: (existing, wanted) => same(existing, wanted),
    definedVersions: () => null,
  };
}

function scanOf(missing: MissingSoname[], objects: string[] = []): PlanScan {
  return {
    result: { root: '/p/.venv', env: 'nixos', objects: objects.length, skipped: [], missing, versionErrors: [] },
    objects: objects.map((path) => ({ path, soname: path.endsWith('libcudart.so.12') ? 'libcudart.so.12' : null, glibc: null })),
    versionDefinitions: new Map(),
  };
}

const SP = 'lib/python3.12/site-packages';
const missing = (soname: string, category: Category, ...neededBy: string[]): MissingSoname => ({ soname, category, neededBy });

describe('analyse', () => {
  it('adds uncovered picks once, counts equivalent spellings as covered, wants the driver path', () => {
    const engine = fakeEngine({ attrs: ['zlib', 'stdenv.cc.cc'], driverPath: false, hasLibraryPath: true });
    const a = analyse(engine, {
      scan: scanOf([
        missing('libGL.so.1', 'package', `${SP}/a/x.so`),
        missing('libEGL.so.1', 'package', `${SP}/a/x.so`),
        missing('libz.so.1', 'package', `${SP}/b/y.so`),
        missing('libstdc++.so.6', 'package', `${SP}/b/y.so`),
        missing('libcuda.so.1', 'driver', `${SP}/g/k.so`),
        missing('libacme.so.2', 'unknown', `${SP}/c/z.so`),
      ]),
      config: EMPTY_CONFIG,
      nix: { file: '/p/flake.nix', source: '' },
      findings: [],
      dists: buildDistIndex([]),
    });
    expect(a.add).toEqual(['libGL']);
    expect(a.addDriverPath).toBe(true);
    expect(a.unknown).toEqual(['libacme.so.2']);
    const byName = Object.fromEntries(a.items.map((i) => [i.soname, i]));
    expect(byName['libstdc++.so.6']).toMatchObject({ covered: true, coveredBy: 'stdenv.cc.cc', pick: 'stdenv.cc.cc.lib' });
    expect(byName['libz.so.1']).toMatchObject({ covered: true, coveredBy: 'zlib', distributions: ['b'] });
    expect(byName['libGL.so.1']).toMatchObject({ covered: false, pick: 'libGL', why: 'ships lib/libGL.so.1' });
    expect(coveredSummary(a)).toEqual([
      { attr: 'stdenv.cc.cc', sonames: ['libstdc++.so.6'] },
      { attr: 'zlib', sonames: ['libz.so.1'] },
    ]);
  });

  it('counts an accepted alternative already in the file as covering', () => {
    const engine = fakeEngine({ attrs: ['xorg.libX11'], driverPath: true, hasLibraryPath: true });
    const a = analyse(engine, {
      scan: scanOf([missing('libX11.so.6', 'package', `${SP}/a/x.so`), missing('libcuda.so.1', 'driver', `${SP}/a/x.so`)]),
      config: EMPTY_CONFIG,
      nix: { file: '/p/flake.nix', source: '' },
      findings: [],
      dists: buildDistIndex([]),
    });
    expect(a.add).toEqual([]);
    expect(a.addDriverPath).toBe(false);
    expect(a.items.every((i) => i.covered)).toBe(true);
  });

  it('honours [tool.nixpy] ignore and extra', () => {
    const engine = fakeEngine({ attrs: ['zlib'], driverPath: false, hasLibraryPath: true });
    const a = analyse(engine, {
      scan: scanOf([missing('libacme.so.2', 'unknown', `${SP}/c/z.so`), missing('libGL.so.1', 'package', `${SP}/a/x.so`)]),
      config: { ...EMPTY_CONFIG, ignore: ['libacme.so.2'], extra: ['ffmpeg', 'zlib', 'libGL'] },
      nix: { file: '/p/flake.nix', source: '' },
      findings: [],
      dists: buildDistIndex([]),
    });
    expect(a.ignored).toEqual(['libacme.so.2']);
    expect(a.unknown).toEqual([]);
    expect(a.extraMissing).toEqual(['ffmpeg', 'libGL']);
    expect(a.add).toEqual(['libGL', 'ffmpeg']);
  });

  it('brings in libraries only the error names, first, classifying them', () => {
    const engine = fakeEngine({ attrs: [], driverPath: false, hasLibraryPath: false });
    const findings = parseLoaderErrors(
      'OSError: libcuda.so.1: cannot open shared object file: No such file or directory\n' +
        'OSError: libcudart.so.12: cannot open shared object file: No such file or directory\n',
    );
    const a = analyse(engine, {
      scan: scanOf([missing('libz.so.1', 'package', `${SP}/b/y.so`)], [`${SP}/nvidia/cuda_runtime/lib/libcudart.so.12`]),
      config: EMPTY_CONFIG,
      nix: null,
      findings,
      dists: buildDistIndex([]),
    });
    expect(a.items.map((i) => [i.soname, i.category, i.fromError, i.notInScan])).toEqual([
      ['libcuda.so.1', 'driver', true, true],
      ['libcudart.so.12', 'venv', true, true],
      ['libz.so.1', 'package', false, false],
    ]);
    expect(a.items[1]!.providedBy).toEqual([`${SP}/nvidia/cuda_runtime/lib/libcudart.so.12`]);
    expect(a.nixLists).toBeNull();
    expect(a.add).toEqual(['zlib']);
    expect(a.addDriverPath).toBe(true);
  });

  it('turns a pasted version error into a version problem with advice', () => {
    const engine = fakeEngine({ attrs: [], driverPath: false, hasLibraryPath: false });
    const a = analyse(engine, {
      scan: scanOf([]),
      config: EMPTY_CONFIG,
      nix: null,
      findings: parseLoaderErrors(
        "ImportError: /nix/store/x-gcc-12.3.0-lib/lib/libstdc++.so.6: version `GLIBCXX_3.4.32' not found (required by /p/.venv/lib/python3.12/site-packages/pyarrow/libarrow.so.1800)",
      ),
      dists: buildDistIndex([]),
    });
    expect(a.versionProblems).toEqual([
      expect.objectContaining({
        neededBy: `${SP}/pyarrow/libarrow.so.1800`,
        soname: 'libstdc++.so.6',
        libraryPath: '/nix/store/x-gcc-12.3.0-lib/lib/libstdc++.so.6',
        missing: ['GLIBCXX_3.4.32'],
        providesUpTo: null,
      }),
    ]);
    expect(a.versionProblems[0]!.advice).toContain('gcc13.cc.lib');
  });
});
