import { describe, expect, it } from 'vitest';
import { hwcapsFromCpuinfo, parseLdSoHelp, searchSubdirs, supportedIsaLevels } from '../../src/loader/hwcaps.js';

/** The tail of `ld.so --help` as glibc 2.36 prints it (elf/dl-usage.c), for two kinds of CPU. */
const HELP_HEAD = `Usage: ld.so [OPTION]... EXECUTABLE-FILE [ARGS-FOR-PROGRAM...]

Shared library search path:
  (libraries located via /etc/ld.so.cache)
  /lib/x86_64-linux-gnu (system search path)
  /usr/lib (system search path)
`;
// An Intel CPU with AVX-512 (glibc rewrites AT_PLATFORM to haswell, adds the avx512_1 hwcap).
const INTEL_236 = `${HELP_HEAD}
Subdirectories of glibc-hwcaps directories, in priority order:
  x86-64-v4 (supported, searched)
  x86-64-v3 (supported, searched)
  x86-64-v2 (supported, searched)

Legacy HWCAP subdirectories under library search path directories:
  haswell (AT_PLATFORM; supported, searched)
  tls (supported, searched)
  avx512_1 (supported, searched)
  x86_64 (supported, searched)
`;
// An AMD CPU: the kernel's AT_PLATFORM stays, avx512_1 is not supported; v4 masked by the user.
const AMD_236 = `${HELP_HEAD}
Subdirectories of glibc-hwcaps directories, in priority order:
  x86-64-v4 (supported, masked)
  x86-64-v3 (supported, searched)
  x86-64-v2 (supported, searched)

Legacy HWCAP subdirectories under library search path directories:
  x86_64 (AT_PLATFORM; supported, searched)
  tls (supported, searched)
  avx512_1
  x86_64 (supported, searched)
`;
// glibc >= 2.37: no legacy section at all.
const GLIBC_242 = `${HELP_HEAD}
Subdirectories of glibc-hwcaps directories, in priority order:
  x86-64-v4
  x86-64-v3 (supported, searched)
  x86-64-v2 (supported, searched)
`;

describe('hwcaps facts from ld.so --help', () => {
  it('reads the searched levels, AT_PLATFORM and the searched legacy hwcaps', () => {
    expect(parseLdSoHelp(INTEL_236)).toEqual({ levels: ['x86-64-v4', 'x86-64-v3', 'x86-64-v2'], platform: 'haswell', legacyHwcaps: ['avx512_1', 'x86_64'] });
    expect(parseLdSoHelp(AMD_236)).toEqual({ levels: ['x86-64-v3', 'x86-64-v2'], platform: 'x86_64', legacyHwcaps: ['x86_64'] });
    expect(parseLdSoHelp(GLIBC_242)).toEqual({ levels: ['x86-64-v3', 'x86-64-v2'], platform: null, legacyHwcaps: null });
  });

  it('is null for text that is no ld.so help (a NixOS stub loader, nix-ld)', () => {
    expect(parseLdSoHelp('cannot execute: stub-ld\n')).toBeNull();
    expect(parseLdSoHelp('')).toBeNull();
  });

  it('legacy subdirectories: the power set of tls, platform, hwcaps, all names first (glibc 2.36 LD_DEBUG=libs)', () => {
    const intel = parseLdSoHelp(INTEL_236)!;
    expect(searchSubdirs(intel, true)).toEqual([
      'glibc-hwcaps/x86-64-v4/', 'glibc-hwcaps/x86-64-v3/', 'glibc-hwcaps/x86-64-v2/',
      'tls/haswell/avx512_1/x86_64/', 'tls/haswell/avx512_1/', 'tls/haswell/x86_64/', 'tls/haswell/',
      'tls/avx512_1/x86_64/', 'tls/avx512_1/', 'tls/x86_64/', 'tls/',
      'haswell/avx512_1/x86_64/', 'haswell/avx512_1/', 'haswell/x86_64/', 'haswell/',
      'avx512_1/x86_64/', 'avx512_1/', 'x86_64/', '',
    ]);
    // Platform and hwcap both "x86_64": each directory once.
    expect(searchSubdirs(parseLdSoHelp(AMD_236)!, true)).toEqual([
      'glibc-hwcaps/x86-64-v3/', 'glibc-hwcaps/x86-64-v2/', 'tls/x86_64/x86_64/', 'tls/x86_64/', 'tls/', 'x86_64/x86_64/', 'x86_64/', '',
    ]);
    // nixpkgs' glibc (and any glibc >= 2.37): hwcaps levels only.
    expect(searchSubdirs(intel, false)).toEqual(['glibc-hwcaps/x86-64-v4/', 'glibc-hwcaps/x86-64-v3/', 'glibc-hwcaps/x86-64-v2/', '']);
  });
});

describe('hwcaps facts from /proc/cpuinfo, by glibc rule (the fallback)', () => {
  const v2 = ['cx16', 'lahf_lm', 'popcnt', 'pni', 'sse4_1', 'sse4_2', 'ssse3'];
  const v3 = ['avx', 'avx2', 'bmi1', 'bmi2', 'f16c', 'fma', 'abm', 'movbe', 'xsave'];
  const v4 = ['avx512f', 'avx512bw', 'avx512cd', 'avx512dq', 'avx512vl'];
  const cpuinfo = (vendor: string, flags: string[]) => `processor\t: 0\nvendor_id\t: ${vendor}\nflags\t\t: ${flags.join(' ')}\n\nprocessor\t: 1\n`;

  it('levels need every flag of a level and of the levels below it', () => {
    expect(supportedIsaLevels(new Set())).toEqual([]);
    expect(supportedIsaLevels(new Set(v2))).toEqual(['x86-64-v2']);
    expect(supportedIsaLevels(new Set([...v2, ...v3]))).toEqual(['x86-64-v3', 'x86-64-v2']);
    expect(supportedIsaLevels(new Set([...v2, ...v3.slice(1), ...v4]))).toEqual(['x86-64-v2']);
    expect(supportedIsaLevels(new Set([...v2, ...v3, ...v4]))).toEqual(['x86-64-v4', 'x86-64-v3', 'x86-64-v2']);
  });

  it('only Intel gets the haswell platform and the avx512_1 hwcap', () => {
    const all = [...v2, ...v3, ...v4];
    expect(hwcapsFromCpuinfo(cpuinfo('GenuineIntel', all), true)).toEqual({ levels: ['x86-64-v4', 'x86-64-v3', 'x86-64-v2'], platform: 'haswell', legacyHwcaps: ['avx512_1', 'x86_64'] });
    expect(hwcapsFromCpuinfo(cpuinfo('AuthenticAMD', all), true)).toEqual({ levels: ['x86-64-v4', 'x86-64-v3', 'x86-64-v2'], platform: 'x86_64', legacyHwcaps: ['x86_64'] });
    expect(hwcapsFromCpuinfo(cpuinfo('GenuineIntel', v2), false)).toEqual({ levels: ['x86-64-v2'], platform: 'x86_64', legacyHwcaps: null });
    expect(hwcapsFromCpuinfo('', true)).toEqual({ levels: [], platform: 'x86_64', legacyHwcaps: ['x86_64'] });
  });
});
