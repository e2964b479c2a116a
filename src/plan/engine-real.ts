import { highestGlibc } from './glibc-floor.js';
import { readElfFile } from '../elf/index.js';
import { classifySoname } from '../nixpkgs/classify.js';
import { attrCovers, loadIndex, resolveSoname, type SonameIndex } from '../nixpkgs/index.js';
import { findLibraryLists, patchLibraryList } from '../nix/index.js';
import { DRIVER_ELEMENT } from '../nixpkgs/attrs.js';
import { scanVenv } from '../scan/index.js';
import type { Engine, NixLists } from './engine.js';
import { familiesByObject } from '../nixpkgs/families.js';
import { spellingTable } from '../nixpkgs/spelling.js';

/**
 * The Engine backed by the real stages. The soname index is loaded lazily: a project whose
 * venv needs nothing never reads it.
 */
export function realEngine(opts: { indexFile?: string | undefined; env: NodeJS.ProcessEnv }): Engine {
  let index: SonameIndex | null = null;
  const verdefs = new Map<string, string[] | null>();
  const listsMemo = new Map<string, NixLists>();
  const getIndex = (): SonameIndex =>
    (index ??= loadIndex(opts.indexFile !== undefined ? { indexFile: opts.indexFile, env: opts.env } : { env: opts.env }));
  return {
    scan: async (root, req) => {
      const r = await scanVenv(root, {
        classify: (soname, venvProviders) => classifySoname(soname, { venvProviders }),
        env: req.env,
        ...(req.ldLibraryPath !== undefined ? { ldLibraryPath: req.ldLibraryPath } : {}),
        ...(req.machine !== undefined ? { machine: req.machine } : {}),
        ...(req.onProgress ? { onProgress: req.onProgress } : {}),
      });
      const objects = r.objects.map((o) => ({
        path: o.path,
        soname: o.elf.soname,
        glibc: highestGlibc(o.elf.verneed.flatMap((n) => n.versions.filter((v) => !(n.weak ?? []).includes(v)))),
      }));
      return { result: r.result, objects, versionDefinitions: r.versionDefinitions };
    },
    resolve: (soname, ctx) =>
      resolveSoname(soname, getIndex(), {
        venvProviders: ctx.venvProviders,
        preferAttrs: ctx.preferAttrs,
        ...(ctx.release !== undefined ? { release: ctx.release } : {}),
      }),
    families: (missing, release) =>
      familiesByObject(missing, { index: getIndex().embedded, spelling: spellingTable(), ...(release !== undefined ? { release } : {}) }),
    classify: (soname, venvProviders) => classifySoname(soname, { venvProviders }),
    lists: (source, file, sinks) => {
      // A plan reads the same text more than once (the fail-fast parse, the analysis, the patched
      // text's check and its coverage): the last two texts' answers are kept.
      const memoKey = `${file}\u0000${sinks?.join(':') ?? ''}\u0000${source}`;
      const known = listsMemo.get(memoKey);
      if (known !== undefined) return known;
      const r = findLibraryLists(source, file, sinks);
      const lists = { attrs: r.attrs.filter((a) => a !== DRIVER_ELEMENT), driverPath: r.driverPath, hasLibraryPath: r.hasLibraryPath };
      if (listsMemo.size >= 2) listsMemo.delete(listsMemo.keys().next().value as string);
      listsMemo.set(memoKey, lists);
      return lists;
    },
    patch: (source, file, add, driverPath, sinks) => {
      const r = patchLibraryList(source, file, { add: [...add], driverPath, ...(sinks ? { sinks } : {}) });
      return {
        text: r.text,
        changed: r.changed,
        added: r.added.filter((a) => a !== DRIVER_ELEMENT),
        present: r.present.filter((a) => a !== DRIVER_ELEMENT),
        unplaced: r.unplaced.map((u) => (u.attr === DRIVER_ELEMENT ? { ...u, attr: 'driver path' } : u)),
        driverAdded: r.added.includes(DRIVER_ELEMENT),
        createdLibraryPath: r.createdLibraryPath,
        sources: r.sources,
      };
    },
    covers: (existing, wanted, soname) => attrCovers(existing, wanted, soname),
    definedVersions: (path) => {
      // Thousands of objects resolve to the same few libraries: read each one once.
      if (verdefs.has(path)) return verdefs.get(path) ?? null;
      let defs: string[] | null;
      try {
        defs = readElfFile(path).verdef;
      } catch {
        defs = null;
      }
      verdefs.set(path, defs);
      return defs;
    },
  };
}
