import { readHeader } from '../elf/header.js';
import { describeMachine } from '../elf/index.js';
import { fdSource } from '../elf/source.js';
import { DF_1_NODEFLIB, ElfError, type ElfInfo } from '../elf/types.js';
import { closeSync, fstatSync, openSync } from 'node:fs';
import { LD_LIBRARY_PATH_SEPARATORS, RPATH_SEPARATORS, originOf, splitSearchPath, expandDst } from './dst.js';
import { createObjectCache } from './objects.js';
import type { Closure, LoadedLibrary, LoaderEnv, ObjectCache, Via } from './types.js';

/*
 * glibc's ld.so dependency loading (elf/dl-load.c _dl_map_object, elf/dl-deps.c
 * _dl_map_object_deps), in ldd's trace mode: breadth-first over DT_NEEDED, a name that is not
 * found is recorded and the walk goes on, a fatal error (a non-ELF file under the right name)
 * stops everything.
 */

const DF_1_PIE = 0x08000000;
const ET_EXEC = 2;
const ET_DYN = 3;
const VDSO_SONAME = 'linux-vdso.so.1';

/** One link map: an object ld.so has mapped (or pretends to, for the vDSO and virtual glibc). */
interface LinkMap {
  /** l_name: the path it was opened under. */
  name: string;
  /** l_libname: every name that has reached it. */
  names: Set<string>;
  soname: string | null;
  /** dev:ino, null for objects not on disk. */
  id: string | null;
  info: ElfInfo | null;
  /** l_loader: the object whose DT_NEEDED loaded it. */
  loader: LinkMap | null;
  origin: string | null;
  rpath?: string[] | null;
  runpath?: string[] | null;
  isRoot: boolean;
}

type Candidate =
  | { kind: 'ok'; info: ElfInfo; id: string }
  | { kind: 'skip' }
  | { kind: 'fatal'; message: string };

type Found = { map: LinkMap; via: Via; loaded: boolean } | { fatal: string; path: string; via: Via };

/** Thrown for a root object the model cannot load (not ELF, other architecture, ...). */
export class RootObjectError extends Error {
  override name = 'RootObjectError';
  constructor(
    message: string,
    /** `foreign`: a valid ELF object of another class or machine than the environment's. */
    readonly reason: 'missing' | 'not-file' | 'not-elf' | 'foreign' | 'not-dynamic',
  ) {
    super(message);
  }
}

function abs(env: LoaderEnv, p: string): string {
  return p.startsWith('/') ? p : (env.cwd.endsWith('/') ? env.cwd : env.cwd + '/') + p;
}

/**
 * What open_verify decides about a path, remembered per (ObjectCache, environment): the answer
 * depends on nothing else (the cache assumes files do not change), and a scan asks about the same
 * candidates (libc.so.6 in the cache, each search directory) in thousands of closures.
 */
const verdicts = new WeakMap<ObjectCache, WeakMap<LoaderEnv, Map<string, Candidate | null>>>();

function verifier(env: LoaderEnv, objects: ObjectCache): (path: string) => Candidate | null {
  let byEnv = verdicts.get(objects);
  if (byEnv === undefined) verdicts.set(objects, (byEnv = new WeakMap()));
  let known = byEnv.get(env);
  if (known === undefined) byEnv.set(env, (known = new Map()));
  const verdictOf = known;
  return (path) => {
    let v = verdictOf.get(path);
    if (v === undefined) verdictOf.set(path, (v = openVerify(env, objects, path)));
    return v;
  };
}

