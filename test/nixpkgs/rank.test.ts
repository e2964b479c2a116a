import { describe, expect, it } from 'vitest';
import { encodeIndex, decodeIndex } from '../../src/nixpkgs/cache.js';
import { parseLocateLine, type LocateHit } from '../../src/nixpkgs/nix-locate.js';
import { resolveSoname, type SonameIndex } from '../../src/nixpkgs/index.js';
import { embeddedIndex } from '../../src/nixpkgs/embedded.js';
import { splitStoreName, storeNameMatches } from '../../src/nixpkgs/rank.js';

/** Lines as nix-locate prints them: attribute.output, size, type, store path + file. */
function dump(lines: [attr: string, type: 'x' | 's' | 'r', storeName: string, path: string][]): string {
  return lines
    .map(([attr, type, store, path], i) => {
      const hash = String.fromCharCode(97 + i).repeat(32);
      return `${attr.padEnd(45)} ${(type === 's' ? 0 : 123456).toLocaleString('en-US').padStart(14)} ${type} /nix/store/${hash}-${store}/${path}`;
    })
    .join('\n');
}

function indexOf(text: string): SonameIndex {
  const hits = text.split('\n').map(parseLocateLine).filter((h): h is LocateHit => h !== null);
  const local = decodeIndex(encodeIndex(hits, 'test'), 'mem');
  return { embedded: embeddedIndex(), local, localFile: 'mem', provenance: local.provenance };
}

describe('ranking nix-locate hits', () => {
  it("puts the library's own package above an application bundling it under a shorter name", () => {
    const idx = indexOf(
      dump([
        ['qiv.out', 'x', 'qiv-2.3.3', 'lib/libjxl_cms.so.0.11'],
        ['libjxl.out', 's', 'libjxl-0.11.1', 'lib/libjxl_cms.so.0.11'],
      ]),
    );
    const r = resolveSoname('libjxl_cms.so.0.11', idx);
    expect(r.candidates.map((c) => c.attr)).toEqual(['libjxl', 'qiv']);
    expect(r.candidates[0]!.why).toContain('ahead of qiv on store name');
    expect(r.candidates[0]!.why).toContain("store name libjxl-0.11.1 is the library's own");
    expect(r.candidates[1]!.why).toContain("store name qiv-2.3.3 is not the library's");
  });

  it('uses file depth, then top level, then version, before attribute length', () => {
    const depth = resolveSoname(
      'libbar.so.1',
      indexOf(dump([['bar', 'x', 'bar-1.0', 'lib/bar/plugins/libbar.so.1'], ['barFull', 'x', 'bar-1.0', 'lib/libbar.so.1']]).replace(/^bar /m, 'bar.out ').replace(/^barFull /m, 'barFull.out ')),
    );
    expect(depth.candidates[0]!.attr).toBe('barFull');
    expect(depth.candidates[0]!.why).toContain('on file depth');

    const top = resolveSoname('libbaz.so.2', indexOf(dump([['(b.baz.out)', 'x', 'baz-2.0', 'lib/libbaz.so.2'], ['bazLong.out', 'x', 'baz-2.0', 'lib/libbaz.so.2']])));
    expect(top.candidates[0]!.attr).toBe('bazLong');
    expect(top.candidates[0]!.why).toContain('on top level');

    const version = resolveSoname('libqux.so.2', indexOf(dump([['qux.out', 'x', 'qux-3.0', 'lib/libqux.so.2'], ['qux_2.out', 'x', 'qux-2.4', 'lib/libqux.so.2']])));
    expect(version.candidates[0]!.attr).toBe('qux_2');
    expect(version.candidates[0]!.why).toContain('on version');

    const length = resolveSoname('libquux.so.1', indexOf(dump([['quuxFull.out', 'x', 'quux-1.0', 'lib/libquux.so.1'], ['quux.out', 'x', 'quux-1.0', 'lib/libquux.so.1']])));
    expect(length.candidates[0]!.attr).toBe('quux');
    expect(length.candidates[0]!.why).toContain('on attribute length');
  });

  it('still prefers the curated pick, and reads store names and versions', () => {
    const idx = indexOf(dump([['zulip.out', 'x', 'zulip-5.12.0-extracted', 'lib/libz.so.1'], ['zlib.out', 's', 'zlib-1.3.1', 'lib/libz.so.1']]));
    expect(resolveSoname('libz.so.1', idx).candidates[0]!.attr).toBe('zlib');
    expect(splitStoreName('libjpeg-turbo-3.0.4-lib')).toEqual({ name: 'libjpeg-turbo', version: '3.0.4' });
    expect(storeNameMatches('libjpeg-turbo-3.0.4', 'libjpeg.so.62')).toBe(true);
    expect(storeNameMatches('zlib-1.3.1', 'libz.so.1')).toBe(true);
    expect(storeNameMatches('libX11-1.8.12', 'libX11.so.6')).toBe(true);
    expect(storeNameMatches('foo-lib-2.0', 'libfoo.so.2')).toBe(true);
    expect(storeNameMatches('zulip-5.12.0-extracted', 'libz.so.1')).toBe(false);
  });
});
