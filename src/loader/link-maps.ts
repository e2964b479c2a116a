import type { ElfInfo } from '../elf/types.js';
import { LD_LIBRARY_PATH_SEPARATORS, originOf, splitSearchPath, type DstValues } from './dst.js';
import type { DirNames, LoaderEnv, ObjectCache } from './types.js';
import { memoFor, type MemoTable } from './memo.js';
import { onDisk, verifier, type Candidate } from './verify.js';

export const VDSO_SONAME = 'linux-vdso.so.1';

/** One link map: an object ld.so has mapped (or pretends to, for the vDSO and virtual glibc). */
export interface LinkMap {
  /** l_name: the path it was opened under. */
  name: string;
  /** l_libname: every name that has reached it. */
  names: Set<string>;
  soname: string | null;
  /** dev:ino, null for objects not on disk. */
  id: string | null;
  /** The parsed file; null for ld.so, the vDSO and the virtual glibc libraries. */
  info: ElfInfo | null;
  /** DT_NEEDED: the file's, or the virtual library's known list. */
  needed: readonly string[];
  /** l_loader: the object whose DT_NEEDED loaded it. */
  loader: LinkMap | null;
  origin: string | null;
  /** DT_RPATH / DT_RUNPATH split and expanded, on first use. */
  rpath?: string[] | null;
  runpath?: string[] | null;
}

/**
 * One directory open_path tries (a search directory or one of its hwcaps subdirectories) that
 * exists: the prefix of the paths ld.so opens there, and what its listing holds.
 */
export interface SearchDir {
  prefix: string;
  names: Exclude<DirNames, null>;
}

/**
 * The objects one walk has mapped (a link-map namespace), with what the sharing memo needs to
 * know about the walk: which files it accepted, which names it asked for, and whether the root's
 * own path, soname or identity decided anything.
 */
export class Namespace {
  readonly maps: LinkMap[] = [];
  readonly root: LinkMap;
  readonly vdso: LinkMap;
  /** Identity of every file the walk accepted. */
  readonly ids = new Set<string>();
  /** Every name the walk looked for. */
  readonly asked = new Set<string>();
  /** The root's path or identity decided something: not to be shared with other roots. */
  rootSpecific = false;
  /** open_verify's verdict on a path (memoised across walks). */
  readonly verify: (path: string) => Candidate | null;
  /** LD_LIBRARY_PATH, split once per walk ($ORIGIN there is the root's directory). */
  readonly ldLibraryPath: readonly string[];
  /** searchDirs' answers, shared by every walk on the same object cache and environment. */
  private readonly searchDirMemo: Map<string, readonly SearchDir[]>;
  /**
   * Every name and soname of the maps, to the first map in load order that answers to it: what
   * byName would find scanning the maps in order. A name joins a map's l_libname only when no
   * map answers to it yet (a search that finds a loaded file under a new name), so the first
   * map to register a name stays the first in order that has it.
   */
  private readonly named = new Map<string, LinkMap>();
  /** Each file identity to the first map of that file. */
  private readonly files = new Map<string, LinkMap>();

  constructor(
    readonly env: LoaderEnv,
    readonly objects: ObjectCache,
    path: string,
    rootFile: { info: ElfInfo; id: string },
  ) {
    this.verify = verifier(env, objects);
    this.searchDirMemo = memoFor(searchDirMemos, objects, env);
    this.root = this.add({
      name: path,
      names: new Set([path]),
      soname: rootFile.info.soname,
      id: rootFile.id,
      info: rootFile.info,
      needed: rootFile.info.needed,
      loader: null,
      origin: originOf(path, env.cwd),
    });
    // ld.so itself and the vDSO are mapped before any DT_NEEDED is looked at.
    const rtldNames = new Set([env.rtld.path, env.rtld.soname]);
    if (rootFile.info.interp) rtldNames.add(rootFile.info.interp);
    const rtldProbe = env.virtualDefault ? null : objects.probe(env.rtld.path);
    if (rtldProbe) this.ids.add(rtldProbe.id);
    this.add({ ...bare(env.rtld.path, env.rtld.soname), names: rtldNames, id: rtldProbe?.id ?? null });
    this.vdso = this.add(bare(VDSO_SONAME, VDSO_SONAME));
    this.ldLibraryPath =
      env.ldLibraryPath === null ? [] : splitSearchPath(env.ldLibraryPath, LD_LIBRARY_PATH_SEPARATORS, this.dst(this.root));
  }

