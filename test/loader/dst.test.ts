import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { expandDst, originOf, splitSearchPath, LD_LIBRARY_PATH_SEPARATORS, RPATH_SEPARATORS } from '../../src/loader/dst.js';
import { searchSubdirs, supportedIsaLevels } from '../../src/loader/hwcaps.js';

const v = { origin: '/opt/app/lib', lib: 'lib/x86_64-linux-gnu', platform: 'x86_64' };

describe('dynamic string tokens (glibc _dl_dst_substitute)', () => {
  it('expands $ORIGIN, ${ORIGIN}, $LIB, $PLATFORM anywhere in the string', () => {
    expect(expandDst('$ORIGIN/../lib', v)).toBe('/opt/app/lib/../lib');
    expect(expandDst('${ORIGIN}/x', v)).toBe('/opt/app/lib/x');
    expect(expandDst('/usr/$LIB/a:$PLATFORM', v)).toBe('/usr/lib/x86_64-linux-gnu/a:x86_64');
    expect(expandDst('pre${PLATFORM}post', v)).toBe('prex86_64post');
  });
  it('leaves unknown tokens and identifier-continued names alone', () => {
    expect(expandDst('$ORIGINAL/x', v)).toBe('$ORIGINAL/x');
    expect(expandDst('$HOME/x', v)).toBe('$HOME/x');
    expect(expandDst('${ORIGIN/x', v)).toBe('${ORIGIN/x');
    expect(expandDst('a$', v)).toBe('a$');
  });
  it('drops the element when a known token has no value', () => {
    expect(expandDst('$ORIGIN/x', { ...v, origin: null })).toBeNull();
  });
  it('strings without "$" come back unchanged', () => {
    fc.assert(fc.property(fc.string().filter((s) => !s.includes('$')), (s) => expandDst(s, v) === s));
  });
});

describe('search path lists (glibc fillin_rpath)', () => {
  it('splits RPATH on ":" only and LD_LIBRARY_PATH on ":" and ";"', () => {
    expect(splitSearchPath('/a;/b:/c', RPATH_SEPARATORS, v)).toEqual(['/a;/b/', '/c/']);
    expect(splitSearchPath('/a;/b:/c', LD_LIBRARY_PATH_SEPARATORS, v)).toEqual(['/a/', '/b/', '/c/']);
  });
  it('keeps an empty element as the current directory, trims trailing slashes, drops repeats', () => {
    expect(splitSearchPath(':/a//:/a:/', LD_LIBRARY_PATH_SEPARATORS, v)).toEqual(['', '/a/', '/']);
  });
  it('does not normalise', () => {
    expect(splitSearchPath('$ORIGIN/./x/../y', RPATH_SEPARATORS, v)).toEqual(['/opt/app/lib/./x/../y/']);
  });
  it('origin is the directory of the name loaded, cwd-prefixed when relative', () => {
    expect(originOf('/a/b/libx.so', '/cwd')).toBe('/a/b');
    expect(originOf('./libx.so', '/cwd')).toBe('/cwd/.');
    expect(originOf('libx.so', '/cwd/')).toBe('/cwd');
    expect(originOf('/libx.so', '/cwd')).toBe('/');
  });
});

describe('glibc-hwcaps levels', () => {
  const v2 = ['cx16', 'lahf_lm', 'popcnt', 'pni', 'sse4_1', 'sse4_2', 'ssse3'];
  const v3 = ['avx', 'avx2', 'bmi1', 'bmi2', 'f16c', 'fma', 'abm', 'movbe', 'xsave'];
  const v4 = ['avx512f', 'avx512bw', 'avx512cd', 'avx512dq', 'avx512vl'];
  it('needs every flag of a level and of the levels below it', () => {
    expect(supportedIsaLevels(new Set())).toEqual([]);
    expect(supportedIsaLevels(new Set(v2))).toEqual(['x86-64-v2']);
    expect(supportedIsaLevels(new Set([...v2, ...v3]))).toEqual(['x86-64-v3', 'x86-64-v2']);
    expect(supportedIsaLevels(new Set([...v2, ...v3.slice(1), ...v4]))).toEqual(['x86-64-v2']);
    expect(supportedIsaLevels(new Set([...v2, ...v3, ...v4]))).toEqual(['x86-64-v4', 'x86-64-v3', 'x86-64-v2']);
  });
  it('subdirectories: hwcaps best first, legacy ones only for glibc 2.36, the directory last', () => {
    expect(searchSubdirs(['x86-64-v2'], null)).toEqual(['glibc-hwcaps/x86-64-v2/', '']);
    expect(searchSubdirs([], { platform: 'x86_64' })).toEqual(['tls/x86_64/x86_64/', 'tls/x86_64/', 'tls/', 'x86_64/x86_64/', 'x86_64/', '']);
  });
});
