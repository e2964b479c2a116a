import { EM_AARCH64, EM_X86_64, describeMachine, readElfFile } from '../elf/index.js';
import { aarch64HwcapsFromCpuinfo, askLoader, hwcapsFacts, hwcapsFromCpuinfo, readCpuinfo, searchSubdirs, type HwcapsFacts } from './hwcaps.js';
import { AARCH64_CACHE_FLAGS, loadLdSoCache, makeCacheLookup, X86_64_CACHE_FLAGS } from './ld-so-cache.js';
import { NIXOS_GLIBC_AARCH64_LIBRARIES, NIXOS_GLIBC_X86_64_LIBRARIES } from './nixos-glibc.js';
import type { EnvName, LoaderEnv } from './types.js';

/**
 * Where the `nixos` environment pretends nixpkgs' glibc lives. Not a real store path (no hash):
 * the model only needs a directory that holds exactly the glibc libraries and nothing else, and a
 * reader of `nixpy tree --env nixos` should see at a glance that it is virtual.
 */
export const NIXOS_GLIBC_LIBDIR = '/nix/store/nixpkgs-glibc/lib';

/**
 * Debian 12's glibc 2.36 for x86-64, as this machine's ld.so reports it (`ld.so --help`, and
 * `LD_DEBUG=libs` on an RPATH of $LIB and $PLATFORM): the system search path, $LIB expanding to
 * the multiarch "lib/x86_64-linux-gnu", $PLATFORM to "x86_64" (AT_PLATFORM), and the loader
 * at /lib64/ld-linux-x86-64.so.2 (ldd runs that one for x86-64 objects).
 */
const DEBIAN_SYSTEM_DIRS = ['/lib/x86_64-linux-gnu/', '/usr/lib/x86_64-linux-gnu/', '/lib/', '/usr/lib/'];
const X86_64_RTLD = { path: '/lib64/ld-linux-x86-64.so.2', soname: 'ld-linux-x86-64.so.2' };

/**
 * aarch64: Debian 12's arm64 glibc 2.36 the same way, run under qemu-aarch64-static: $PLATFORM
 * "aarch64", $LIB "lib/aarch64-linux-gnu", the loader /lib/ld-linux-aarch64.so.1, ld.so.cache
 * entries flagged 0x0a03 (what its ldconfig writes), no glibc-hwcaps levels.
 */
const AARCH64_SYSTEM_DIRS = ['/lib/aarch64-linux-gnu/', '/usr/lib/aarch64-linux-gnu/', '/lib/', '/usr/lib/'];
const AARCH64_RTLD = { path: '/lib/ld-linux-aarch64.so.1', soname: 'ld-linux-aarch64.so.1' };

/** e_machine values the loader model covers. */
export const MODELLED_MACHINES: readonly number[] = [EM_X86_64, EM_AARCH64];

/** Thrown for a machine the model does not cover (the caller says so instead of passing silently). */
export class UnmodelledMachineError extends Error {
  override name = 'UnmodelledMachineError';
  constructor(readonly machine: number) {
    super(`the loader model covers x86_64 and aarch64, not ${describeMachine(machine)}`);
  }
}

/**
 * When no loader answers `--help`: glibc < 2.37 still searches the legacy "tls"/AT_PLATFORM/hwcap
 * subdirectories (2.37 removed them), and the running glibc's version is the host's (Node
 * reports it).
 */
function glibcBefore237(): boolean {
  const header = (process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined)?.header;
  const m = /^(\d+)\.(\d+)/.exec(header?.glibcVersionRuntime ?? '');
  if (!m) return true; // unknown: assume Debian 12's 2.36, the documented host
  return Number(m[1]) < 2 || (Number(m[1]) === 2 && Number(m[2]) < 37);
}

/**
 * The loader that runs this Node process (its PT_INTERP): on NixOS nixpkgs' own ld.so, which
 * can answer `--help` where /lib64/ld-linux-x86-64.so.2 is a stub.
 */
let interpreter: string | null | undefined;
function nodeInterpreter(): string | null {
  if (interpreter === undefined) {
    try {
      interpreter = readElfFile(process.execPath).interp;
    } catch {
      interpreter = null;
    }
  }
  return interpreter;
}

export interface LoaderEnvOptions {
  ldLibraryPath?: string;
  /** The e_machine of the interpreter whose loader is modelled (default x86-64). */
  machine?: number;
  /** Overrides for tests: cache file, cwd, and a cpuinfo file to decide the hwcaps levels and
   * platform from by glibc's rule (instead of asking the loader). */
  ldSoCachePath?: string;
  cpuinfoPath?: string;
  cwd?: string;
}

/**
 * What differs between the machines the model covers: Debian 12's loader for each (its path,
 * system directories, ld.so.cache flags and $LIB), nixpkgs' glibc libraries for it, and how the
 * hwcaps facts of this CPU are found for either environment.
 */
