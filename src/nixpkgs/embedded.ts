import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { decodeEmbedded, type EmbeddedEntry, type EmbeddedFile } from './table.js';

/** data/ sits two levels above both src/nixpkgs/ (tests) and dist/nixpkgs/ (installed package). */
export const EMBEDDED_PATH = fileURLToPath(new URL('../../data/sonames.json', import.meta.url));

let cached: Map<string, EmbeddedEntry> | null = null;

/** The curated index shipped with the package, parsed once on first use. */
export function embeddedIndex(): ReadonlyMap<string, EmbeddedEntry> {
  if (cached === null) {
    const file = JSON.parse(readFileSync(EMBEDDED_PATH, 'utf8')) as EmbeddedFile;
    cached = decodeEmbedded(file);
  }
  return cached;
}
