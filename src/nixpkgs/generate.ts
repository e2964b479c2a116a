/**
 * Regenerates data/sonames.json from src/nixpkgs/data/sonames.tsv:
 *   npx tsc -p tsconfig.build.json && node dist/nixpkgs/generate.js
 * test/index/embedded.test.ts fails when the two are out of sync.
 */
import { readFileSync } from 'node:fs';
import { writeFileAtomic } from '../atomic-file.js';
import { fileURLToPath } from 'node:url';
import { compileTable, parseTable } from './table.js';

export const TABLE_PATH = fileURLToPath(new URL('../../src/nixpkgs/data/sonames.tsv', import.meta.url));
export const DATA_PATH = fileURLToPath(new URL('../../data/sonames.json', import.meta.url));

export function renderEmbedded(tsv: string): string {
  return JSON.stringify(compileTable(parseTable(tsv))) + '\n';
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const text = renderEmbedded(readFileSync(TABLE_PATH, 'utf8'));
  writeFileAtomic(DATA_PATH, text, { create: true });
  process.stdout.write(`wrote ${DATA_PATH}\n`);
}
