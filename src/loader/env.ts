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

/** aarch64's facts: its own loader when this machine runs one, else glibc's rule over cpuinfo. */
function aarch64Facts(cpuinfoPath: string | undefined, legacy: boolean): HwcapsFacts {
  if (cpuinfoPath !== undefined) return aarch64HwcapsFromCpuinfo(readCpuinfo(cpuinfoPath), legacy);
  const asked = process.arch === 'arm64' ? askLoader(AARCH64_RTLD.path) : null;
  return asked ?? aarch64HwcapsFromCpuinfo(process.arch === 'arm64' ? readCpuinfo() : '', legacy);
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

export function createLoaderEnv(name: EnvName, opts: LoaderEnvOptions = {}): LoaderEnv {
  const machine = opts.machine ?? EM_X86_64;
  if (machine === EM_AARCH64) return aarch64Env(name, opts);
  if (machine !== EM_X86_64) throw new UnmodelledMachineError(machine);
  // ld.so ignores an unset or empty LD_LIBRARY_PATH.
  const ldLibraryPath = opts.ldLibraryPath ? opts.ldLibraryPath : null;
  const cwd = opts.cwd ?? process.cwd();
  const common = { elfClass: 64 as const, machine: EM_X86_64, ldLibraryPath, cwd };
  const cpuinfoPath = opts.cpuinfoPath;
  if (name === 'host') {
    // The host's own loader decides; its glibc version decides the legacy subdirectories too.
    const facts = cpuinfoPath
      ? hwcapsFromCpuinfo(readCpuinfo(cpuinfoPath), glibcBefore237())
      : hwcapsFacts([X86_64_RTLD.path], glibcBefore237);
    const cache = loadLdSoCache(opts.ldSoCachePath);
    const priority = new Map(facts.levels.map((l, i) => [l, i + 1]));
    return {
      ...common,
      name,
      dstPlatform: facts.platform ?? 'x86_64',
      subdirs: searchSubdirs(facts, true),
      cacheLookup: cache ? makeCacheLookup(cache, X86_64_CACHE_FLAGS, priority) : null,
      systemDirs: DEBIAN_SYSTEM_DIRS,
      defaultDirs: DEBIAN_SYSTEM_DIRS,
      virtualDefault: null,
      rtld: X86_64_RTLD,
      dstLib: 'lib/x86_64-linux-gnu',
    };
  }
  // nixpkgs' glibc: no ld.so.cache (patched out), no legacy hwcaps (glibc >= 2.37), and the
  // built-in search path is glibc's own lib directory. $LIB is "lib" (notdir of $out/lib). The
  // CPU is this one: any glibc on it reports the same levels and platform.
  const interp = cpuinfoPath ? null : nodeInterpreter();
  const rtlds = [...new Set([...(interp ? [interp] : []), X86_64_RTLD.path])];
  const facts = cpuinfoPath ? hwcapsFromCpuinfo(readCpuinfo(cpuinfoPath), false) : hwcapsFacts(rtlds, () => false);
  return {
    ...common,
    name,
    dstPlatform: facts.platform ?? 'x86_64',
    subdirs: searchSubdirs(facts, false),
    cacheLookup: null,
    systemDirs: [NIXOS_GLIBC_LIBDIR + '/'],
    defaultDirs: [],
    virtualDefault: { dir: NIXOS_GLIBC_LIBDIR, libraries: NIXOS_GLIBC_X86_64_LIBRARIES },
    rtld: { path: `${NIXOS_GLIBC_LIBDIR}/ld-linux-x86-64.so.2`, soname: 'ld-linux-x86-64.so.2' },
    dstLib: 'lib',
  };
}

/** The aarch64 loader: the same rules, aarch64's names (see AARCH64_RTLD). */
function aarch64Env(name: EnvName, opts: LoaderEnvOptions): LoaderEnv {
  const ldLibraryPath = opts.ldLibraryPath ? opts.ldLibraryPath : null;
  const common = { elfClass: 64 as const, machine: EM_AARCH64, ldLibraryPath, cwd: opts.cwd ?? process.cwd(), dstPlatform: 'aarch64' };
  if (name === 'host') {
    const facts = aarch64Facts(opts.cpuinfoPath, glibcBefore237());
    const cache = loadLdSoCache(opts.ldSoCachePath);
    return {
      ...common,
      name,
      subdirs: searchSubdirs(facts, true),
      cacheLookup: cache ? makeCacheLookup(cache, AARCH64_CACHE_FLAGS, new Map()) : null,
      systemDirs: AARCH64_SYSTEM_DIRS,
      defaultDirs: AARCH64_SYSTEM_DIRS,
      virtualDefault: null,
      rtld: AARCH64_RTLD,
      dstLib: 'lib/aarch64-linux-gnu',
    };
  }
  // nixpkgs' glibc (2.42): no cache, no legacy subdirectories, no glibc-hwcaps levels on aarch64.
  return {
    ...common,
    name,
    subdirs: searchSubdirs({ levels: [], platform: 'aarch64', legacyHwcaps: null }, false),
    cacheLookup: null,
    systemDirs: [NIXOS_GLIBC_LIBDIR + '/'],
    defaultDirs: [],
    virtualDefault: { dir: NIXOS_GLIBC_LIBDIR, libraries: NIXOS_GLIBC_AARCH64_LIBRARIES },
    rtld: { path: `${NIXOS_GLIBC_LIBDIR}/${AARCH64_RTLD.soname}`, soname: AARCH64_RTLD.soname },
    dstLib: 'lib',
  };
}
