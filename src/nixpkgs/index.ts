import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Category } from '../scan/types.js';
import { classifySoname } from './classify.js';
import { embeddedIndex } from './embedded.js';
import { readIndexFile, type LocalIndex, type Provenance } from './cache.js';
import { decidingSignal, rankCandidates, reasons, type RankInput } from './rank.js';
import { DRIVER_ELEMENT, DRIVER_LIB_DIR, sameLibrary } from './attrs.js';
import type { EmbeddedEntry } from './table.js';
import type { Release } from './releases.js';
import { spellingFor, spellingTable, throwsOn, type Spelling } from './spelling.js';

export { classifySoname, type ClassifyContext } from './classify.js';
export { attrCovers, sameLibrary, baseAttr, DRIVER_ELEMENT, DRIVER_LIB_DIR } from './attrs.js';
export { isDriverSoname } from './driver.js';
export type { Provenance } from './cache.js';
export { RELEASES, type Release } from './releases.js';

export interface Candidate {
  attr: string;
  output: string;
  path: string;
  source: 'embedded' | 'nix-locate';
  why: string;
}

export interface Resolution {
  soname: string;
  category: Category;
  candidates: Candidate[];
  /** Advice that is not an attribute: driver path, venv location, insecure package. */
  note?: string;
  /** For curated sonames: the pick and every accepted spelling (any of them covers the soname). */
  accepted?: string[];
}

/** The embedded curated index plus, when present, the local nix-locate cache. */
export interface SonameIndex {
  embedded: ReadonlyMap<string, EmbeddedEntry>;
  local: LocalIndex | null;
  /** Where the local index came from (file path), when loaded. */
  localFile: string | null;
  provenance: Provenance | null;
}

/** $XDG_CACHE_HOME/nixpy/index.bin, else ~/.cache/nixpy/index.bin. */
export function defaultCacheFile(env: NodeJS.ProcessEnv): string {
  const xdg = env.XDG_CACHE_HOME;
  const base = xdg !== undefined && xdg !== '' ? xdg : join(env.HOME ?? homedir(), '.cache');
  return join(base, 'nixpy', 'index.bin');
}

/**
 * `--index FILE` when given (it must exist and be valid), else the local cache when present, plus
 * the embedded index. A corrupt file is an InputError (exit 2).
 */
export function loadIndex(opts: { indexFile?: string; env: NodeJS.ProcessEnv }): SonameIndex {
  let file: string | null = null;
  if (opts.indexFile !== undefined && opts.indexFile !== '') file = opts.indexFile;
  else {
    const def = defaultCacheFile(opts.env);
    if (existsSync(def)) file = def;
  }
  const local = file === null ? null : readIndexFile(file);
  return { embedded: embeddedIndex(), local, localFile: file, provenance: local?.provenance ?? null };
}

interface Working extends RankInput {
  output: string;
  source: 'embedded' | 'nix-locate';
  extra: string[];
}

/** Attribute text as a person writes it: the output is implied for `out` and `lib` (getLib). */
function attrWithOutput(attr: string, output: string, outputsSeen: ReadonlySet<string>): string {
  if (output === 'lib') return attr;
  if (output === 'out') return outputsSeen.has('lib') ? `${attr}.out` : attr;
  return `${attr}.${output}`;
}