/** What open_verify decides about a file found under the right name. */
function openVerify(env: LoaderEnv, objects: ObjectCache, path: string): Candidate | null {
  const disk = abs(env, path);
  const slash = disk.lastIndexOf('/');
  if (!objects.mayExist(disk.slice(0, slash + 1), disk.slice(slash + 1))) return null;
  const probe = objects.probe(disk);
  if (probe === null) return null; // missing or dangling link: open() fails, search goes on
  if (probe.kind === 'dir') return { kind: 'fatal', message: 'cannot read file data: Is a directory' };
  // open_verify reads a whole ELF header before looking at any byte of it.
  if (probe.kind === 'file' && probe.size < (env.elfClass === 64 ? 64 : 52)) return { kind: 'fatal', message: 'file too short' };
  const info = objects.elf(disk, probe.id);
  if (info instanceof ElfError) {
    switch (info.code) {
      case 'io':
        return null; // EACCES and friends: ld.so moves on
      case 'not-elf':
        return { kind: 'fatal', message: 'invalid ELF header' };
      case 'truncated':
        return { kind: 'fatal', message: 'cannot read file data' };
      default:
        return classOrMachineMismatch(env, disk)
          ? { kind: 'skip' }
          : { kind: 'fatal', message: `cannot load: ${info.message}` };
    }
  }
  // The order of open_verify's checks decides which problems skip and which are fatal.
  if (info.elfClass !== env.elfClass) return { kind: 'skip' };
  if (info.endian !== 'little') return { kind: 'fatal', message: 'ELF file data encoding not little-endian' };
  if (info.osabi !== 0 && info.osabi !== 3) return { kind: 'fatal', message: 'ELF file OS ABI invalid' };
  if (info.machine !== env.machine) return { kind: 'skip' };
  if (info.type !== ET_DYN && info.type !== ET_EXEC) {
    return { kind: 'fatal', message: 'only ET_DYN and ET_EXEC can be loaded' };
  }
  return { kind: 'ok', info, id: probe.id };
}

/** For an object the full reader rejects: would ld.so have skipped it on class or machine? */
function classOrMachineMismatch(env: LoaderEnv, disk: string): boolean {
  let fd: number | null = null;
  try {
    fd = openSync(disk, 'r');
    const h = readHeader(fdSource(fd, fstatSync(fd).size));
    return (h.is64 ? 64 : 32) !== env.elfClass || h.machine !== env.machine;
  } catch {
    return false;
  } finally {
    if (fd !== null) closeSync(fd);
  }
}

/** Checks _dl_map_object_from_fd makes after open_verify, for a dependency (never the root). */
function mappingError(info: ElfInfo): string | null {
  if (info.type === ET_EXEC) return 'cannot dynamically load executable';
  // A shared object without a (non-empty) PT_DYNAMIC: typically separate debuginfo.
  if (!info.dynamic) return 'object file has no dynamic section';
  if ((info.flags1 & DF_1_PIE) !== 0) return 'cannot dynamically load position-independent executable';
  return null;
}

export function loadClosure(path: string, env: LoaderEnv, objects: ObjectCache = createObjectCache()): Closure {
  const rootInfo = readRoot(env, objects, path);
  const key = sharedKey(env, rootInfo.info, path);
  if (key === null) return computeClosure(path, rootInfo, env, objects).closure;
  const memo = memoFor(objects, env);
  const shared = memo.get(key);
  if (shared !== undefined && fits(shared, rootInfo)) return instantiate(shared, path);
  const computed = computeClosure(path, rootInfo, env, objects);
  if (computed.rootSpecific) return computed.closure;
  // A root whose own file (or a link to it) is in this closure would meet itself there: such a
  // root (its id among `ids`) computes its own closure.
  const mine: SharedClosure = { closure: computed.closure, rootPath: path, ids: computed.ids, asked: computed.asked };
  if (shared === undefined) memo.set(key, mine);
  return instantiate(mine, path);
}

/**
 * Whether a shared closure is this root's too: a root meets itself where the walk accepted its
 * file (its id) or asked for its soname; such a root computes its own closure.
 */
function fits(s: SharedClosure, root: { info: ElfInfo; id: string }): boolean {
  return !s.ids.has(root.id) && !(root.info.soname !== null && s.asked.has(root.info.soname));
}

