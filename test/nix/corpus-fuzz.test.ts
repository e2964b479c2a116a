import { expect, it } from 'vitest';
import fc from 'fast-check';
import { describeWithTool } from '../helpers/tools.js';
import { nixParseText } from '../helpers/nix.js';
import { listRegions, loadCorpus } from '../helpers/nix-corpus.js';
import { changedLines } from '../../src/nix/diff.js';
import { findLibraryLists, parseNix, patchLibraryList } from '../../src/nix/index.js';
import { attrCovers } from '../../src/nixpkgs/attrs.js';

/**
 * Random requests against the corpus: any set of attributes, in any order, added at once or one
 * after the other, gives text that Nix parses, covers everything asked for, and is a fixed point.
 */

const corpus = loadCorpus();
const POOL = [
  'zlib', 'libGL', 'glib', 'openssl', 'xorg.libX11', 'stdenv.cc.cc', 'stdenv.cc.cc.lib', 'libxkbcommon',
  'fontconfig', 'cudaPackages.cudatoolkit', 'zstd', 'expat', 'gcc-unwrapped.lib', 'xorg.libXext', 'dbus',
];
const covers = (existing: string, wanted: string): boolean => attrCovers(existing, wanted);

const request = fc.record({
  c: fc.constantFrom(...corpus),
  first: fc.uniqueArray(fc.constantFrom(...POOL), { minLength: 1, maxLength: 4 }),
  second: fc.uniqueArray(fc.constantFrom(...POOL), { minLength: 1, maxLength: 3 }),
  driver: fc.boolean(),
});

describeWithTool('nix-instantiate', 'corpus under random requests', () => {
  it('patch, then patch again with more: parses (Nix agrees), covers all, idempotent', () => {
    fc.assert(
      fc.property(request, ({ c, first, second, driver }) => {
        const one = patchLibraryList(c.source, c.fileName, { add: first, driverPath: driver, attrCovers: covers });
        if (one.unplaced.length > 0) {
          // Nothing is half-done: what could not be placed leaves the text as it was.
          expect(one.added).toEqual([]);
          expect(one.text).toBe(c.source);
          return;
        }
        if (!one.createdLibraryPath) {
          // Only the lines of the lists (as found in the original) change.
          const regions = listRegions(c.source, c.fileName);
          const inside = (l: number): boolean => regions.some(([a, b]) => l >= a && l <= b);
          const { removed, insertedAfter } = changedLines(c.source, one.text);
          expect(removed.every(inside), `${c.name}: removed ${removed.join(',')} vs ${JSON.stringify(regions)}`).toBe(true);
          expect(insertedAfter.every((l) => inside(l) || inside(l + 1)), `${c.name}: inserted after ${insertedAfter.join(',')}`).toBe(true);
        }
        const two = patchLibraryList(one.text, c.fileName, { add: second, driverPath: false, attrCovers: covers });
        expect(two.unplaced).toEqual([]);
        expect(() => parseNix(two.text, c.fileName)).not.toThrow();
        const r = nixParseText(two.text);
        expect(r.ok, `${c.name} + ${first.join(',')} + ${second.join(',')}\n${r.stderr}\n${two.text}`).toBe(true);

        const cov = findLibraryLists(two.text, c.fileName);
        for (const want of [...first, ...second]) {
          expect(cov.attrs.some((e) => covers(e, want)), `${c.name}: ${want} in ${cov.attrs.join(' ')}`).toBe(true);
        }
        if (driver) expect(cov.driverPath).toBe(true);

        const again = patchLibraryList(two.text, c.fileName, { add: [...first, ...second], driverPath: driver, attrCovers: covers });
        expect(again.changed).toBe(false);
        expect(again.text).toBe(two.text);
      }),
      { numRuns: 60, seed: 20261126 },
    );
  });
});
