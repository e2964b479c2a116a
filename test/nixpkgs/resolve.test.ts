import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { encodeIndex, decodeIndex } from '../../src/nixpkgs/cache.js';
import { parseLocateLine, type LocateHit } from '../../src/nixpkgs/nix-locate.js';
import { embeddedIndex } from '../../src/nixpkgs/embedded.js';
import { resolveSoname, attrCovers, sameLibrary, DRIVER_ELEMENT, type SonameIndex } from '../../src/nixpkgs/index.js';
import { pushDownReason, rankCandidates } from '../../src/nixpkgs/rank.js';

function indexFrom(lines: string[]): SonameIndex {
  const hits = lines.map(parseLocateLine).filter((h): h is LocateHit => h !== null);
  const local = decodeIndex(encodeIndex(hits, 'test'), 'mem');
  return { embedded: embeddedIndex(), local, localFile: 'mem', provenance: local.provenance };
}
const DUMP = readFileSync(resolve(__dirname, '../../fixtures/nix-locate/dump.txt'), 'utf8').trim().split('\n');
const full = indexFrom(DUMP);
const embeddedOnly: SonameIndex = { embedded: embeddedIndex(), local: null, localFile: null, provenance: null };
const H = (n: string) => `/nix/store/${n.padEnd(32, 'a').slice(0, 32)}-x`;

describe('resolveSoname', () => {
  it('embedded only: one curated candidate with a reason', () => {
    const r = resolveSoname('libz.so.1', embeddedOnly);
    expect(r.category).toBe('package');
    expect(r.candidates).toEqual([{ attr: 'zlib', output: 'out', path: 'lib/libz.so.1', source: 'embedded', why: expect.stringMatching(/curated pick/) }]);
  });

  it('merges nix-locate hits of the curated attribute into the embedded candidate', () => {
    const r = resolveSoname('libstdc++.so.6', full);
    expect(r.candidates[0]).toMatchObject({ attr: 'stdenv.cc.cc.lib', source: 'embedded' });
    expect(r.candidates[0]!.why).toMatch(/confirmed by nix-locate/);
    expect(r.candidates.map((c) => c.attr)).not.toContain('gcc-unwrapped');
  });

  it('ranks clean lib/ providers first, pushes down bundles, other package sets, parenthesised hits', () => {
    const attrs = resolveSoname('libz.so.1', full).candidates.map((c) => c.attr);
    expect(attrs[0]).toBe('zlib');
    // pushed-down ones all come after every clean candidate
    const firstPushed = attrs.findIndex((a) => pushDownReason(a) !== null);
    expect(attrs.slice(firstPushed).every((a) => pushDownReason(a) !== null)).toBe(true);
    expect(new Set(attrs)).toEqual(new Set(['zlib', 'pkgsStatic.zlib', 'pkgsi686Linux.zlib', 'steam-run', 'zulip']));
    const zulip = resolveSoname('libz.so.1', full).candidates.find((c) => c.attr === 'zulip')!;
    expect(zulip.why).toMatch(/bundles its own copy/);
    expect(zulip.why).toMatch(/deeper/);
  });

  it('a soname only nix-locate knows becomes a package with a nix-locate pick', () => {
    expect(resolveSoname('libfoo.so.3', embeddedOnly).category).toBe('unknown');
    const r = resolveSoname('libfoo.so.3', full);
    expect(r.category).toBe('package');
    expect(r.candidates[0]).toMatchObject({ attr: 'libfoo', output: 'out', path: 'lib/libfoo.so.3', source: 'nix-locate' });
  });

  it('names the output when getLib would pick a different one', () => {
    const r = resolveSoname('libbar.so.2', full);
    expect(r.candidates.map((c) => c.attr).sort()).toEqual(['libbar', 'libbar.out']);
  });

  it('file at lib/<soname> beats a deeper file; top-level beats parenthesised', () => {
    const idx = indexFrom([
      `deep.out 1 x ${H('d')}/lib/sub/libq.so.1`,
      `(hidden.out) 1 x ${H('h')}/lib/libq.so.1`,
      `plain.out 1 x ${H('p')}/lib/libq.so.1`,
    ]);
    expect(resolveSoname('libq.so.1', idx).candidates.map((c) => c.attr)).toEqual(['plain', 'hidden', 'deep']);
  });

  it('attributes already in the user file win ties, then shorter attribute paths', () => {
    const idx = indexFrom([
      `aaa.bbb.out 1 x ${H('a')}/lib/libq.so.1`,
      `zzz.out 1 x ${H('z')}/lib/libq.so.1`,
      `mmm.out 1 x ${H('m')}/lib/libq.so.1`,
    ]);
    expect(resolveSoname('libq.so.1', idx).candidates.map((c) => c.attr)).toEqual(['mmm', 'zzz', 'aaa.bbb']);
    const r = resolveSoname('libq.so.1', idx, { preferAttrs: ['aaa.bbb'] });
    expect(r.candidates[0]!.attr).toBe('aaa.bbb');
    expect(r.candidates[0]!.why).toMatch(/already in your Nix file/);
  });

  it('an accepted old spelling in the user file is kept as the pick', () => {
    const r = resolveSoname('libXss.so.1', embeddedOnly, { preferAttrs: ['xorg.libXScrnSaver'] });
    expect(r.candidates[0]!.attr).toBe('xorg.libXScrnSaver');
    expect(r.candidates[0]!.why).toMatch(/accepted spelling of libxscrnsaver/);
    expect(resolveSoname('libXss.so.1', embeddedOnly).candidates[0]!.attr).toBe('libxscrnsaver');
    expect(r.accepted).toContain('libxscrnsaver');
  });

  it('driver: no package, advice to use the driver path', () => {
    const r = resolveSoname('libcuda.so.1', full);
    expect(r.category).toBe('driver');
    expect(r.candidates).toEqual([]); // even though nix-locate lists nvidia_x11
    expect(r.note).toContain(DRIVER_ELEMENT);
    expect(DRIVER_ELEMENT).toBe('addDriverRunpath.driverLink');
    expect(r.note).toMatch(/never pin linuxPackages\.nvidia_x11/);
  });

  it('venv: says where, keeps package candidates', () => {
    const r = resolveSoname('libcublas.so.12', embeddedOnly, { venvProviders: ['lib/python3.12/site-packages/nvidia/cublas/lib/libcublas.so.12'] });
    expect(r.category).toBe('venv');
    expect(r.note).toMatch(/nvidia\/cublas\/lib/);
    expect(r.note).toMatch(/preloaded or on the library path/);
    expect(r.candidates[0]!.attr).toBe('cudaPackages.libcublas');
  });

  it('glibc: nothing to add', () => {
    const r = resolveSoname('libm.so.6', full);
    expect(r).toMatchObject({ category: 'glibc', candidates: [] });
  });

  it('curated notes reach the resolution', () => {
    expect(resolveSoname('libssl.so.1.1', embeddedOnly).note).toMatch(/insecure/);
  });
});

