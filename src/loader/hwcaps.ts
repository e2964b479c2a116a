import { readFileSync } from 'node:fs';

/*
 * x86-64 micro-architecture levels, as glibc decides which glibc-hwcaps subdirectories to search
 * (sysdeps/x86/get-isa-level.h). Each level needs every flag of the levels below it. Names are
 * those of /proc/cpuinfo: "pni" is SSE3, "abm" carries LZCNT.
 */
const LEVELS: ReadonlyArray<{ name: string; flags: readonly string[] }> = [
  { name: 'x86-64-v2', flags: ['cx16', 'lahf_lm', 'popcnt', 'pni', 'sse4_1', 'sse4_2', 'ssse3'] },
  { name: 'x86-64-v3', flags: ['avx', 'avx2', 'bmi1', 'bmi2', 'f16c', 'fma', 'abm', 'movbe', 'xsave'] },
  { name: 'x86-64-v4', flags: ['avx512f', 'avx512bw', 'avx512cd', 'avx512dq', 'avx512vl'] },
];

/** Supported glibc-hwcaps subdirectory names, best first (x86-64-v4, v3, v2). */
export function supportedIsaLevels(cpuFlags: ReadonlySet<string>): string[] {
  const out: string[] = [];
  for (const level of LEVELS) {
    if (!level.flags.every((f) => cpuFlags.has(f))) break;
    out.unshift(level.name);
  }
  return out;
}

/** The first "flags" line of /proc/cpuinfo; empty when unreadable (then no level is used). */
export function readCpuFlags(cpuinfo = '/proc/cpuinfo'): Set<string> {
  let text: string;
  try {
    text = readFileSync(cpuinfo, 'utf8');
  } catch {
    return new Set();
  }
  const line = text.split('\n').find((l) => /^flags\s*:/.test(l));
  return new Set(line ? line.replace(/^flags\s*:/, '').trim().split(/\s+/) : []);
}

/**
 * The subdirectories ld.so tries in every search directory, best first, ending with "" (the
 * directory itself). glibc 2.36 (Debian 12) still searches the legacy AT_PLATFORM/"tls"/hwcap
 * subdirectories after glibc-hwcaps (removed in glibc 2.37; nixpkgs' glibc has none): the list
 * below is what `LD_DEBUG=libs` prints for this machine's ld.so.
 */
export function searchSubdirs(levels: readonly string[], legacy: { platform: string } | null): string[] {
  const out = levels.map((l) => `glibc-hwcaps/${l}/`);
  if (legacy) {
    const p = legacy.platform;
    // tls/PLATFORM/HWCAP, tls/PLATFORM, tls/HWCAP, tls, PLATFORM/HWCAP, PLATFORM, HWCAP (x86_64 both).
    for (const s of [`tls/${p}/${p}/`, `tls/${p}/`, 'tls/', `${p}/${p}/`, `${p}/`]) {
      if (!out.includes(s)) out.push(s);
    }
  }
  out.push('');
  return out;
}
