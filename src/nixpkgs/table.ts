/**
 * The curated soname table: a readable TSV kept in the repo (src/nixpkgs/data/sonames.tsv) and
 * compiled to data/sonames.json, the file the package ships and loads lazily.
 *
 * TSV columns (tab-separated; `#` starts a comment line; `-` means "default/none"):
 *   soname  attr  output  path  alternatives  note
 * - attr: attribute path after `pkgs.` as a person writes it in makeLibraryPath (`stdenv.cc.cc.lib`).
 * - output: the store output holding the file (`out`, `lib`).
 * - path: file path within that output; `-` = `lib/<soname>`.
 * - alternatives: comma-separated attributes that also provide the soname and count as covering
 *   it (old spellings of renamed attributes, equivalent packages).
 */

import { ATTR_PATH_RE } from './attrs-syntax.js';
import { tsvRows } from './tsv.js';

export interface EmbeddedEntry {
  soname: string;
  attr: string;
  output: string;
  path: string;
  alternatives: string[];
  note?: string;
}

/** Compact on-disk form: soname -> [attr, output, path, alternatives, note?]. */
export interface EmbeddedFile {
  format: 1;
  entries: Record<string, [string, string, string, string[]] | [string, string, string, string[], string]>;
}


export function parseTable(tsv: string): EmbeddedEntry[] {
  const out: EmbeddedEntry[] = [];
  const seen = new Set<string>();
  for (const { cols, where } of tsvRows(tsv, 'sonames.tsv', 5, 6)) {
    const [soname, attr, output, path, alts, note] = cols as [string, string, string, string, string, string | undefined];
    if (!/^[^\s/]+\.so(\.[0-9A-Za-z_.-]+)?$/.test(soname)) throw new Error(`${where}: bad soname ${JSON.stringify(soname)}`);
    if (seen.has(soname)) throw new Error(`${where}: duplicate soname ${soname}`);
    seen.add(soname);
    if (!ATTR_PATH_RE.test(attr)) throw new Error(`${where}: bad attribute ${JSON.stringify(attr)}`);
    if (!/^[a-z][a-z0-9]*$/.test(output)) throw new Error(`${where}: bad output ${JSON.stringify(output)}`);
    const alternatives = alts === '-' || alts === '' ? [] : alts.split(',').map((s) => s.trim());
    for (const a of alternatives) {
      if (!ATTR_PATH_RE.test(a)) throw new Error(`${where}: bad alternative ${JSON.stringify(a)}`);
    }
    const entry: EmbeddedEntry = {
      soname,
      attr,
      output,
      path: path === '-' || path === '' ? `lib/${soname}` : path,
      alternatives,
    };
    if (note !== undefined && note !== '' && note !== '-') entry.note = note;
    out.push(entry);
  }
  return out;
}

export function compileTable(entries: readonly EmbeddedEntry[]): EmbeddedFile {
  const file: EmbeddedFile = { format: 1, entries: {} };
  for (const e of entries) {
    file.entries[e.soname] =
      e.note === undefined ? [e.attr, e.output, e.path, e.alternatives] : [e.attr, e.output, e.path, e.alternatives, e.note];
  }
  return file;
}

export function decodeEmbedded(file: EmbeddedFile): Map<string, EmbeddedEntry> {
  const map = new Map<string, EmbeddedEntry>();
  for (const [soname, row] of Object.entries(file.entries)) {
    const [attr, output, path, alternatives, note] = row;
    const e: EmbeddedEntry = { soname, attr, output, path, alternatives };
    if (note !== undefined) e.note = note;
    map.set(soname, e);
  }
  return map;
}
