import type { ElfInfo } from '../elf/types.js';
import { expandDst } from './dst.js';
import { Namespace, type LinkMap } from './link-maps.js';
import { mapObject } from './search.js';
import type { Closure, LoadedLibrary, LoaderEnv, ObjectCache, VersionError } from './types.js';
import { providersOf, versionErrorsOf, type Provider } from './versions.js';

/*
 * glibc's ld.so dependency loading (elf/dl-deps.c _dl_map_object_deps), in ldd's trace mode:
 * breadth-first over DT_NEEDED, a name that is not found is recorded and the walk goes on, a
 * fatal error (a non-ELF file under the right name) stops everything. Once all is mapped, the
 * symbol versions are checked (versions.ts). Each name's search is search.ts; the sharing of
 * closures between roots is shared.ts.
 */

/** One walk's result, with what the sharing memo needs to know about it. */
export interface Computed {
  closure: Closure;
  /** The root's path or identity decided something: not to be shared with other roots. */
  rootSpecific: boolean;
  ids: ReadonlySet<string>;
  asked: ReadonlySet<string>;
  /** For the version check of another root sharing this closure: what each name provides. */
  providers: ReadonlyMap<string, Provider>;
  /** Version errors of the dependencies (the root's own are computed per root). */
  dependencyVersionErrors: readonly VersionError[];
}

export function computeClosure(path: string, rootFile: { info: ElfInfo; id: string }, env: LoaderEnv, objects: ObjectCache): Computed {
  const ns = new Namespace(env, objects, path, rootFile);
  const libraries: LoadedLibrary[] = [];
  const stopped = walk(ns, libraries);
  const { rootSpecific, ids, asked } = ns;
  if (stopped !== null) {
    // ld.so stops before it checks any version.
    libraries.push(stopped);
    const error = { soname: stopped.soname, message: stopped.error ?? 'error' };
    return { rootSpecific, ids, asked, closure: { path, libraries, error }, providers: new Map(), dependencyVersionErrors: [] };
  }
  const providers = providersOf(ns.maps);
  const deps: VersionError[] = [];
  for (let i = 0; i < ns.maps.length; i++) {
    const m = ns.maps[i]!;
    if (m !== ns.root && m.info !== null) versionErrorsOf(m.name, m.info.verneed, providers, deps);
  }
  // Checked in load order: the root first.
  const errors = versionErrorsOf(path, rootFile.info.verneed, providers);
  for (const e of deps) errors.push(e);
  const closure = withVersionErrors({ path, libraries }, errors);
  return { rootSpecific, ids, asked, closure, providers, dependencyVersionErrors: deps };
}

/** The closure with `versionErrors` set when there are any. */
export function withVersionErrors(c: Closure, errors: VersionError[]): Closure {
  return errors.length > 0 ? { ...c, versionErrors: errors } : c;
}

/**
 * The breadth-first walk: fills `libraries` in load order; returns the entry ld.so stops at (a
 * fatal error), or null when the walk completes.
 */
function walk(ns: Namespace, libraries: LoadedLibrary[]): LoadedLibrary | null {
  const entries = new Map<string, LoadedLibrary>();
  /** Every object whose search for a name failed, for names not found (yet). */
  const failedFor = new Map<string, string[]>();
  const queue: LinkMap[] = [ns.root];
  for (let qi = 0; qi < queue.length; qi++) {
    const obj = queue[qi] as LinkMap;
    // Indexed, as the version check's loops: a for-of in code V8 has not optimised (most of a
    // nixpy run: src/cli/tiering.ts) allocates an iterator result per step.
    for (let ni = 0; ni < obj.needed.length; ni++) {
      const raw = obj.needed[ni] as string;
      // _dl_map_object_deps expands DSTs in DT_NEEDED before anything else.
      const name = raw.includes('$') ? expandDst(raw, ns.dst(obj)) : raw;
      if (name === null || name === '') {
        return { soname: raw, path: null, via: null, requiredBy: obj.name, error: 'empty dynamic string token substitution' };
      }
      const prev = entries.get(name);
      if (prev && prev.path !== null) continue; // found before: matched by name, nothing new
      const tried: string[] = [];
      const r = mapObject(ns, name, obj, tried);
      if (r && 'fatal' in r) {
        if (prev) libraries.splice(libraries.indexOf(prev), 1);
        return { soname: name, path: r.path, via: r.via, requiredBy: obj.name, error: r.fatal };
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
      if (r.map === ns.vdso) continue;
      const entry: LoadedLibrary = { soname: name, path: r.map.name, via: r.via, requiredBy: obj.name };
      if (prev) {
        // Searched again and found this time: it is loaded here, after what came since.
        libraries.splice(libraries.indexOf(prev), 1);
        entry.notFoundFor = failedFor.get(name) ?? [prev.requiredBy];
        failedFor.delete(name);
      }
      entries.set(name, entry);
      libraries.push(entry);
      if (!r.loaded && r.map.needed.length > 0) queue.push(r.map);
    }
  }
  return null;
}
