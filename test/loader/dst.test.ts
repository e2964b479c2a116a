import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { expandDst, originOf, splitSearchPath, LD_LIBRARY_PATH_SEPARATORS, RPATH_SEPARATORS } from '../../src/loader/dst.js';

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
