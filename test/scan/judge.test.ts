import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ElfError, readElfFile } from '../../src/elf/index.js';
import { elfErrorReason, unloadableReason, type Target } from '../../src/scan/judge.js';
import { collectMissing } from '../../src/scan/missing.js';
import type { Closure } from '../../src/loader/types.js';

const X86_64: Target = { machine: 62, elfClass: 64 };
const ELF = (n: string): string => join(import.meta.dirname, '../../fixtures/elf/out', n);

describe('unloadableReason', () => {
  it('accepts an x86_64 glibc shared object', () => {
    expect(unloadableReason(readElfFile(ELF('libcxx.so')), X86_64)).toBeNull();
  });

  it('names ELF32 objects in a 64-bit venv', () => {
    expect(unloadableReason(readElfFile(ELF('libsmall32.so')), X86_64)).toBe('ELF32 object in a 64-bit venv (i386)');
  });

  it('names another machine of the same class', () => {
    expect(unloadableReason(readElfFile(ELF('libbe64.so.1')), X86_64)).toMatch(/another machine \(powerpc64/);
  });

  it('recognises musl by interpreter', () => {
    expect(unloadableReason(readElfFile(ELF('musl-exe')), X86_64)).toBe('linked against musl, not glibc');
  });

  it('refuses executables: static (ET_EXEC) and PIE (dlopen cannot load either)', () => {
    expect(unloadableReason(readElfFile(ELF('static-exe')), X86_64)).toBe('not a shared object (ET_EXEC)');
    expect(unloadableReason(readElfFile(ELF('pie-exe')), X86_64)).toBe('a position-independent executable, not a shared library');
  });

  it('refuses separate debuginfo under a library name (no dynamic section: ld.so cannot load it)', () => {
    const debug = join(import.meta.dirname, '../../fixtures/loader/no_dynamic_section_is_not_loadable/debug/x/libx.so');
    expect(unloadableReason(readElfFile(debug), X86_64)).toBe('no dynamic section (separate debug info?)');
  });

  it('judges against the target, not the host', () => {
    expect(unloadableReason(readElfFile(ELF('libsmall32.so')), { machine: 3, elfClass: 32 })).toBeNull();
  });

  it('turns reader errors into a reason', () => {
    expect(elfErrorReason(new ElfError('not-elf', 'x'))).toBe('not an ELF file');
    expect(elfErrorReason(new ElfError('truncated', 'cut at 10'))).toBe('truncated ELF file: cut at 10');
  });
});

describe('collectMissing', () => {
  const closure = (path: string, libs: [string, string | null, string][]): Closure => ({
    path,
    libraries: libs.map(([soname, p, requiredBy]) => ({ soname, path: p, via: p === null ? null : 'runpath', requiredBy })),
  });
  const locate = (p: string): string | null => (p.startsWith('/v/') ? p.slice(3) : null);

  it('charges a missing soname to the venv file that needed it, dedupes and sorts', () => {
    const objects = [
      { rel: 'b/x.so', closure: closure('/v/b/x.so', [['libz.so.1', null, '/v/b/x.so'], ['libdep.so', '/v/l/libdep.so', '/v/b/x.so'], ['libq.so', null, '/v/l/libdep.so']]) },
      { rel: 'a/y.so', closure: closure('/v/a/y.so', [['libz.so.1', null, '/v/a/y.so'], ['libq.so', null, '/usr/lib/libother.so']]) },
    ];
    const cats: string[] = [];
    const m = collectMissing(objects, locate, (s) => (s === 'libq.so' ? ['z/libq.so', 'c/libq.so'] : []), (s, prov) => {
      cats.push(s);
      return prov.length > 0 ? 'venv' : 'unknown';
    });
    expect(m).toEqual([
      { soname: 'libq.so', category: 'venv', neededBy: ['a/y.so', 'l/libdep.so'], providedBy: ['c/libq.so', 'z/libq.so'] },
      { soname: 'libz.so.1', category: 'unknown', neededBy: ['a/y.so', 'b/x.so'] },
    ]);
    expect(cats).toEqual(['libq.so', 'libz.so.1']);
  });

  it('charges names found only by a later search, and files ld.so refuses, to their askers', () => {
    const c: Closure = {
      path: '/v/x.so',
      libraries: [
        { soname: 'liba.so', path: '/v/l/liba.so', via: 'runpath', requiredBy: '/v/l/libb.so', notFoundFor: ['/v/x.so'] },
        { soname: 'libs.so', path: '/v/l/libs.so', via: 'runpath', requiredBy: '/v/l/libb.so', error: 'invalid ELF header' },
        { soname: 'libok.so', path: '/v/l/libok.so', via: 'runpath', requiredBy: '/v/x.so' },
      ],
    };
    const m = collectMissing([{ rel: 'x.so', closure: c }], locate, () => [], () => 'unknown');
    expect(m).toEqual([
      { soname: 'liba.so', category: 'unknown', neededBy: ['x.so'] },
      { soname: 'libs.so', category: 'unknown', neededBy: ['l/libb.so'] },
    ]);
  });
});
