import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { NIXOS_GLIBC_SONAMES } from '../loader/nixos-glibc.js';
import { embeddedIndex } from './embedded.js';
import { decodeRuntimeFile, normalizeDistName, type RuntimeEntry, type RuntimeFile } from './runtime-table.js';

/** data/ sits two levels above both src/nixpkgs/ (tests) and dist/nixpkgs/ (installed package). */
export const RUNTIME_PATH = fileURLToPath(new URL('../../data/runtime.json', import.meta.url));

let cached: ReadonlyMap<string, readonly RuntimeEntry[]> | null = null;

/** The curated runtime-load table by normalised distribution name, parsed once on first use. */
export function runtimeTable(): ReadonlyMap<string, readonly RuntimeEntry[]> {
  if (cached === null) {
    const map = new Map<string, RuntimeEntry[]>();
    for (const e of decodeRuntimeFile(JSON.parse(readFileSync(RUNTIME_PATH, 'utf8')) as RuntimeFile)) {
      const list = map.get(e.dist);
      if (list === undefined) map.set(e.dist, [e]);
      else list.push(e);
    }
    cached = map;
  }
  return cached;
}

/** What a distribution (any spelling of its name) opens at run time; empty when not listed. */
export function runtimeLoadsOf(dist: string): readonly RuntimeEntry[] {
  return runtimeTable().get(normalizeDistName(dist)) ?? [];
}

/**
 * The versioned soname behind a link-time name (`libsndfile.so` -> `libsndfile.so.1`): what
 * find_library("sndfile") returns where it works. Only when the soname index knows exactly one.
 */
export function sonameForLinkName(linkName: string, known: Iterable<string>): string | null {
  let found: string | null = null;
  for (const s of known) {
    if (!s.startsWith(linkName + '.')) continue;
    if (found !== null) return null;
    found = s;
  }
  return found;
}

/** Sonames a link-time name may stand for: the curated index's and glibc's (find_library("c")). */
let linkSonames: string[] | null = null;

/** sonameForLinkName over the curated index and glibc's own libraries. */
export function sonameOfLinkName(linkName: string): string | null {
  linkSonames ??= [...embeddedIndex().keys(), ...NIXOS_GLIBC_SONAMES];
  return sonameForLinkName(linkName, linkSonames);
}
