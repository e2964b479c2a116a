/**
 * Release-aware attribute spelling (issue 8): the spelling of a package that evaluates on the
 * user's nixpkgs, and which spellings are one package on any release. Pure over the rename rows;
 * `spellingTable()` loads the shipped data/renames.json once.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { baseAttr, normalizeAttr } from './attrs-syntax.js';
import { releaseRank, RELEASES, type Release } from './releases.js';
import { expandEvidence, type RenameRow, type RenamesFile, type SpellingState } from './renames.js';

export const RENAMES_PATH = fileURLToPath(new URL('../../data/renames.json', import.meta.url));

export interface SpellingTable {
  /** Rows of exact attributes, by attribute. */
  byAttr: ReadonlyMap<string, readonly RenameRow[]>;
  /** Rows of `X.*` attributes, by the prefix `X.`. */
  byPrefix: ReadonlyMap<string, readonly RenameRow[]>;
  /** Exact attributes of each package, in table order. */
  byPkg: ReadonlyMap<string, readonly string[]>;
}

export function buildSpellingTable(rows: readonly RenameRow[]): SpellingTable {
  const byAttr = new Map<string, RenameRow[]>();
  const byPrefix = new Map<string, RenameRow[]>();
  const byPkg = new Map<string, string[]>();
  for (const r of rows) {
    if (r.attr.endsWith('.*')) {
      const p = r.attr.slice(0, -1);
      byPrefix.set(p, [...(byPrefix.get(p) ?? []), r]);
      continue;
    }
    byAttr.set(r.attr, [...(byAttr.get(r.attr) ?? []), r]);
    const attrs = byPkg.get(r.pkg) ?? [];
    if (!attrs.includes(r.attr)) attrs.push(r.attr);
    byPkg.set(r.pkg, attrs);
  }
  return { byAttr, byPrefix, byPkg };
}

let cached: SpellingTable | null = null;

export function spellingTable(): SpellingTable {
  if (cached === null) {
    const file = JSON.parse(readFileSync(RENAMES_PATH, 'utf8')) as RenamesFile;
    const defs = new Map(Object.entries(file.evidence));
    cached = buildSpellingTable(file.rows.map((r) => ({ ...r, evidence: expandEvidence(r.evidence, defs, RENAMES_PATH) })));
  }
  return cached;
}

/** The attribute as written (without `pkgs.`), then without its output selector. */
function keysOf(attr: string): string[] {
  const written = normalizeAttr(attr);
  const b = baseAttr(attr);
  return written === b ? [b] : [written, b];
}

function rowsOf(t: SpellingTable, attr: string): readonly RenameRow[] | undefined {
  for (const k of keysOf(attr)) {
    const exact = t.byAttr.get(k);
    if (exact !== undefined) return exact;
  }
  const a = baseAttr(attr);
  for (const [prefix, rows] of t.byPrefix) if (a.startsWith(prefix)) return rows;
  return undefined;
}

/** `unlisted`: the table says nothing (the spelling is taken to hold on every release). `absent`: listed, but not on this release. */
export type StateOn = SpellingState | 'absent' | 'unlisted';

export function stateOn(t: SpellingTable, attr: string, release: Release): { state: StateOn; row?: RenameRow } {
  const rows = rowsOf(t, attr);
  if (rows === undefined) return { state: 'unlisted' };
  const r = releaseRank(release);
  const row = rows.find((x) => releaseRank(x.from) <= r && r <= releaseRank(x.until));
  return row === undefined ? { state: 'absent' } : { state: row.state, row };
}

/** The package an attribute belongs to, or null when the table does not list it as an exact attribute. */
export function packageOf(t: SpellingTable, attr: string): string | null {
  for (const k of keysOf(attr)) {
    const p = t.byAttr.get(k)?.[0]?.pkg;
    if (p !== undefined) return p;
  }
  return null;
}

/** True when the table lists both as spellings of one package (on whatever releases). */
export function samePackage(t: SpellingTable, a: string, b: string): boolean {
  const pa = packageOf(t, a);
  return pa !== null && pa === packageOf(t, b);
}

export interface Spelling {
  /** The attribute to write on this release, or null when no spelling of the package evaluates there. */
  attr: string | null;
  state: StateOn;
  /** Evidence for the chosen spelling's state, or for why none works. */
  evidence?: string;
  /** When attr is null: what to do instead. */
  wayOut?: string;
}

/** Keeps an output selector (`.lib`) the caller wrote on the spelling it gets back. */
function withSuffix(original: string, spelling: string): string {
  const m = /\.(lib|out)$/.exec(original.trim());
  return m !== null && !/\.(lib|out)$/.test(spelling) ? spelling + m[0] : spelling;
}

/**
 * The spelling of `attr`'s package valid on `release`: the package's own (newest) name when it
 * evaluates silently there, else another silent spelling, else one that only warns. Throwing and
 * absent spellings are never returned; when nothing works, `attr` is null with the way out.
 */
export function spellingFor(t: SpellingTable, attr: string, release: Release): Spelling {
  const own = stateOn(t, attr, release);
  if (own.state === 'unlisted') return { attr, state: 'unlisted' };
  const pkg = packageOf(t, attr);
  const candidates = pkg === null ? [baseAttr(attr)] : [pkg, ...(t.byPkg.get(pkg) ?? [])].filter((a, i, all) => all.indexOf(a) === i);
  // An output selector the caller wrote is kept only on spellings that do not name one themselves.
  const states = candidates.map((a) => ({ a, ...(pkg === null ? own : stateOn(t, a, release)) }));
  const best = states.find((s) => s.state === 'ok') ?? states.find((s) => s.state === 'warn');
  if (best !== undefined) {
    const out: Spelling = { attr: pkg === null ? attr : withSuffix(attr, best.a), state: best.state };
    if (best.row !== undefined) out.evidence = best.row.evidence;
    return out;
  }
  const thrown = states.find((s) => s.state === 'throw');
  const later = RELEASES.slice(releaseRank(release) + 1).find((r) => candidates.some((a) => stateOn(t, a, r).state === 'ok'));
  const earlier = [...RELEASES.slice(0, releaseRank(release))].reverse().find((r) => candidates.some((a) => stateOn(t, a, r).state === 'ok'));
  const wayOut =
    thrown?.row?.wayOut ??
    (later !== undefined ? `it is available from nixpkgs ${later} on: update the pinned nixpkgs` : earlier !== undefined ? `the last nixpkgs with it is ${earlier}` : 'no covered nixpkgs release has it');
  const out: Spelling = { attr: null, state: thrown !== undefined ? 'throw' : 'absent', wayOut };
  const ev = thrown?.row?.evidence ?? states.find((s) => s.row !== undefined)?.row?.evidence;
  if (ev !== undefined) out.evidence = ev;
  return out;
}

/** Attributes that must never be offered on `release`: those that throw there. */
export function throwsOn(t: SpellingTable, attr: string, release: Release): boolean {
  return stateOn(t, attr, release).state === 'throw';
}