export function resolveSoname(
  soname: string,
  index: SonameIndex,
  ctx: {
    preferAttrs?: readonly string[];
    venvProviders?: readonly string[];
    /** The user's nixpkgs release: picks are spelled for it and nothing that throws there is offered. Unset: no release filtering. */
    release?: Release;
  } = {},
): Resolution {
  const venvProviders = ctx.venvProviders ?? [];
  const prefer = ctx.preferAttrs ?? [];
  let category = classifySoname(soname, { venvProviders });
  if (category === 'glibc') {
    return {
      soname,
      category,
      candidates: [],
      note: 'provided by nixpkgs glibc, which every nixpkgs Python loads: nothing to add',
    };
  }
  if (category === 'driver') {
    return {
      soname,
      category,
      candidates: [],
      note:
        `GPU driver library: on NixOS it comes from ${DRIVER_LIB_DIR} (hardware.graphics / the NVIDIA driver module); ` +
        `put pkgs.${DRIVER_ELEMENT} in the makeLibraryPath list (it adds /run/opengl-driver/lib) instead of a package — never pin linuxPackages.nvidia_x11`,
    };
  }

  const curated = index.embedded.get(soname);
  const release = ctx.release;
  const table = spellingTable();
  const offered = (attr: string): boolean => release === undefined || !throwsOn(table, attr, release);
  // The pick spelled for the user's release; null when no spelling of it evaluates there.
  let spelled: Spelling | null = null;
  const accepted = curated ? [curated.attr, ...curated.alternatives].filter(offered) : [];
  if (curated && release !== undefined) {
    spelled = spellingFor(table, curated.attr, release);
    if (spelled.attr !== null && !accepted.includes(spelled.attr)) accepted.unshift(spelled.attr);
  }
  const isCurated = (attr: string): boolean => accepted.some((a) => sameLibrary(a, attr));
  const isPreferred = (attr: string): boolean => prefer.some((p) => sameLibrary(p, attr));

  const work: Working[] = [];
  const unavailable = spelled !== null && spelled.attr === null;
  if (curated && !unavailable) {
    // A spelling already in the user's file wins over the canonical one: it covers the soname
    // and keeps their file unchanged (unless it throws on their release).
    const preferredSpelling = prefer
      .map((p) => p.replace(/^pkgs\./, ''))
      .find((p) => offered(p) && accepted.some((a) => sameLibrary(a, p)));
    const canonical = spelled?.attr ?? curated.attr;
    const attr = preferredSpelling ?? canonical;
    const extra: string[] = [];
    if (preferredSpelling !== undefined && preferredSpelling !== curated.attr) extra.push(`accepted spelling of ${curated.attr}`);
    if (preferredSpelling === undefined && spelled !== null && canonical !== curated.attr) {
      extra.push(`spelled for nixpkgs ${release}${spelled.state === 'warn' ? ' (deprecated there, but its only spelling)' : ''}`);
    }
    work.push({
      attr,
      output: curated.output,
      path: curated.path,
      topLevel: true,
      curated: true,
      preferred: preferredSpelling !== undefined,
      source: 'embedded',
      extra,
    });
  }
  if (index.local !== null) {
    const hits = index.local.lookup(soname);
    const outputsByAttr = new Map<string, Set<string>>();
    for (const h of hits) {
      let s = outputsByAttr.get(h.attr);
      if (s === undefined) outputsByAttr.set(h.attr, (s = new Set()));
      s.add(h.output);
    }
    const byAttr = new Map<string, Working>();
    for (const h of hits) {
      const attr = attrWithOutput(h.attr, h.output, outputsByAttr.get(h.attr)!);
      if (curated && work[0] && sameLibrary(attr, work[0].attr)) {
        if (!work[0].extra.includes('confirmed by nix-locate')) work[0].extra.push('confirmed by nix-locate');
        continue;
      }
      if (!offered(attr)) continue;
      const c: Working = {
        attr,
        output: h.output,
        path: h.path,
        topLevel: h.topLevel,
        curated: isCurated(attr),
        preferred: isPreferred(attr),
        source: 'nix-locate',
        extra: h.type === 's' ? ['symlink'] : [],
      };
      if (h.storeName !== undefined) c.storeName = h.storeName;
      const prev = byAttr.get(attr);
      // Keep the best-placed file of each attribute (a lib/ file over a deeper copy).
      if (prev === undefined || rankCandidates([c, prev], soname)[0] === c) byAttr.set(attr, c);
    }
    work.push(...byAttr.values());
  }
  const ranked = rankCandidates(work, soname);
  const [first, second] = ranked;
  if (first !== undefined && second !== undefined) {
    const signal = decidingSignal(first, second, soname);
    first.extra.push(signal === null ? `ahead of ${second.attr} by name order only` : `ahead of ${second.attr} on ${signal}`);
  }
  const candidates: Candidate[] = ranked.map((c) => ({
    attr: c.attr,
    output: c.output,
    path: c.path,
    source: c.source,
    why: [...reasons(c, soname), ...c.extra].join('; '),
  }));
  if (category === 'unknown' && candidates.length > 0) category = 'package';
  const res: Resolution = { soname, category, candidates };
  const notes: string[] = [];
  if (category === 'venv') {
    notes.push(
      `shipped inside the venv (${venvProviders.slice(0, 3).join(', ')}${venvProviders.length > 3 ? ', ...' : ''}); ` +
        'it resolves only when preloaded or on the library path',
    );
  }
  if (curated?.note !== undefined) notes.push(curated.note);
  if (unavailable && spelled !== null) {
    const why = spelled.state === 'throw' ? 'throws' : 'does not exist';
    notes.push(`nothing in nixpkgs ${release} provides it (${curated!.attr} ${why} there); ${spelled.wayOut ?? ''}`.replace(/; $/, ''));
  }
  if (category === 'unknown') {
    notes.push(
      index.local === null
        ? 'no nixpkgs attribute known; run `nixpy index build` for a full nix-locate index'
        : 'no nixpkgs attribute ships it, according to the embedded index and the nix-locate index',
    );
  }
  if (notes.length > 0) res.note = notes.join('; ');
  if (curated) res.accepted = accepted;
  return res;
}
