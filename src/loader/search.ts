import { DF_1_NODEFLIB, type ElfInfo } from '../elf/types.js';
import { originOf, RPATH_SEPARATORS, splitSearchPath } from './dst.js';
import type { LinkMap, Namespace } from './link-maps.js';
import type { Via } from './types.js';
import { mappingError } from './verify.js';

/*
 * glibc's search for one DT_NEEDED name (elf/dl-load.c _dl_map_object): a name already loaded,
 * else a name with a '/' opened as a path, else the ladder below, first hit wins:
 *   1. DT_RPATH of the requesting object and of every object up its loader chain, unless the
 *      requester has a DT_RUNPATH;
 *   2. LD_LIBRARY_PATH;
 *   3. DT_RUNPATH of the requester only;
 *   4. ld.so.cache (for a DF_1_NODEFLIB requester, only entries outside the system directories);
 *   5. the default directories (not for a DF_1_NODEFLIB requester).
 * Each rule is one function below, as in pax-utils' lddtree.py. In every directory the hwcaps
 * subdirectories come first (env.subdirs).
 */

/** A hit (a new map, or one loaded before), or a file that stops ld.so. */
export type Found = { map: LinkMap; via: Via; loaded: boolean } | { fatal: string; path: string; via: Via };

/** _dl_map_object for one DT_NEEDED name of `loader`; null when no rule finds it. */
export function mapObject(ns: Namespace, name: string, loader: LinkMap, tried: string[]): Found | null {
  ns.asked.add(name);
  // The root answers to its path: another root's path could be this name.
  if (name.includes('/')) ns.rootSpecific = true;
  const loaded = ns.byName(name);
  if (loaded) return { map: loaded, via: 'loaded', loaded: true };
  if (name.includes('/')) return openPath(ns, name, loader);
  return (
    fromRpathChain(ns, name, loader, tried) ??
    fromLdLibraryPath(ns, name, loader, tried) ??
    fromRunpath(ns, name, loader, tried) ??
    fromCache(ns, name, loader, tried) ??
    fromDefaultDirs(ns, name, loader, tried)
  );
}

/** A DT_NEEDED with a '/' is opened as it stands (relative to the cwd), never searched. */
function openPath(ns: Namespace, name: string, loader: LinkMap): Found | null {
  const c = ns.verify(name);
  if (c === null || c.kind === 'skip') return null;
  if (c.kind === 'fatal') return { fatal: c.message, path: name, via: 'path' };
  return accept(ns, name, name, c, 'path', loader);
}

/** Rule 1: the RPATH chain. The root (ld.so's main map) is on every chain. */
function fromRpathChain(ns: Namespace, name: string, loader: LinkMap, tried: string[]): Found | null {
  if (loader.info !== null && loader.info.runpath !== null) return null;
  for (let l: LinkMap | null = loader; l !== null; l = l.loader) {
    const dirs = rpathOf(ns, l);
    const found = dirs ? searchDirs(ns, name, dirs, 'rpath', loader, tried) : null;
    if (found) return found;
  }
  return null;
}

/** Rule 2. */
function fromLdLibraryPath(ns: Namespace, name: string, loader: LinkMap, tried: string[]): Found | null {
  return ns.ldLibraryPath.length > 0 ? searchDirs(ns, name, ns.ldLibraryPath, 'ld_library_path', loader, tried) : null;
}

/** Rule 3: the requester's own RUNPATH; not inherited. */
function fromRunpath(ns: Namespace, name: string, loader: LinkMap, tried: string[]): Found | null {
  const dirs = runpathOf(ns, loader);
  return dirs ? searchDirs(ns, name, dirs, 'runpath', loader, tried) : null;
}

