/**
 * Regenerates the shipped data from the readable tables:
 *   src/nixpkgs/data/sonames.tsv -> data/sonames.json
 *   src/nixpkgs/data/renames.tsv -> data/renames.json
 *   npx tsc -p tsconfig.build.json && node dist/nixpkgs/generate.js
 * test/nixpkgs/embedded.test.ts fails when they are out of sync.
 */
import { readFileSync } from 'node:fs';
import { writeFileAtomic } from '../atomic-file.js';
import { fileURLToPath } from 'node:url';
import { compileTable, parseTable } from './table.js';
import { renderRenames } from './renames.js';

export const TABLE_PATH = fileURLToPath(new URL('../../src/nixpkgs/data/sonames.tsv', import.meta.url));
export const DATA_PATH = fileURLToPath(new URL('../../data/sonames.json', import.meta.url));
export const RENAMES_TABLE_PATH = fileURLToPath(new URL('../../src/nixpkgs/data/renames.tsv', import.meta.url));
export const RENAMES_DATA_PATH = fileURLToPath(new URL('../../data/renames.json', import.meta.url));

export function renderEmbedded(tsv: string): string {
  return JSON.stringify(compileTable(parseTable(tsv))) + '\n';
}

export { renderRenames };

function write(path: string, text: string): void {
  writeFileAtomic(path, text, { create: true });
  process.stdout.write(`wrote ${path}\n`);
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  write(DATA_PATH, renderEmbedded(readFileSync(TABLE_PATH, 'utf8')));
  write(RENAMES_DATA_PATH, renderRenames(readFileSync(RENAMES_TABLE_PATH, 'utf8')));
}