/*
 * Closures shared between roots. ld.so's walk from a root depends on the root's path only
 * through $ORIGIN (its DT_NEEDED, RPATH, RUNPATH, and LD_LIBRARY_PATH expand it), through the
 * names the root answers to (its path, matched by a DT_NEEDED with a '/', and its soname), and
 * through its file identity (a search that finds the root's own file gets the root). Roots that agree on
 * everything else (extension modules of one package often need exactly the same libraries; a
 * venv may hold the same file at several paths) get the same closure, with the root's path in
 * `requiredBy` and `notFoundFor`. A closure is shared only when neither the root's path, soname
 * nor identity played any part in it (computeClosure's `rootSpecific`), and reused only by a root
 * whose soname and identity play no part in it either (`fits`).
 */

interface SharedClosure {
  closure: Closure;
  /** The root path the closure was computed for. */
  rootPath: string;
  /** Identity of every file the walk accepted: a root with one of these ids computes its own. */
  ids: ReadonlySet<string>;
  /** Every name the walk looked for: a root with one of these sonames computes its own. */
  asked: ReadonlySet<string>;
}

const memos = new WeakMap<ObjectCache, WeakMap<LoaderEnv, Map<string, SharedClosure>>>();

/** One memo per (object cache, environment): both are fixed for the memo's lifetime. */
function memoFor(objects: ObjectCache, env: LoaderEnv): Map<string, SharedClosure> {
  let byEnv = memos.get(objects);
  if (byEnv === undefined) memos.set(objects, (byEnv = new WeakMap()));
  let memo = byEnv.get(env);
  if (memo === undefined) byEnv.set(env, (memo = new Map()));
  return memo;
}

/** null and '' kept apart in keys (a DT_RUNPATH of '' still disables DT_RPATH). */
function keyPart(s: string | null): string {
  return s === null ? '\u0001' : `=${s}`;
}

/** A root's key parts that do not depend on its path, per parsed object (see sharedKey). */
interface KeyBase {
  /** The key when the root's directory plays no part: one string, so its hash is computed once. */
  plain: string;
  /** Everything but the directory, for roots whose key needs it. */
  base: string;
  /** $ORIGIN (or another token) in its DT_NEEDED, DT_RPATH or DT_RUNPATH. */
  usesDst: boolean;
}

/** Parsed objects are shared by every path that reaches the same file: so are their key parts. */
const keyBases = new WeakMap<ElfInfo, KeyBase | null>();

function keyBaseOf(info: ElfInfo): KeyBase | null {
  let k = keyBases.get(info);
  if (k !== undefined) return k;
  if (info.needed.some((n) => n.includes('/'))) {
    k = null;
  } else {
    // No soname: a root's soname matters only when its closure asks for that name, which
    // loadClosure checks against the shared closure's `asked`.
    const base = [
      keyPart(info.interp),
      keyPart(info.rpath),
      keyPart(info.runpath),
      (info.flags1 & DF_1_NODEFLIB) !== 0 ? '1' : '0',
      ...info.needed,
    ].join('\u0000');
    const usesDst =
      (info.rpath !== null && info.rpath.includes('$')) ||
      (info.runpath !== null && info.runpath.includes('$')) ||
      info.needed.some((n) => n.includes('$'));
    k = { plain: `${keyPart(null)}\u0000${base}`, base, usesDst };
  }
  keyBases.set(info, k);
  return k;
}

/**
 * What a root's closure can depend on besides its path and identity; null when a DT_NEEDED names
 * a path (the root's path could be that name). $ORIGIN anywhere makes the directory part of it.
 */
function sharedKey(env: LoaderEnv, info: ElfInfo, path: string): string | null {
  // A root named without a '/' answers to a plain soname-like name.
  if (!path.includes('/')) return null;
  const k = keyBaseOf(info);
  if (k === null) return null;
  const dst = k.usesDst || (env.ldLibraryPath !== null && env.ldLibraryPath.includes('$'));
  return dst ? `${keyPart(originOf(path, env.cwd))}\u0000${k.base}` : k.plain;
}

