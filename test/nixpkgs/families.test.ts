import { describe, expect, it } from 'vitest';
import { chooseFamilies } from '../../src/nixpkgs/families.js';
import { embeddedIndex } from '../../src/nixpkgs/embedded.js';
import { spellingTable } from '../../src/nixpkgs/spelling.js';
import type { Release } from '../../src/nixpkgs/releases.js';

const choose = (missing: string[], release?: Release) =>
  chooseFamilies(missing, { index: embeddedIndex(), spelling: spellingTable(), ...(release === undefined ? {} : { release }) });

// The object from issue 8: FFmpeg 5's libraries, libswresample.so.4 being shared by FFmpeg 5 and 6.
const FFMPEG5 = ['libavcodec.so.59', 'libavformat.so.59', 'libavutil.so.57', 'libswresample.so.4'];

describe('coherent families', () => {
  it('picks the one FFmpeg that provides every soname, where it exists', () => {
    const [c] = choose([...FFMPEG5, 'libz.so.1'], '24.05');
    expect(c).toMatchObject({ family: 'FFmpeg', version: '5' });
    expect(Object.values(c!.picks)).toEqual(['ffmpeg_5', 'ffmpeg_5', 'ffmpeg_5', 'ffmpeg_5']);
  });

  it('says which versions conflict and what exists when none provides all', () => {
    const [c] = choose(FFMPEG5, '25.11');
    expect(c!.version).toBeNull();
    expect(c!.picks).toEqual({});
    expect(c!.conflict).toContainEqual({ version: '5', provides: FFMPEG5, available: false });
    expect(c!.conflict).toContainEqual({ version: '6', provides: ['libswresample.so.4'], available: true });
    expect(c!.available).toEqual(expect.arrayContaining(['8', '7', '6']));
    expect(c!.available).not.toContain('5');
    expect(c!.message).toMatch(/no single FFmpeg version provides .* on nixpkgs 25\.11/);
  });

  it('a soname two versions share follows the rest of the object', () => {
    expect(choose(['libswresample.so.4', 'libavcodec.so.60'], '25.11')[0]).toMatchObject({ version: '6' });
    // Alone, the table's own pick.
    expect(choose(['libswresample.so.4'], '25.11')[0]).toMatchObject({ version: '6' });
    // FFmpeg 8 only from 25.11 on.
    expect(choose(['libavcodec.so.62', 'libavutil.so.60'], '25.05')[0]!.version).toBeNull();
    expect(choose(['libavcodec.so.62', 'libavutil.so.60'], '25.11')[0]!.version).toBe('8');
  });

  it('keeps ICU and CUDA majors together', () => {
    const icu = choose(['libicuuc.so.74', 'libicui18n.so.76'])[0]!;
    expect(icu.version).toBeNull();
    expect(icu.conflict!.map((c) => c.version)).toEqual(['76', '74']);
    expect(choose(['libicuuc.so.76', 'libicudata.so.76'])[0]).toMatchObject({ version: '76', picks: { 'libicuuc.so.76': 'icu76', 'libicudata.so.76': 'icu76' } });
    const cuda = choose(['libcudart.so.12', 'libcublas.so.12'], 'unstable')[0]!;
    expect(cuda.version).toBe('12');
    expect(cuda.picks).toEqual({ 'libcudart.so.12': 'cudaPackages.cuda_cudart', 'libcublas.so.12': 'cudaPackages.libcublas' });
    const mixed = choose(['libcudart.so.12', 'libcublas.so.11'], '24.11')[0]!;
    expect(mixed.version).toBeNull();
    expect(mixed.message).toContain('CUDA 12 provides libcudart.so.12');
  });

  it('reports nothing for objects outside the families', () => {
    expect(choose(['libz.so.1', 'libX11.so.6'])).toEqual([]);
  });
});

describe('families across a scan', () => {
  it('chooses per object, and turns a family conflict into a reason for every member', async () => {
    const { familiesByObject } = await import('../../src/nixpkgs/families.js');
    const missing = [
      { soname: 'libavcodec.so.59', neededBy: ['cv2/libopencv_videoio.so'] },
      { soname: 'libavformat.so.59', neededBy: ['cv2/libopencv_videoio.so'] },
      { soname: 'libswresample.so.4', neededBy: ['cv2/libopencv_videoio.so', 'av/_core.so'] },
      { soname: 'libavutil.so.58', neededBy: ['av/_core.so'] },
      { soname: 'libz.so.1', neededBy: ['av/_core.so'] },
    ];
    const ctx = { index: embeddedIndex(), spelling: spellingTable() };
    const old = familiesByObject(missing, { ...ctx, release: '24.05' });
    // av/_core.so (FFmpeg 6 libavutil + shared swresample) comes first by path and fixes swresample to 6.
    expect(old.picks.get('libavutil.so.58')).toBe('ffmpeg_6');
    expect(old.picks.get('libswresample.so.4')).toBe('ffmpeg_6');
    expect(old.picks.get('libavcodec.so.59')).toBe('ffmpeg_5');
    const now = familiesByObject(missing, { ...ctx, release: '26.05' });
    expect(now.conflicts.get('libavcodec.so.59')).toMatch(/^cv2\/libopencv_videoio\.so: no single FFmpeg version provides/);
    expect(now.picks.has('libz.so.1')).toBe(false);
  });
});
