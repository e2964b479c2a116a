import { readFileSync } from 'node:fs';

/**
 * What the CPU (as glibc sees it) decides about a library search: the glibc-hwcaps levels, the
 * AT_PLATFORM string ($PLATFORM, and a legacy subdirectory), and the legacy hwcap subdirectories
 * glibc < 2.37 still searches. The authority is the loader itself: `ld.so --help` prints all of
 * it (elf/dl-usage.c print_hwcaps_subdirectories, print_legacy_hwcap_directories), after glibc
 * asked CPUID and XGETBV. /proc/cpuinfo is only a fallback: the kernel and hypervisor may list
 * fewer flags than CPUID reports (an AMD EPYC VM without `abm`, whose ld.so still searches v3).
 */
export interface HwcapsFacts {
  /** glibc-hwcaps subdirectory names searched, best first (x86-64-v4, v3, v2). */
  levels: string[];
  /**
   * GLRO(dl_platform): "haswell" or "xeon_phi" on some Intel CPUs, else the kernel's "x86_64";
   * null when the loader did not say (glibc >= 2.37 prints it only with the legacy section).
   */
  platform: string | null;
  /**
   * Legacy hwcap names searched (glibc < 2.37), highest bit first as ld.so lists them (avx512_1,
   * x86_64); null when the loader has no legacy subdirectories.
   */
  legacyHwcaps: string[] | null;
}

/*
 * x86-64 micro-architecture levels, as glibc decides them (sysdeps/x86/get-isa-level.h). Each
 * level needs every flag of the levels below it. Names are those of /proc/cpuinfo: "pni" is SSE3,
 * "abm" carries LZCNT.
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

/** The value of the first `name : value` line of /proc/cpuinfo text ('' when there is none). */
function cpuinfoField(text: string, name: string): string {
  const line = text.split('\n').find((l) => new RegExp(`^${name}\\s*:`).test(l));
  return line ? line.slice(line.indexOf(':') + 1).trim() : '';
}

/** The words of a cpuinfo field ("flags", "Features"). */
function cpuinfoWords(text: string, name: string): Set<string> {
  const value = cpuinfoField(text, name);
  return new Set(value === '' ? [] : value.split(/\s+/));
}

/**
 * The fallback, glibc's own rule applied to /proc/cpuinfo (sysdeps/x86/cpu-features.c,
 * init_cpu_features, x86-64 branch): only on Intel does glibc replace AT_PLATFORM, with
 * "xeon_phi" (AVX512ER and AVX512PF) or "haswell" (AVX2, FMA, BMI1, BMI2, LZCNT, MOVBE, POPCNT),
 * and add the avx512_1 hwcap (AVX512CD, BW, DQ, VL without ER).
 */
export function hwcapsFromCpuinfo(text: string, legacy: boolean): HwcapsFacts {
  const flags = cpuinfoWords(text, 'flags');
  const vendor = cpuinfoField(text, 'vendor_id');
  const has = (...f: string[]): boolean => f.every((x) => flags.has(x));
  const intel = vendor === 'GenuineIntel';
  let platform = 'x86_64';
  const hwcaps = ['x86_64'];
  if (intel) {
    if (has('avx512cd') && has('avx512er', 'avx512pf')) platform = 'xeon_phi';
    else if (has('avx512cd', 'avx512bw', 'avx512dq', 'avx512vl') && !has('avx512er')) hwcaps.unshift('avx512_1');
    if (platform === 'x86_64' && has('avx2', 'fma', 'bmi1', 'bmi2', 'abm', 'movbe', 'popcnt')) platform = 'haswell';
  }
  return { levels: supportedIsaLevels(flags), platform, legacyHwcaps: legacy ? hwcaps : null };
}

/**
 * aarch64's facts by glibc's rule, from /proc/cpuinfo's "Features": no glibc-hwcaps levels
 * (glibc has sysdeps/x86_64/dl-hwcaps-subdirs.c, none for aarch64), AT_PLATFORM "aarch64", and
 * one legacy hwcap name, "atomics", when the CPU has it: Debian 12's aarch64 ld.so (2.36, run
 * under qemu-aarch64-static, whose CPU lists atomics) prints its search path under LD_DEBUG=libs
 * as tls/aarch64/atomics, tls/aarch64, tls/atomics, tls, aarch64/atomics, aarch64, atomics.
 */
export function aarch64HwcapsFromCpuinfo(text: string, legacy: boolean): HwcapsFacts {
  const features = cpuinfoWords(text, 'Features');
  return { levels: [], platform: 'aarch64', legacyHwcaps: legacy ? (features.has('atomics') ? ['atomics'] : []) : null };
}

/**
 * Reads `ld.so --help` (glibc >= 2.33): the "Subdirectories of glibc-hwcaps directories" and
 * "Legacy HWCAP subdirectories" sections. Only entries marked "searched" count (a level can be
 * supported but masked by --glibc-hwcaps-mask or a tunable). null when the text is no such help.
 */