describe('attribute equivalence', () => {
  it('gcc lib spellings are one library', () => {
    for (const a of ['stdenv.cc.cc', 'stdenv.cc.cc.lib', 'gcc-unwrapped.lib', 'gcc-unwrapped', 'gcc.cc.lib']) {
      expect(attrCovers(a, 'stdenv.cc.cc.lib'), a).toBe(true);
      expect(attrCovers('stdenv.cc.cc.lib', a), a).toBe(true);
    }
    expect(attrCovers('gcc', 'stdenv.cc.cc.lib')).toBe(false);
    expect(attrCovers('zlib', 'stdenv.cc.cc.lib')).toBe(false);
  });
  it('renamed attributes count as covering', () => {
    expect(attrCovers('xorg.libX11', 'libx11')).toBe(true);
    expect(attrCovers('xorg.libXScrnSaver', 'libxscrnsaver')).toBe(true);
    expect(attrCovers('xorg.libXScrnSaver', 'libxscrnsaver', 'libXss.so.1')).toBe(true);
    expect(attrCovers('libglvnd', 'libGL')).toBe(true);
    expect(attrCovers('alsaLib', 'alsa-lib')).toBe(true);
    expect(attrCovers('xorg.libXext', 'libx11')).toBe(false);
    expect(attrCovers('zlib.out', 'zlib')).toBe(true);
    expect(attrCovers('pkgs.zlib', 'zlib')).toBe(true);
    expect(attrCovers('zlib', 'zlib-ng')).toBe(false);
    expect(sameLibrary('ffmpeg', 'ffmpeg_7')).toBe(false); // equal today, not by definition
    expect(attrCovers('ffmpeg_7-headless', 'ffmpeg_7', 'libavcodec.so.61')).toBe(true);
    // the unversioned ffmpeg moves to newer majors: it must not count as covering FFmpeg 7's soname
    expect(attrCovers('ffmpeg', 'ffmpeg_7', 'libavcodec.so.61')).toBe(false);
  });
});

describe('rankCandidates', () => {
  it('is a total order independent of input order', () => {
    const base = [
      { attr: 'steam-run', path: 'lib/libz.so.1', topLevel: true, curated: false, preferred: false },
      { attr: 'zlib', path: 'lib/libz.so.1', topLevel: true, curated: true, preferred: false },
      { attr: 'b', path: 'lib/x/libz.so.1', topLevel: true, curated: false, preferred: false },
      { attr: 'a', path: 'lib/libz.so.1', topLevel: false, curated: false, preferred: false },
    ];
    const expected = rankCandidates(base, 'libz.so.1').map((c) => c.attr);
    expect(expected).toEqual(['zlib', 'a', 'b', 'steam-run']);
    expect(rankCandidates([...base].reverse(), 'libz.so.1').map((c) => c.attr)).toEqual(expected);
  });
  it('push-down list', () => {
    for (const a of ['steam-run', 'steam', 'zulip', 'steam-fhsenv-without-steam', 'buildFHSEnv', 'foo-fhs', 'foo-unwrapped', 'pkgsi686Linux.zlib', 'pkgsStatic.zlib', 'pkgsCross.aarch64-multiplatform.zlib', 'pkgsMusl.zlib', 'pkgsLLVM.zlib']) {
      expect(pushDownReason(a), a).not.toBeNull();
    }
    for (const a of ['zlib', 'libGL', 'stdenv.cc.cc.lib', 'cudaPackages.libcublas', 'python3Packages.numpy', 'steamcmd-helper-lib']) {
      expect(pushDownReason(a), a).toBeNull();
    }
  });
});