/** Rule 4. glibc compares prefixes only: anything below /lib/ or /usr/lib/ is a system dir. */
function fromCache(ns: Namespace, name: string, loader: LinkMap, tried: string[]): Found | null {
  const { env } = ns;
  if (!env.cacheLookup) return null;
  const cached = env.cacheLookup(name);
  if (cached === null) return null;
  if (nodeflib(loader) && env.systemDirs.some((d) => cached.startsWith(d))) return null;
  tried.push('ld.so.cache');
  const c = ns.verify(cached);
  if (c?.kind === 'fatal') return { fatal: c.message, path: cached, via: 'cache' };
  return c?.kind === 'ok' ? accept(ns, name, cached, c, 'cache', loader) : null;
}

/** Rule 5, and for the nixos model the virtual glibc directory, which holds exactly its sonames. */
function fromDefaultDirs(ns: Namespace, name: string, loader: LinkMap, tried: string[]): Found | null {
  if (nodeflib(loader)) return null;
  const found = searchDirs(ns, name, ns.env.defaultDirs, 'default', loader, tried);
  const virt = ns.env.virtualDefault;
  if (found || !virt) return found;
  tried.push(virt.dir);
  const needed = virt.libraries.get(name);
  if (needed === undefined) return null;
  const map = ns.add({
    name: `${virt.dir}/${name}`,
    names: new Set([name]),
    soname: name,
    id: null,
    info: null,
    needed,
    loader,
    origin: virt.dir,
  });
  return { map, via: 'default', loaded: false };
}

function nodeflib(m: LinkMap): boolean {
  return m.info !== null && (m.info.flags1 & DF_1_NODEFLIB) !== 0;
}

/** open_path over one list of directories, each with its hwcaps subdirectories first. */
function searchDirs(ns: Namespace, name: string, dirs: readonly string[], via: Via, loader: LinkMap, tried: string[]): Found | null {
  // Indexed loops (thousands of searches per scan; see closure.ts).
  for (let i = 0; i < dirs.length; i++) {
    const dir = dirs[i]!;
    tried.push(dir === '' ? '.' : dir.replace(/\/$/, '') || '/');
    const existing = ns.searchDirs(dir);
    for (let j = 0; j < existing.length; j++) {
      const { prefix, names } = existing[j]!;
      // Most directories of a search lack the name: asked of the listing first, no path is built.
      if (names !== 'unlistable' && !names.has(name)) continue;
      const realname = prefix + name;
      const c = ns.verify(realname);
      if (c === null || c.kind === 'skip') continue;
      if (c.kind === 'fatal') return { fatal: c.message, path: realname, via };
      return accept(ns, name, realname, c, via, loader);
    }
  }
  return null;
}

/** A verified candidate: the same file as a loaded object is that object, else a new map. */
function accept(ns: Namespace, name: string, realname: string, c: { info: ElfInfo; id: string }, via: Via, loader: LinkMap): Found {
  ns.ids.add(c.id);
  const same = ns.byId(c.id);
  if (same) {
    ns.addName(same, name);
    return { map: same, via: 'loaded', loaded: true };
  }
  const err = mappingError(c.info);
  if (err) return { fatal: err, path: realname, via };
  const map = ns.add({
    name: realname,
    names: new Set([realname, name]),
    soname: c.info.soname,
    id: c.id,
    info: c.info,
    needed: c.info.needed,
    loader,
    origin: originOf(realname, ns.env.cwd),
  });
  return { map, via, loaded: false };
}

/** DT_RPATH, unless the object has a DT_RUNPATH, even an empty one (get-dynamic-info.h). */
function rpathOf(ns: Namespace, m: LinkMap): string[] | null {
  if (m.rpath === undefined) {
    const r = m.info && m.info.runpath === null ? m.info.rpath : null;
    m.rpath = r ? splitSearchPath(r, RPATH_SEPARATORS, ns.dst(m)) : null;
  }
  return m.rpath;
}

function runpathOf(ns: Namespace, m: LinkMap): string[] | null {
  if (m.runpath === undefined) {
    const r = m.info?.runpath ?? null;
    m.runpath = r ? splitSearchPath(r, RPATH_SEPARATORS, ns.dst(m)) : null;
  }
  return m.runpath;
}