/** The shared closure as computed for `path`: copies, with the root's path in place. */
function instantiate(s: SharedClosure, path: string): Closure {
  const swap = (p: string): string => (p === s.rootPath ? path : p);
  const libraries = s.closure.libraries.map((l) => {
    const copy: LoadedLibrary = { ...l, requiredBy: swap(l.requiredBy) };
    if (l.tried !== undefined) copy.tried = [...l.tried];
    if (l.notFoundFor !== undefined) copy.notFoundFor = l.notFoundFor.map(swap);
    return copy;
  });
  const out: Closure = { path, libraries };
  if (s.closure.error !== undefined) out.error = { ...s.closure.error };
  return out;
}

interface Computed {
  closure: Closure;
  /** The root's path or identity decided something: not to be shared with other roots. */
  rootSpecific: boolean;
  ids: Set<string>;
  asked: Set<string>;
}

function computeClosure(path: string, rootInfo: { info: ElfInfo; id: string }, env: LoaderEnv, objects: ObjectCache): Computed {
  const ids = new Set<string>();
  const asked = new Set<string>();
  let rootSpecific = false;
  const verify = verifier(env, objects);
  const maps: LinkMap[] = [];
  const root: LinkMap = {
    name: path,
    names: new Set([path]),
    soname: rootInfo.info.soname,
    id: rootInfo.id,
    info: rootInfo.info,
    loader: null,
    origin: originOf(path, env.cwd),
    isRoot: true,
  };
  maps.push(root);
  // ld.so itself and the vDSO are mapped before any DT_NEEDED is looked at.
  const rtldNames = new Set([env.rtld.path, env.rtld.soname]);
  if (rootInfo.info.interp) rtldNames.add(rootInfo.info.interp);
  const rtldProbe = env.virtualDefault ? null : objects.probe(env.rtld.path);
  if (rtldProbe) ids.add(rtldProbe.id);
  maps.push({
    name: env.rtld.path,
    names: rtldNames,
    soname: env.rtld.soname,
    id: rtldProbe?.id ?? null,
    info: null,
    loader: null,
    origin: null,
    isRoot: false,
  });
  maps.push({
    name: VDSO_SONAME,
    names: new Set([VDSO_SONAME]),
    soname: VDSO_SONAME,
    id: null,
    info: null,
    loader: null,
    origin: null,
    isRoot: false,
  });
  const vdso = maps[2] as LinkMap;

  const dst = (m: LinkMap) => ({ origin: m.origin, lib: env.dstLib, platform: env.dstPlatform });
  const ldLibraryPath =
    env.ldLibraryPath === null ? [] : splitSearchPath(env.ldLibraryPath, LD_LIBRARY_PATH_SEPARATORS, dst(root));

  const rpathOf = (m: LinkMap): string[] | null => {
    if (m.rpath === undefined) {
      // A DT_RUNPATH, even empty, disables the object's own DT_RPATH (get-dynamic-info.h).
      const r = m.info && m.info.runpath === null ? m.info.rpath : null;
      m.rpath = r ? splitSearchPath(r, RPATH_SEPARATORS, dst(m)) : null;
    }
    return m.rpath;
  };
  const runpathOf = (m: LinkMap): string[] | null => {
    if (m.runpath === undefined) {
      const r = m.info?.runpath ?? null;
      m.runpath = r ? splitSearchPath(r, RPATH_SEPARATORS, dst(m)) : null;
    }
    return m.runpath;
  };

  /** The already-loaded object with this name or soname (_dl_name_match_p, then DT_SONAME). */
  const byName = (name: string): LinkMap | null => {
    for (const m of maps) {
      if (m.names.has(name) || m.soname === name) {
        if (m === root) rootSpecific = true;
        if (m.soname === name) m.names.add(name);
        return m;
      }
    }
    return null;
  };

  const newMap = (name: string, realname: string, c: { info: ElfInfo; id: string }, loader: LinkMap): LinkMap => {
    const m: LinkMap = {
      name: realname,
      names: new Set([realname, name]),
      soname: c.info.soname,
      id: c.id,
      info: c.info,
      loader,
      origin: originOf(realname, env.cwd),
      isRoot: false,
    };
    maps.push(m);
    return m;
  };

  /** Accepts a verified candidate: same file as a loaded object -> that one, else a new map. */
  const accept = (name: string, realname: string, c: { info: ElfInfo; id: string }, via: Via, loader: LinkMap): Found => {
    ids.add(c.id);
    const same = maps.find((m) => m.id === c.id);
    if (same === root) rootSpecific = true;
    if (same) {
      same.names.add(name);
      return { map: same, via: 'loaded', loaded: true };
    }
    const err = mappingError(c.info);
    if (err) return { fatal: err, path: realname, via };
    return { map: newMap(name, realname, c, loader), via, loaded: false };
  };

  /** open_path over one list of directories. */
  const searchDirs = (name: string, dirs: readonly string[], via: Via, loader: LinkMap, tried: string[]): Found | null => {
    for (const dir of dirs) {
      tried.push(dir === '' ? '.' : dir.replace(/\/$/, '') || '/');
      for (const sub of env.subdirs) {
        const realname = dir + sub + name;
        const c = verify(realname);
        if (c === null || c.kind === 'skip') continue;
        if (c.kind === 'fatal') return { fatal: c.message, path: realname, via };
        return accept(name, realname, c, via, loader);
      }
    }
    return null;
  };

  /** _dl_map_object for one DT_NEEDED name of `loader`. */
  const mapObject = (name: string, loader: LinkMap, tried: string[]): Found | null => {
    asked.add(name);
    // The root answers to its path: another root's path could be this name.
    if (name.includes('/')) rootSpecific = true;
    const loaded = byName(name);
    if (loaded) return { map: loaded, via: 'loaded', loaded: true };

    if (name.includes('/')) {
      const c = verify(name);
      if (c === null || c.kind === 'skip') return null;
      if (c.kind === 'fatal') return { fatal: c.message, path: name, via: 'path' };
      return accept(name, name, c, 'path', loader);
    }

    const info = loader.info;
    let found: Found | null = null;
    if (!info || info.runpath === null) {
      // DT_RPATH of the requesting object, then of each object up its loader chain; the
      // root (ld.so's main map) is on every chain, so its RPATH is always included.
      for (let l: LinkMap | null = loader; l && !found; l = l.loader) {
        const dirs = rpathOf(l);
        if (dirs) found = searchDirs(name, dirs, 'rpath', loader, tried);
      }
    }
    if (!found && ldLibraryPath.length > 0) found = searchDirs(name, ldLibraryPath, 'ld_library_path', loader, tried);
    if (!found) {
      const dirs = runpathOf(loader);
      if (dirs) found = searchDirs(name, dirs, 'runpath', loader, tried);
    }
    const nodeflib = info !== null && (info.flags1 & DF_1_NODEFLIB) !== 0;
    if (!found && env.cacheLookup) {
      const cached = env.cacheLookup(name);
      // A NODEFLIB object may still use cache entries outside the system directories. glibc
      // compares prefixes only, so anything below /lib/ or /usr/lib/ counts as a system dir.
      const inSystemDir = cached !== null && env.systemDirs.some((d) => cached.startsWith(d));
      if (cached !== null && !(nodeflib && inSystemDir)) {
        tried.push('ld.so.cache');
        const c = verify(cached);
        if (c?.kind === 'fatal') return { fatal: c.message, path: cached, via: 'cache' };
        if (c?.kind === 'ok') found = accept(name, cached, c, 'cache', loader);
      }
    }
    if (!found && !nodeflib) {
      found = searchDirs(name, env.defaultDirs, 'default', loader, tried);
      const virt = env.virtualDefault;
      if (!found && virt) {
        tried.push(virt.dir);
        if (virt.sonames.has(name)) {
          const m: LinkMap = {
            name: `${virt.dir}/${name}`,
            names: new Set([name]),
            soname: name,
            id: null,
            info: null,
            loader,
            origin: virt.dir,
            isRoot: false,
          };
          maps.push(m);
          found = { map: m, via: 'default', loaded: false };
        }
      }
    }
    return found;
  };

  const libraries: LoadedLibrary[] = [];
  const entries = new Map<string, LoadedLibrary>();
  /** Every object whose search for a name failed, for names not found (yet). */
  const failedFor = new Map<string, string[]>();
  const queue: LinkMap[] = [root];
  for (let qi = 0; qi < queue.length; qi++) {
    const obj = queue[qi] as LinkMap;
    for (const raw of obj.info?.needed ?? []) {
      // _dl_map_object_deps expands DSTs in DT_NEEDED before anything else.
      const name = raw.includes('$') ? expandDst(raw, dst(obj)) : raw;
      if (name === null || name === '') {
        const entry: LoadedLibrary = { soname: raw, path: null, via: null, requiredBy: obj.name, error: 'empty dynamic string token substitution' };
        return { closure: fail(libraries, entry, path), rootSpecific, ids, asked };
      }
      const prev = entries.get(name);
      if (prev && prev.path !== null) continue; // found before: matched by name, nothing new
      const tried: string[] = [];
      const r = mapObject(name, obj, tried);
      if (r && 'fatal' in r) {
        const entry: LoadedLibrary = { soname: name, path: r.path, via: r.via, requiredBy: obj.name, error: r.fatal };
        if (prev) libraries.splice(libraries.indexOf(prev), 1);
        return { closure: fail(libraries, entry, path), rootSpecific, ids, asked };
      }
      if (r === null) {
        failedFor.set(name, [...(failedFor.get(name) ?? []), obj.name]);
        if (!prev) {
          const entry: LoadedLibrary = { soname: name, path: null, via: null, requiredBy: obj.name, tried };
          entries.set(name, entry);
          libraries.push(entry);
        }
        continue;
      }
      if (r.map === vdso) continue;
      const entry: LoadedLibrary = { soname: name, path: r.map.name, via: r.via, requiredBy: obj.name };
      if (prev) {
        // Searched again and found this time: it is loaded here, after what came since.
        libraries.splice(libraries.indexOf(prev), 1);
        entry.notFoundFor = failedFor.get(name) ?? [prev.requiredBy];
        failedFor.delete(name);
      }
      entries.set(name, entry);
      libraries.push(entry);
      if (!r.loaded && r.map.info) queue.push(r.map);
    }
  }
  return { closure: { path, libraries }, rootSpecific, ids, asked };
}

