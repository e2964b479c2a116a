import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findLibraryLists, parseNix, patchLibraryList } from '../../src/nix/index.js';
import { sameLibrary } from '../../src/nixpkgs/attrs.js';
import { nixParseText } from '../helpers/nix.js';
import { describeWithTool } from '../helpers/tools.js';

const ATTRS = ['zlib', 'glib', 'libGL', 'stdenv.cc.cc', 'stdenv.cc.cc.lib', 'xorg.libX11', 'openssl', 'gcc-unwrapped.lib', 'cudaPackages.cudatoolkit'];

interface Shape {
  /** Text before the list, the list itself, text after it: the patch may only touch the list. */
  before: string;
  list: string;
  after: string;
  existing: string[];
}

const COMMENTS = ['# a note', '/* block */', '# pkgs.libGL', '/* pkgs.zlib */'];

const shape = fc
  .record({
    existing: fc.uniqueArray(fc.constantFrom(...ATTRS), { maxLength: 4 }),
    bare: fc.boolean(),
    multiLine: fc.boolean(),
    tabs: fc.boolean(),
    comments: fc.array(fc.tuple(fc.nat(4), fc.constantFrom(...COMMENTS)), { maxLength: 3 }),
    container: fc.constantFrom('let', 'attr', 'rec', 'hook', 'env'),
    finalNewline: fc.boolean(),
  })
  .map((o): Shape => {
    const unit = o.tabs ? '\t' : '  ';
    const name = (a: string): string => (o.bare ? a : `pkgs.${a}`);
    const items: string[] = o.existing.map(name);
    for (const [at, c] of o.comments) {
      // A line comment must end its line, so it only goes into multi-line lists.
      if (c.startsWith('#') && !o.multiLine) continue;
      items.splice(Math.min(at, items.length), 0, c);
    }
    const depth = o.container === 'hook' ? 3 : 2;
    const list = o.multiLine
      ? `[\n${items.map((i) => `${unit.repeat(depth)}${i}\n`).join('')}${unit.repeat(depth - 1)}]`
      : `[ ${items.join(' ')}${items.length ? ' ' : ''}]`;
    const lp = o.bare ? 'pkgs.lib.makeLibraryPath (with pkgs; ' : 'pkgs.lib.makeLibraryPath (';
    const end = o.finalNewline ? '}\n' : '}';
    switch (o.container) {
      case 'let':
        return { before: `{ pkgs }:\nlet\n${unit}libs = ${o.bare ? 'with pkgs; ' : ''}`, list, after: `;\nin pkgs.mkShell {\n${unit}LD_LIBRARY_PATH = pkgs.lib.makeLibraryPath libs;\n${end}`, existing: o.existing };
      case 'attr':
        return { before: `{ pkgs }:\npkgs.mkShell {\n${unit}LD_LIBRARY_PATH = ${lp}`, list, after: `);\n${end}`, existing: o.existing };
      case 'rec':
        return { before: `{ pkgs }:\npkgs.mkShell rec {\n${unit}buildInputs = ${o.bare ? 'with pkgs; ' : ''}`, list, after: `;\n${unit}LD_LIBRARY_PATH = pkgs.lib.makeLibraryPath buildInputs;\n${end}`, existing: o.existing };
      case 'hook':
        return { before: `{ pkgs }:\npkgs.mkShell {\n${unit}shellHook = ''\n${unit}${unit}export LD_LIBRARY_PATH=\${${lp}`, list, after: `)}:$LD_LIBRARY_PATH\n${unit}'';\n${end}`, existing: o.existing };
      default:
        return { before: `{ pkgs, ... }:\n{\n${unit}env.NIX_LD_LIBRARY_PATH = ${lp}`, list, after: `);\n${end}`, existing: o.existing };
    }
  });

const wanted = fc.uniqueArray(fc.constantFrom(...ATTRS), { minLength: 1, maxLength: 4 });

function check(s: Shape, add: string[]): string {
  const src = s.before + s.list + s.after;
  const r = patchLibraryList(src, 'flake.nix', { add });
  // Only the list changed.
  expect(r.text.startsWith(s.before)).toBe(true);
  expect(r.text.endsWith(s.after)).toBe(true);
  const newList = r.text.slice(s.before.length, r.text.length - s.after.length);
  // Comments are kept verbatim, and in order.
  const comments = COMMENTS.filter((c) => s.list.includes(c));
  for (const c of comments) expect(newList).toContain(c);
  // Everything wanted is covered now; what was there is still there, first, in order.
  const after = findLibraryLists(r.text, 'flake.nix');
  for (const w of add) expect(after.attrs.some((a) => sameLibrary(a, w))).toBe(true);
  expect(after.attrs.slice(0, s.existing.length)).toEqual(s.existing);
  // Added exactly what was not covered before.
  const missing = add.filter((w) => !s.existing.some((e) => sameLibrary(e, w)));
  expect(r.added).toEqual(missing);
  expect(r.changed).toBe(missing.length > 0);
  // Parses, and a second run is a no-op.
  parseNix(r.text, 'flake.nix');
  const again = patchLibraryList(r.text, 'flake.nix', { add });
  expect(again.changed).toBe(false);
  return r.text;
}

describe('patchLibraryList properties', () => {
  it('edits only the list, keeps comments and order, covers the wanted attrs, is idempotent', () => {
    fc.assert(fc.property(shape, wanted, (s, add) => void check(s, add)), { numRuns: 400 });
  });
});

describeWithTool('nix-instantiate', 'patched texts parse with nix-instantiate', () => {
  it('for generated shapes', () => {
    fc.assert(
      fc.property(shape, wanted, (s, add) => {
        const out = check(s, add);
        const r = nixParseText(out);
        expect(r.stderr).toBe('');
      }),
      { numRuns: 40 },
    );
  });
});