interface MachineLoader {
  machine: number;
  rtld: { path: string; soname: string };
  systemDirs: readonly string[];
  cacheFlags: number;
  debianLib: string;
  nixosLibraries: ReadonlyMap<string, readonly string[]>;
  /** $PLATFORM (AT_PLATFORM) when the facts do not name one. */
  platform: string;
  /** `legacy` is asked only when no loader answers: whether that glibc searches legacy subdirectories. */
  facts(env: EnvName, opts: LoaderEnvOptions, legacy: () => boolean): HwcapsFacts;
}

const X86_64: MachineLoader = {
  machine: EM_X86_64,
  rtld: X86_64_RTLD,
  systemDirs: DEBIAN_SYSTEM_DIRS,
  cacheFlags: X86_64_CACHE_FLAGS,
  debianLib: 'lib/x86_64-linux-gnu',
  nixosLibraries: NIXOS_GLIBC_X86_64_LIBRARIES,
  platform: 'x86_64',
  facts(env, { cpuinfoPath }, legacy) {
    if (cpuinfoPath !== undefined) return hwcapsFromCpuinfo(readCpuinfo(cpuinfoPath), env === 'host' && legacy());
    // The host's own loader decides. For nixpkgs' glibc (no legacy subdirectories since 2.37) any
    // glibc on this CPU reports the same levels and platform: the one running Node first, which
    // on NixOS answers where /lib64/ld-linux-x86-64.so.2 is a stub.
    if (env === 'host') return hwcapsFacts([X86_64_RTLD.path], legacy);
    const interp = nodeInterpreter();
    return hwcapsFacts([...new Set([...(interp ? [interp] : []), X86_64_RTLD.path])], () => false);
  },
};

const AARCH64: MachineLoader = {
  machine: EM_AARCH64,
  rtld: AARCH64_RTLD,
  systemDirs: AARCH64_SYSTEM_DIRS,
  cacheFlags: AARCH64_CACHE_FLAGS,
  debianLib: 'lib/aarch64-linux-gnu',
  nixosLibraries: NIXOS_GLIBC_AARCH64_LIBRARIES,
  platform: 'aarch64',
  facts(env, { cpuinfoPath }, legacy) {
    // nixpkgs' glibc (2.42): no legacy subdirectories, no glibc-hwcaps levels on aarch64.
    if (env === 'nixos') return { levels: [], platform: 'aarch64', legacyHwcaps: null };
    // Its own loader when this machine runs one, else glibc's rule over cpuinfo.
    if (cpuinfoPath !== undefined) return aarch64HwcapsFromCpuinfo(readCpuinfo(cpuinfoPath), legacy());
    const asked = process.arch === 'arm64' ? askLoader(AARCH64_RTLD.path) : null;
    return asked ?? aarch64HwcapsFromCpuinfo(process.arch === 'arm64' ? readCpuinfo() : '', legacy());
  },
};

const MACHINES: ReadonlyMap<number, MachineLoader> = new Map([X86_64, AARCH64].map((m) => [m.machine, m]));

export function createLoaderEnv(name: EnvName, opts: LoaderEnvOptions = {}): LoaderEnv {
  const m = MACHINES.get(opts.machine ?? EM_X86_64);
  if (m === undefined) throw new UnmodelledMachineError(opts.machine ?? EM_X86_64);
  const common = {
    name,
    elfClass: 64 as const,
    machine: m.machine,
    // ld.so ignores an unset or empty LD_LIBRARY_PATH.
    ldLibraryPath: opts.ldLibraryPath ? opts.ldLibraryPath : null,
    cwd: opts.cwd ?? process.cwd(),
  };
  if (name === 'host') {
    // The host's glibc version decides the legacy subdirectories when its loader cannot say.
    const facts = m.facts(name, opts, glibcBefore237);
    const cache = loadLdSoCache(opts.ldSoCachePath);
    const priority = new Map(facts.levels.map((l, i) => [l, i + 1]));
    return {
      ...common,
      dstPlatform: facts.platform ?? m.platform,
      subdirs: searchSubdirs(facts, true),
      cacheLookup: cache ? makeCacheLookup(cache, m.cacheFlags, priority) : null,
      systemDirs: m.systemDirs,
      defaultDirs: m.systemDirs,
      virtualDefault: null,
      rtld: m.rtld,
      dstLib: m.debianLib,
    };
  }
  // nixpkgs' glibc: no ld.so.cache (patched out), no legacy hwcaps (glibc >= 2.37), and the
  // built-in search path is glibc's own lib directory. $LIB is "lib" (notdir of $out/lib).
  const facts = m.facts(name, opts, () => false);
  return {
    ...common,
    dstPlatform: facts.platform ?? m.platform,
    subdirs: searchSubdirs(facts, false),
    cacheLookup: null,
    systemDirs: [NIXOS_GLIBC_LIBDIR + '/'],
    defaultDirs: [],
    virtualDefault: { dir: NIXOS_GLIBC_LIBDIR, libraries: m.nixosLibraries },
    rtld: { path: `${NIXOS_GLIBC_LIBDIR}/${m.rtld.soname}`, soname: m.rtld.soname },
    dstLib: 'lib',
  };
}