export function parseLdSoHelp(text: string): HwcapsFacts | null {
  const sections = new Map<string, { name: string; marks: string[] }[]>();
  let current: { name: string; marks: string[] }[] | null = null;
  for (const line of text.split('\n')) {
    if (/^\S/.test(line)) {
      current = null;
      if (/^Subdirectories of glibc-hwcaps directories/.test(line)) sections.set('hwcaps', (current = []));
      else if (/^Legacy HWCAP subdirectories/.test(line)) sections.set('legacy', (current = []));
      continue;
    }
    const m = /^\s+(\S+)(?: \((.*)\))?$/.exec(line);
    if (current !== null && m) current.push({ name: m[1] as string, marks: (m[2] ?? '').split(/[;,]\s*/) });
  }
  const hwcaps = sections.get('hwcaps');
  // "No subdirectories of glibc-hwcaps directories are searched." still names the section.
  if (hwcaps === undefined && !/glibc-hwcaps directories are searched/.test(text)) return null;
  const searched = (e: { marks: string[] }): boolean => e.marks.includes('searched');
  const legacy = sections.get('legacy');
  const platform = legacy?.find((e) => e.marks.includes('AT_PLATFORM'))?.name;
  return {
    levels: (hwcaps ?? []).filter(searched).map((e) => e.name),
    platform: platform ?? null,
    legacyHwcaps: legacy === undefined ? null : legacy.filter((e) => searched(e) && !e.marks.includes('AT_PLATFORM') && e.name !== 'tls').map((e) => e.name),
  };
}

const fromLoader = new Map<string, HwcapsFacts | null>();

/** `rtld --help` parsed, once per process and loader; null when it cannot be run or read. */
export function askLoader(rtld: string): HwcapsFacts | null {
  let facts = fromLoader.get(rtld);
  if (facts !== undefined) return facts;
  // GLIBC_TUNABLES (glibc.cpu.hwcaps, ...) changes what ld.so searches for the user too: kept.
  const env: NodeJS.ProcessEnv = { LC_ALL: 'C' };
  if (process.env.GLIBC_TUNABLES !== undefined) env.GLIBC_TUNABLES = process.env.GLIBC_TUNABLES;
  // Loaded here, not imported (~9 ms): only a command that builds a loader model needs it, not
  // --version, --help, or a command that fails before its scan.
  const { spawnSync } = process.getBuiltinModule('node:child_process');
  const r = spawnSync(rtld, ['--help'], { encoding: 'utf8', env, stdio: ['ignore', 'pipe', 'ignore'], timeout: 10_000 });
  facts = r.status === 0 && typeof r.stdout === 'string' ? parseLdSoHelp(r.stdout) : null;
  fromLoader.set(rtld, facts);
  return facts;
}

/**
 * The first loader among `rtlds` that answers, else glibc's rule over /proc/cpuinfo (`legacy`
 * says whether that glibc still searches legacy subdirectories; asked only then).
 */
export function hwcapsFacts(rtlds: readonly string[], legacy: () => boolean): HwcapsFacts {
  for (const rtld of rtlds) {
    const facts = askLoader(rtld);
    if (facts === null) continue;
    return facts.platform !== null ? facts : { ...facts, platform: hwcapsFromCpuinfo(readCpuinfo(), false).platform };
  }
  return hwcapsFromCpuinfo(readCpuinfo(), legacy());
}

/** /proc/cpuinfo's text; '' when unreadable (no level, plain x86_64: glibc's view of a CPU it
 * knows nothing of). */
export function readCpuinfo(path = '/proc/cpuinfo'): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

/**
 * The subdirectories ld.so tries in every search directory, best first, ending with "" (the
 * directory itself): glibc-hwcaps levels, then (glibc < 2.37) the legacy power set of "tls", the
 * platform and the hwcap names, as elf/dl-hwcaps.c _dl_important_hwcaps builds it: every subset,
 * in that component order, counting down in binary (all names first, none last). `LD_DEBUG=libs`
 * shows the same list. Duplicates (platform and hwcap both "x86_64") are tried once.
 */
export function searchSubdirs(facts: HwcapsFacts, withLegacy: boolean): string[] {
  const out = facts.levels.map((l) => `glibc-hwcaps/${l}/`);
  if (withLegacy && facts.legacyHwcaps !== null) {
    const parts = ['tls', facts.platform ?? 'x86_64', ...facts.legacyHwcaps];
    const n = parts.length;
    for (let mask = (1 << n) - 1; mask > 0; mask--) {
      const dir = parts.filter((_, i) => (mask & (1 << (n - 1 - i))) !== 0).join('/') + '/';
      if (!out.includes(dir)) out.push(dir);
    }
  }
  out.push('');
  return out;
}
