/**
 * The spelling table: which attribute paths name one derivation, and on which nixpkgs releases
 * each evaluates silently, with a warning, or throws. Source: src/nixpkgs/data/renames.tsv (see its
 * header for the columns), compiled to data/renames.json beside sonames.json.
 */
import { ATTR_PATH_RE } from './attrs-syntax.js';
import { isRelease, RELEASES, releaseRank, type Release } from './releases.js';
import { tsvRows } from './tsv.js';

export type SpellingState = 'ok' | 'warn' | 'throw';

export interface RenameRow {
  /** The group: the package's newest spelling. */
  pkg: string;
  /** Attribute path, or `X.*` for every attribute under X. */
  attr: string;
  from: Release;
  until: Release;
  state: SpellingState;
  evidence: string;
  wayOut?: string;
}

/** On disk, evidence keys stay keys (`E-XORG-SET`), defined once in `evidence`. */
export interface RenamesFile {
  format: 1;
  evidence: Record<string, string>;
  rows: RenameRow[];
}

function parseRange(s: string, where: string): { from: Release; until: Release } {
  const oldest = RELEASES[0];
  const newest = RELEASES[RELEASES.length - 1]!;
  if (s === '*') return { from: oldest, until: newest };
  const m = /^([^-]*)-([^-]*)$/.exec(s);
  const a = m?.[1] === '' ? oldest : m?.[1];
  const b = m?.[2] === '' ? newest : m?.[2];
  if (a === undefined || b === undefined || !isRelease(a) || !isRelease(b) || releaseRank(a) > releaseRank(b)) {
    throw new Error(`${where}: bad release range ${JSON.stringify(s)} (A-B, A-, -B or *; releases ${RELEASES.join(' ')})`);
  }
  return { from: a, until: b };
}

const STATES: readonly string[] = ['ok', 'warn', 'throw'];

/** Expands `E-KEY` references to the `#= E-KEY: text` definitions of the table's header. */
export function expandEvidence(text: string, defs: ReadonlyMap<string, string>, where: string): string {
  return text.replace(/\bE-[A-Z0-9-]+\b/g, (key) => {
    const d = defs.get(key);
    if (d === undefined) throw new Error(`${where}: undefined evidence key ${key}`);
    return d;
  });
}

/** Rows with evidence expanded (the compiled file keeps the `E-KEY` references: renderRenames). */
export function parseRenames(tsv: string): RenameRow[] {
  return parseRenamesWithDefs(tsv, false).rows;
}

function parseRenamesWithDefs(tsv: string, keepKeys: boolean): { rows: RenameRow[]; defs: Map<string, string> } {
  const defs = new Map<string, string>();
  const rows: RenameRow[] = [];
  const lines = tsv.split('\n').map((l) => l.replace(/\r$/, ''));
  for (const line of lines) {
    const def = /^#= (E-[A-Z0-9-]+): (.+)$/.exec(line);
    if (def !== null) defs.set(def[1]!, def[2]!);
  }
  for (const { cols, where } of tsvRows(tsv, 'renames.tsv', 5, 6)) {
    const [pkg, attr, range, state, evidence, wayOut] = cols as [string, string, string, string, string, string | undefined];
    if (!ATTR_PATH_RE.test(pkg)) throw new Error(`${where}: bad package ${JSON.stringify(pkg)}`);
    const bare = attr.endsWith('.*') ? attr.slice(0, -2) : attr;
    if (!ATTR_PATH_RE.test(bare)) throw new Error(`${where}: bad attribute ${JSON.stringify(attr)}`);
    if (!STATES.includes(state)) throw new Error(`${where}: bad state ${JSON.stringify(state)} (ok, warn, throw)`);
    if (evidence.trim() === '' || evidence === '-') throw new Error(`${where}: a fact needs its evidence`);
    if (state === 'throw' && (wayOut === undefined || wayOut.trim() === '')) throw new Error(`${where}: a throw row needs the way out`);
    const expanded = expandEvidence(evidence, defs, where);
    const row: RenameRow = { pkg, attr, ...parseRange(range, where), state: state as SpellingState, evidence: keepKeys ? evidence : expanded };
    if (wayOut !== undefined && wayOut.trim() !== '') row.wayOut = wayOut.trim();
    for (const other of rows) {
      if (other.attr === row.attr && releaseRank(other.from) <= releaseRank(row.until) && releaseRank(row.from) <= releaseRank(other.until)) {
        throw new Error(`${where}: ${attr} has overlapping release ranges`);
      }
    }
    rows.push(row);
  }
  return { rows, defs };
}

export function renderRenames(tsv: string): string {
  const { rows, defs } = parseRenamesWithDefs(tsv, true);
  const file: RenamesFile = { format: 1, evidence: Object.fromEntries(defs), rows };
  return JSON.stringify(file) + '\n';
}
