import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bufferSource, DF_1_NODEFLIB, ElfError, readElf, readElfFile } from '../../src/elf/index.js';
import { elfFixtureNames, fixture } from './fixtures.js';

function errorOf(fn: () => unknown): ElfError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ElfError) return err;
    throw err;
  }
  throw new Error('expected an ElfError');
}

describe('readElfFile on objects built by gcc/ld (fixtures/elf/build.sh)', () => {
  it('reads a 64-bit LE library: needed, soname, runpath, verneed, verdef', () => {
    const e = readElfFile(fixture('libfoo.so.1'));
    expect(e).toMatchObject({ elfClass: 64, endian: 'little', machine: 62, type: 3, interp: null, dynamic: true });
    expect(e.needed).toEqual(['libm.so.6']);
    expect(e.soname).toBe('libfoo.so.1');
    expect(e.runpath).toBe('$ORIGIN/../lib:/opt/foo/lib');
    expect(e.rpath).toBeNull();
    expect(e.verdef).toEqual(['FOO_1.0', 'FOO_2.0']);
    expect(e.verneed).toEqual([{ file: 'libm.so.6', versions: ['GLIBC_2.2.5'] }]);
  });

  it('reads C++ symbol-version needs on libstdc++ and libc', () => {
    const e = readElfFile(fixture('libcxx.so'));
    expect(e.needed).toEqual(['libstdc++.so.6', 'libgcc_s.so.1', 'libc.so.6']);
    const stdcxx = e.verneed.find((v) => v.file === 'libstdc++.so.6');
    expect(stdcxx?.versions).toContain('GLIBCXX_3.4');
    expect(stdcxx?.versions.some((v) => v.startsWith('CXXABI_'))).toBe(true);
    expect(e.verneed.find((v) => v.file === 'libc.so.6')?.versions.every((v) => v.startsWith('GLIBC_2.'))).toBe(true);
  });

  it('reads ELF32 (i386)', () => {
    const e = readElfFile(fixture('libsmall32.so'));
    expect(e).toMatchObject({ elfClass: 32, endian: 'little', machine: 3, soname: 'libsmall32.so' });
    expect(e.needed).toEqual(['libm.so.6', 'libc.so.6']);
  });

  it('reads DF_1_NODEFLIB', () => {
    expect(readElfFile(fixture('libnodeflib.so')).flags1 & DF_1_NODEFLIB).toBe(DF_1_NODEFLIB);
    expect(readElfFile(fixture('libfoo.so.1')).flags1 & DF_1_NODEFLIB).toBe(0);
  });

  it('reads DT_RPATH (old dtags) apart from DT_RUNPATH', () => {
    const e = readElfFile(fixture('librpath.so'));
    expect(e.rpath).toBe('/opt/rpath/lib');
    expect(e.runpath).toBeNull();
  });

  it('reads the musl interpreter', () => {
    expect(readElfFile(fixture('musl-exe')).interp).toBe('/lib/ld-musl-x86_64.so.1');
  });

  it('reads a static executable: no PT_DYNAMIC, nothing needed', () => {
    const e = readElfFile(fixture('static-exe'));
    expect(e).toMatchObject({ type: 2, interp: null, dynamic: false, needed: [], soname: null });
  });

  it('reads the PIE flag of a position-independent executable', () => {
    const e = readElfFile(fixture('pie-exe'));
    expect(e.type).toBe(3);
    expect(e.flags1 & 0x08000000).toBe(0x08000000);
    expect(e.interp).toBe('/lib64/ld-linux-x86-64.so.2');
  });

  it('reads big-endian ELF64 (ppc64) and ELF32 (ppc)', () => {
    expect(readElfFile(fixture('libbe64.so.1'))).toMatchObject({
      elfClass: 64,
      endian: 'big',
      machine: 21,
      needed: ['libbedep64.so.1'],
      soname: 'libbe64.so.1',
      runpath: '$ORIGIN',
    });
    expect(readElfFile(fixture('libbe32.so.1'))).toMatchObject({
      elfClass: 32,
      endian: 'big',
      machine: 20,
      needed: ['libbedep32.so.1'],
      soname: 'libbe32.so.1',
      rpath: '/opt/be32',
    });
  });

  it('gives the same answer from a file and from its bytes', () => {
    for (const name of elfFixtureNames()) {
      expect(readElf(bufferSource(readFileSync(fixture(name)))), name).toEqual(readElfFile(fixture(name)));
    }
  });
});

describe('malformed input becomes an ElfError with a one-line reason', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nixpy-elf-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('a linker script named .so is not-elf', () => {
    const e = errorOf(() => readElfFile(fixture('linker-script.so')));
    expect(e.code).toBe('not-elf');
    expect(e.message).not.toContain('\n');
  });

  it('an empty file is not-elf; the magic alone is truncated', () => {
    writeFileSync(join(dir, 'empty.so'), '');
    expect(errorOf(() => readElfFile(join(dir, 'empty.so'))).code).toBe('not-elf');
    writeFileSync(join(dir, 'magic.so'), Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1]));
    expect(errorOf(() => readElfFile(join(dir, 'magic.so'))).code).toBe('truncated');
  });

  it('a file cut inside its dynamic segment is truncated', () => {
    const bytes = readFileSync(fixture('libfoo.so.1'));
    writeFileSync(join(dir, 'cut.so'), bytes.subarray(0, 2000));
    const e = errorOf(() => readElfFile(join(dir, 'cut.so')));
    expect(['truncated', 'corrupt']).toContain(e.code);
  });

  it('missing files, directories and dangling links are io errors', () => {
    expect(errorOf(() => readElfFile(join(dir, 'nope.so'))).code).toBe('io');
    expect(errorOf(() => readElfFile(dir)).code).toBe('io');
    symlinkSync(join(dir, 'nowhere'), join(dir, 'dangling.so'));
    expect(errorOf(() => readElfFile(join(dir, 'dangling.so'))).message).toContain('ENOENT');
  });

  it('an unknown ELF class is unsupported', () => {
    const bytes = Buffer.from(readFileSync(fixture('libfoo.so.1')));
    bytes[4] = 3;
    expect(errorOf(() => readElf(bufferSource(bytes))).code).toBe('unsupported');
  });
});
