import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseRenames, renderRenames } from '../../src/nixpkgs/renames.js';
import { buildSpellingTable, RENAMES_PATH, samePackage, spellingFor, spellingTable, stateOn } from '../../src/nixpkgs/spelling.js';
import { embeddedIndex } from '../../src/nixpkgs/embedded.js';
import { resolveSoname, type SonameIndex } from '../../src/nixpkgs/index.js';
import { attrCovers, sameLibrary } from '../../src/nixpkgs/attrs.js';
import { RELEASES, type Release } from '../../src/nixpkgs/releases.js';

const TSV = readFileSync(resolve(__dirname, '../../src/nixpkgs/data/renames.tsv'), 'utf8');
const index: SonameIndex = { embedded: embeddedIndex(), local: null, localFile: null, provenance: null };

describe('rename table', () => {
  it('data/renames.json is generated from the current table', () => {
    expect(readFileSync(RENAMES_PATH, 'utf8')).toBe(renderRenames(TSV));
  });

  it('keeps evidence beside every fact and a way out beside every throw', () => {
    const rows = parseRenames(TSV);
    expect(rows.length).toBeGreaterThan(100);
    for (const r of rows) {
      expect(r.evidence.length, r.attr).toBeGreaterThan(20);
      if (r.state === 'throw') expect(r.wayOut, r.attr).toBeTruthy();
    }
  });

  it('rejects malformed rows', () => {
    expect(() => parseRenames('a\tb\t24.11-24.05\tok\tev\n')).toThrow(/bad release range/);
    expect(() => parseRenames('a\tb\t*\tmaybe\tev\n')).toThrow(/bad state/);
    expect(() => parseRenames('a\tb\t*\tok\t-\n')).toThrow(/evidence/);
    expect(() => parseRenames('a\tb\t*\tthrow\tev\n')).toThrow(/way out/);
    expect(() => parseRenames('a\tb\t-25.05\tok\tev\na\tb\t25.05-\twarn\tev\n')).toThrow(/overlapping/);
    expect(() => parseRenames('a\tb\t*\tok\tE-NOPE\n')).toThrow(/undefined evidence key/);
  });

  it('spells a package for each release', () => {
    const t = spellingTable();
    const on = (attr: string, r: Release) => spellingFor(t, attr, r).attr;
    expect(on('libx11', '24.11')).toBe('xorg.libX11');
    expect(on('libx11', '25.11')).toBe('xorg.libX11');
    expect(on('libx11', '26.05')).toBe('libx11');
    expect(on('xorg.libX11', 'unstable')).toBe('libx11');
    expect(on('libx11', 'unstable')).toBe('libx11');
    expect(on('zlib', '24.05')).toBe('zlib');
    expect(stateOn(t, 'xorg.libX11', 'unstable').state).toBe('warn');
    const gone = spellingFor(t, 'cudaPackages_11.libcublas', '26.05');
    expect(gone.attr).toBeNull();
    expect(gone.state).toBe('throw');
    expect(gone.wayOut).toContain('cudaPackages_12');
  });

  it('falls back to a warning spelling, and names the release that has a missing one', () => {
    const t = buildSpellingTable(
      parseRenames('new\told\t*\twarn\tev ev ev\nnew\tnew\t26.05-\tok\tev ev ev\nlater\tlater\t26.11-\tok\tev ev ev\n'),
    );
    expect(spellingFor(t, 'new', '24.11')).toMatchObject({ attr: 'old', state: 'warn' });
    expect(spellingFor(t, 'later', '25.05')).toMatchObject({ attr: null, state: 'absent' });
    expect(spellingFor(t, 'later', '25.05').wayOut).toContain('from nixpkgs 26.11 on');
  });

  it('treats every spelling of one package on any release as the same library', () => {
    expect(samePackage(spellingTable(), 'xorg.libX11', 'libx11')).toBe(true);
    expect(sameLibrary('xorg.libX11', 'libx11')).toBe(true);
    expect(sameLibrary('pkgs.xorg.libXScrnSaver', 'libxscrnsaver')).toBe(true);
    expect(sameLibrary('xorg.xcbutilwm', 'libxcb-wm')).toBe(true);
    expect(sameLibrary('unixODBC', 'unixodbc')).toBe(true);
    expect(sameLibrary('tbb', 'onetbb')).toBe(true);
    // Case alone no longer makes two attributes one: the table does.
    expect(sameLibrary('xorg.libX11', 'libX11')).toBe(false);
    expect(sameLibrary('libx11', 'libxext')).toBe(false);
    expect(attrCovers('xorg.libX11', 'libx11', 'libX11.so.6')).toBe(true);
    expect(attrCovers('xorg.libxcb', 'libxcb')).toBe(true);
  });
});

describe('per-release picks against a table built from nixpkgs files', () => {
  const FIX = readFileSync(resolve(__dirname, 'fixtures/per-release.tsv'), 'utf8');
  const rows = FIX.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('#')).map((l) => l.split('\t'));
  for (const [release, soname, valid] of rows as [Release, string, string][]) {
    it(`${soname} on ${release}`, () => {
      expect(RELEASES).toContain(release);
      const r = resolveSoname(soname, index, { release });
      if (valid === '-') {
        expect(r.candidates).toEqual([]);
        expect(r.note).toMatch(new RegExp(`nothing in nixpkgs ${release.replace('.', '\\.')} provides it`));
      } else {
        expect(valid.split(',')).toContain(r.candidates[0]?.attr);
      }
    });
  }

  it('never offers a spelling that throws on the release', () => {
    const t = spellingTable();
    for (const release of RELEASES) {
      for (const soname of embeddedIndex().keys()) {
        const r = resolveSoname(soname, index, { release });
        for (const a of [...r.candidates.map((c) => c.attr), ...(r.accepted ?? [])]) {
          expect(stateOn(t, a, release).state, `${soname} ${a} on ${release}`).not.toBe('throw');
          expect(stateOn(t, a, release).state === 'absent' && r.candidates.some((c) => c.attr === a), `${soname} ${a} on ${release}`).toBe(false);
        }
      }
    }
  });

  it('keeps a spelling already in the file, and says why a pick changed', () => {
    const kept = resolveSoname('libX11.so.6', index, { release: 'unstable', preferAttrs: ['xorg.libX11'] });
    expect(kept.candidates[0]?.attr).toBe('xorg.libX11');
    const old = resolveSoname('libX11.so.6', index, { release: '24.11' });
    expect(old.candidates[0]?.why).toContain('spelled for nixpkgs 24.11');
    // A throwing spelling in the file is not kept.
    const cuda = resolveSoname('libcudart.so.11.0', index, { release: '26.05', preferAttrs: ['cudaPackages_11.cuda_cudart'] });
    expect(cuda.candidates).toEqual([]);
    expect(cuda.note).toContain('CUDA 11 was removed');
  });
});
