import { join, resolve, sep } from 'node:path';
import { ElfError, type ElfInfo } from '../elf/types.js';
import type { Closure, EnvName } from '../loader/types.js';
import { elfErrorReason, unloadableReason, type Target } from './judge.js';
import { collectMissing, venvRelative, type Classify } from './missing.js';
import { createRealPaths, type RealPaths } from './real-path.js';
import { entryPoints } from './roots.js';
import { collectVersionErrors } from './versions.js';
import type { ScanResult, SkippedFile } from './types.js';
import { byCodeUnit, fileName, walkVenv } from './walk.js';

export interface ScanOptions {
  env: EnvName;
  ldLibraryPath?: string;
  /** e_machine of the venv's interpreter (project/interpreter.ts); default x86-64. */
  machine?: number;
  onProgress?: (done: number, total: number) => void;
}

export interface ScannedObject {
  /** Venv-relative. */
  path: string;
  abs: string;
  elf: ElfInfo;
  closure: Closure;
}

export interface ScanReport {
  result: ScanResult;
  objects: ScannedObject[];
  /** For each library in `result.versionErrors`: the versions it does define (its DT_VERDEF). */
  versionDefinitions: ReadonlyMap<string, readonly string[]>;
}

/** What the scan needs from the ELF reader, the loader model and the classifier. */
export interface ScanDeps {
  /** Parses one object; throws ElfError. */
  readElf: (abs: string) => ElfInfo;
  /** One object's closure as dlopen would load it, or why the loader refuses the object. */
  closureOf: (abs: string) => Closure | { refused: string };
  classify: Classify;
  /** The machine and ELF class the venv's Python loads. */
  target: Target;
}

/** How often the scan yields to the event loop so a spinner can redraw. */
const YIELD_EVERY = 128;

/**
 * The scan proper, with the loader and classifier passed in. The work is synchronous (positioned
 * reads and stats served from caches are far cheaper than a promise per file); it only yields
 * now and then so progress output stays live.
 */
export async function scanWith(root: string, opts: ScanOptions, deps: ScanDeps): Promise<ScanReport> {
  const rootAbs = resolve(root);
  const { target, closureOf, classify } = deps;
  const walk = walkVenv(rootAbs);
  const skipped: SkippedFile[] = [...walk.skipped];
  const objects: ScannedObject[] = [];

  const total = walk.candidates.length;
  for (let i = 0; i < total; i++) {
    const c = walk.candidates[i]!;
    let elf: ElfInfo;
    try {
      elf = deps.readElf(c.abs);
    } catch (err) {
      if (!(err instanceof ElfError)) throw err;
      skipped.push({ path: c.rel, reason: elfErrorReason(err) });
      opts.onProgress?.(i + 1, total);
      continue;
    }
    const why = unloadableReason(elf, target);
    if (why !== null) {
      skipped.push({ path: c.rel, reason: why });
    } else {
      const closure = closureOf(c.abs);
      if ('refused' in closure) {
        skipped.push({ path: c.rel, reason: closure.refused });
      } else {
        objects.push({ path: c.rel, abs: c.abs, elf, closure });
      }
    }
    opts.onProgress?.(i + 1, total);
    if ((i + 1) % YIELD_EVERY === 0) await new Promise<void>((r) => setImmediate(r));
  }

  skipped.sort((a, b) => byCodeUnit(a.path, b.path));
  const real = createRealPaths();
  const located = new Map<string, string | null>();
  const inside = rootAbs.endsWith(sep) ? rootAbs : rootAbs + sep;
  // Closures share their libraries: each path is placed once.
  const locate = (path: string): string | null => {
    let rel = located.get(path);
    if (rel === undefined) located.set(path, (rel = locateInVenv(rootAbs, inside, path, real)));
    return rel;
  };
  // Most closures lie wholly outside the venv (system or store libraries): a prefix test spares
  // them the path arithmetic.
  const judged = entryPoints(
    objects.map((o) => ({ rel: o.path, abs: o.abs, closure: o.closure })),
    (path) => (path.startsWith(inside) ? locate(path) : null),
    real,
    walk.symlinks,
  );
  const missing = collectMissing(
    judged,
    locate,
    providersOf(objects, walk.sameDirLinks),
    classify,
  );
  const versions = collectVersionErrors(judged, locate);
  return {
    result: { root: rootAbs, env: opts.env, objects: objects.length, skipped, missing, versionErrors: versions.refusals },
    objects,
    versionDefinitions: versions.defined,
  };
}

/** A `.` or `..` segment: the lexical reading of the path may differ from the physical one. */
const DOT_SEGMENT = /(^|\/)\.\.?(\/|$)/;

/** The venv-relative path of `path`; with a `..` in it, only when the physical reading (real
 * paths: `..` after a symlink leads out of the link's target) names the same file. `inside` is
 * the root with a trailing separator. */
function locateInVenv(root: string, inside: string, path: string, real: RealPaths): string | null {
  // Already normal below the root (most paths the loader reports in a venv): path.relative would
  // give exactly the rest, after resolving both paths.
  if (path.startsWith(inside)) {
    const rest = path.slice(inside.length);
    if (rest !== '' && !rest.endsWith('/') && !rest.includes('//') && !DOT_SEGMENT.test(rest)) return rest;
  }
  const rel = venvRelative(root, path);
  if (rel === null || !DOT_SEGMENT.test(path)) return rel;
  const physical = real.of(path);
  return physical !== null && physical === real.of(join(root, rel)) ? rel : null;
}

/**
 * Which venv files carry a soname, by DT_SONAME or by file name (a same-directory link such as
 * libfoo.so.1 -> libfoo.so.1.2.3 counts by its name). Built on first use: only scans with
 * something missing need it.
 */
function providersOf(objects: readonly ScannedObject[], links: readonly { rel: string }[]): (soname: string) => readonly string[] {
  let index: Map<string, string[]> | null = null;
  return (soname) => {
    if (index === null) {
      const map = new Map<string, string[]>();
      const add = (name: string, rel: string): void => {
        const list = map.get(name);
        if (list === undefined) map.set(name, [rel]);
        else list.push(rel);
      };
      for (const o of objects) {
        const name = fileName(o.path);
        add(name, o.path);
        if (o.elf.soname !== null && o.elf.soname !== name) add(o.elf.soname, o.path);
      }
      for (const l of links) add(fileName(l.rel), l.rel);
      index = map;
    }
    return index.get(soname) ?? [];
  };
}
