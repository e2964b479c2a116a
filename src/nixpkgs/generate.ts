/**
 * Regenerates the shipped data from the readable tables:
 *   src/nixpkgs/data/sonames.tsv                              -> data/sonames.json
 *   src/nixpkgs/data/renames.tsv                              -> data/renames.json
 *   src/nixpkgs/data/libstdcxx-abi.tsv + nixpkgs-releases.tsv -> data/toolchain.json
 *   src/nixpkgs/data/runtime.tsv                              -> data/runtime.json
 *   npx tsc -p tsconfig.build.json && node dist/nixpkgs/generate.js
 * test/nixpkgs/embedded.test.ts, toolchain.test.ts and runtime-table.test.ts fail when they are
 * out of sync.
 */
import { readFileSync } from 'node:fs';
import { writeFileAtomic } from '../atomic-file.js';
import { fileURLToPath } from 'node:url';
import { compileRuntimeTable, parseRuntimeTable } from './runtime-table.js';
import { compileTable, parseTable } from './table.js';
import { renderRenames } from './renames.js';
import { compileToolchain, TOOLCHAIN_PATH } from './toolchain.js';
import { EMBEDDED_PATH } from './embedded.js';
import { RUNTIME_PATH } from './runtime.js';
import { RENAMES_PATH } from './spelling.js';

const dataFile = (name: string): string => fileURLToPath(new URL(`../../src/nixpkgs/data/${name}`, import.meta.url));

export const TABLE_PATH = dataFile('sonames.tsv');
export const RENAMES_TABLE_PATH = dataFile('renames.tsv');
export const ABI_TABLE_PATH = dataFile('libstdcxx-abi.tsv');
export const RELEASE_TABLE_PATH = dataFile('nixpkgs-releases.tsv');
export const RUNTIME_TABLE_PATH = dataFile('runtime.tsv');
/** What the runtime table compiles to: the file its loader reads (a test names it so). */
export const RUNTIME_DATA_PATH = RUNTIME_PATH;

export function renderEmbedded(tsv: string): string {
  return JSON.stringify(compileTable(parseTable(tsv))) + '\n';
}

export { renderRenames };

export function renderToolchain(abiTsv: string, releasesTsv: string): string {
  return JSON.stringify(compileToolchain(abiTsv, releasesTsv)) + '\n';
}

export function renderRuntime(tsv: string): string {
  return JSON.stringify(compileRuntimeTable(parseRuntimeTable(tsv))) + '\n';
}

function write(path: string, text: string): void {
  writeFileAtomic(path, text, { create: true });
  process.stdout.write(`wrote ${path}\n`);
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  write(EMBEDDED_PATH, renderEmbedded(readFileSync(TABLE_PATH, 'utf8')));
  write(RENAMES_PATH, renderRenames(readFileSync(RENAMES_TABLE_PATH, 'utf8')));
  write(TOOLCHAIN_PATH, renderToolchain(readFileSync(ABI_TABLE_PATH, 'utf8'), readFileSync(RELEASE_TABLE_PATH, 'utf8')));
  write(RUNTIME_DATA_PATH, renderRuntime(readFileSync(RUNTIME_TABLE_PATH, 'utf8')));
}