function fail(libraries: LoadedLibrary[], entry: LoadedLibrary, path: string): Closure {
  libraries.push(entry);
  return { path, libraries, error: { soname: entry.soname, message: entry.error ?? 'error' } };
}

function readRoot(env: LoaderEnv, objects: ObjectCache, path: string): { info: ElfInfo; id: string } {
  const disk = abs(env, path);
  const probe = objects.probe(disk);
  if (probe === null) throw new RootObjectError(`${path}: no such file`, 'missing');
  if (probe.kind !== 'file') throw new RootObjectError(`${path}: not a regular file`, 'not-file');
  const info = objects.elf(disk, probe.id);
  if (info instanceof ElfError) throw new RootObjectError(`${path}: ${info.message}`, 'not-elf');
  if (info.type !== ET_DYN && info.type !== ET_EXEC) {
    throw new RootObjectError(`${path}: not a shared library or executable (ELF type ${info.type})`, 'not-elf');
  }
  if (info.elfClass !== env.elfClass || info.machine !== env.machine) {
    throw new RootObjectError(
      `${path}: ELF${info.elfClass} ${describeMachine(info.machine)} object; the loader model is x86-64 only`,
      'foreign',
    );
  }
  // rtld --verify (ldd's first step) exits 1 for a main object without a dynamic section (a
  // static executable, separate debuginfo): ldd says "not a dynamic executable", lists nothing.
  if (!info.dynamic) throw new RootObjectError(`${path}: not a dynamic executable (no dynamic section)`, 'not-dynamic');
  return { info, id: probe.id };
}