  /**
   * The directories open_path tries for one search directory, hwcaps subdirectories first, less
   * those that do not exist: glibc's open_path marks such a directory `nonexisting` at its first
   * failed open() and never tries it again, and a directory that is not there holds no file. Each
   * x86-64 search directory has 19 hwcaps subdirectories, nearly always all missing, so a search
   * then asks one listing per directory instead of twenty. A subdirectory whose first component
   * (`glibc-hwcaps`, `tls`, ...) the directory's own listing lacks is missing without a look.
   * Found once per (object cache, environment): both are fixed for the memo's lifetime.
   */
  searchDirs(dir: string): readonly SearchDir[] {
    let dirs = this.searchDirMemo.get(dir);
    if (dirs === undefined) {
      const found: SearchDir[] = [];
      const own = this.objects.names(onDisk(this.env, dir));
      const { subdirs } = this.env;
      const tops = topsOf(this.env);
      for (let i = 0; i < subdirs.length; i++) {
        const sub = subdirs[i] as string;
        if (sub !== '' && own !== 'unlistable' && (own === null || !own.has(tops[i] as string))) continue;
        const names = sub === '' ? own : this.objects.names(onDisk(this.env, dir + sub));
        if (names !== null) found.push({ prefix: dir + sub, names });
      }
      this.searchDirMemo.set(dir, (dirs = found));
    }
    return dirs;
  }

  add(m: LinkMap): LinkMap {
    this.maps.push(m);
    for (const n of m.names) this.register(n, m);
    if (m.soname !== null) this.register(m.soname, m);
    if (m.id !== null && !this.files.has(m.id)) this.files.set(m.id, m);
    return m;
  }

  /** `name` has reached the loaded `m` (l_libname grows). */
  addName(m: LinkMap, name: string): void {
    m.names.add(name);
    this.register(name, m);
  }

  private register(name: string, m: LinkMap): void {
    if (!this.named.has(name)) this.named.set(name, m);
  }

  /** The values of $ORIGIN, $LIB and $PLATFORM in strings of `m`. */
  dst(m: LinkMap): DstValues {
    return { origin: m.origin, lib: this.env.dstLib, platform: this.env.dstPlatform };
  }

  /** The already-loaded object with this name or soname (_dl_name_match_p, then DT_SONAME). */
  byName(name: string): LinkMap | null {
    const m = this.named.get(name);
    if (m === undefined) return null;
    if (m === this.root) this.rootSpecific = true;
    if (m.soname === name) m.names.add(name);
    return m;
  }

  /** The already-loaded object that is this file (same device and inode). */
  byId(id: string): LinkMap | null {
    const same = this.files.get(id) ?? null;
    if (same === this.root) this.rootSpecific = true;
    return same;
  }
}

const searchDirMemos: MemoTable<readonly SearchDir[]> = new WeakMap();

const subdirTops = new WeakMap<LoaderEnv, readonly string[]>();

/** The first component of each of env.subdirs ('' for the directory itself). */
function topsOf(env: LoaderEnv): readonly string[] {
  let tops = subdirTops.get(env);
  if (tops === undefined) subdirTops.set(env, (tops = env.subdirs.map((s) => s.slice(0, Math.max(0, s.indexOf('/'))))));
  return tops;
}

/** A map for an object that is not read from disk. */
function bare(name: string, soname: string): LinkMap {
  return { name, names: new Set([name]), soname, id: null, info: null, needed: [], loader: null, origin: null };
}
