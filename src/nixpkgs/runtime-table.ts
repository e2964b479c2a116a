/**
 * The curated runtime-load table: Python distributions that open native libraries themselves
 * (ctypes, cffi, dlopen in their C code), kept readable in src/nixpkgs/data/runtime.tsv and
 * compiled to data/runtime.json, the file the package ships. Column meanings: the TSV's header.
 */

import { tsvRows } from './tsv.js';

export type RuntimeVia = 'ctypes' | 'cffi' | 'native' | 'gi';
/** How the package names the library: through ctypes.util.find_library, or a literal name. */
export type RuntimeLookup = 'find_library' | 'name';
export type RuntimeWhen = { kind: 'required' } | { kind: 'optional' } | { kind: 'if'; condition: string };

export interface RuntimeEntry {
  /** PEP 503-normalised distribution name. */
  dist: string;
  /** A soname, or `typelib:*` for GObject-introspection typelibs. */
  soname: string;
  via: RuntimeVia;
  /** In the order the package tries them. */
  lookup: RuntimeLookup[];
  when: RuntimeWhen;
  /** Glob under site-packages: when a file matches, the package uses its own copy. */
  bundled: string | null;
  /** `owner/repo@commit:path:line`, or a public issue URL for closed-source libraries. */
  evidence: string;
  note?: string;
}

/** Compact on-disk form: one array per entry, in table order. */
export interface RuntimeFile {
  format: 1;
  entries: Array<[string, string, RuntimeVia, RuntimeLookup[], string, string | null, string, string?]>;
}

const VIA: ReadonlySet<string> = new Set(['ctypes', 'cffi', 'native', 'gi']);
const LOOKUP: ReadonlySet<string> = new Set(['find_library', 'name']);
const SONAME = /^[^\s/]+\.so(\.[0-9A-Za-z_.-]+)?$/;
const EVIDENCE = /^(?:[\w.-]+\/[\w.-]+@[0-9a-f]{12,40}:[^\s:]+:[0-9]+|https:\/\/github\.com\/[\w.-]+\/[\w.-]+\/(?:issues|pull)\/[0-9]+)$/;

/** PEP 503: lowercase, and every run of `-`, `_`, `.` is one `-`. */
export function normalizeDistName(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}

function parseWhen(s: string, where: string): RuntimeWhen {
  if (s === 'required' || s === '-') return { kind: 'required' };
  if (s === 'optional') return { kind: 'optional' };
  if (s.startsWith('if:') && s.length > 3) return { kind: 'if', condition: s.slice(3) };
  throw new Error(`${where}: bad when ${JSON.stringify(s)}`);
}

export function formatWhen(w: RuntimeWhen): string {
  return w.kind === 'if' ? `if:${w.condition}` : w.kind;
}

export function parseRuntimeTable(tsv: string): RuntimeEntry[] {
  const out: RuntimeEntry[] = [];
  const seen = new Set<string>();
  for (const { cols, where } of tsvRows(tsv, 'runtime.tsv', 7, 8)) {
    const [dist, soname, via, lookup, when, bundled, evidence, note] = cols as [string, string, string, string, string, string, string, string?];
    if (dist !== normalizeDistName(dist) || dist === '') throw new Error(`${where}: distribution ${JSON.stringify(dist)} is not PEP 503-normalised`);
    if (soname !== 'typelib:*' && !SONAME.test(soname)) throw new Error(`${where}: bad soname ${JSON.stringify(soname)}`);
    if (!VIA.has(via)) throw new Error(`${where}: bad via ${JSON.stringify(via)}`);
    const lookups = lookup.split('+');
    if (lookups.some((l) => !LOOKUP.has(l))) throw new Error(`${where}: bad lookup ${JSON.stringify(lookup)}`);
    if (!EVIDENCE.test(evidence)) throw new Error(`${where}: bad evidence ${JSON.stringify(evidence)}`);
    const key = `${dist}\u0000${soname}`;
    if (seen.has(key)) throw new Error(`${where}: duplicate ${dist} ${soname}`);
    seen.add(key);
    const entry: RuntimeEntry = {
      dist,
      soname,
      via: via as RuntimeVia,
      lookup: lookups as RuntimeLookup[],
      when: parseWhen(when, where),
      bundled: bundled === '-' || bundled === '' ? null : bundled,
      evidence,
    };
    if (note !== undefined && note !== '' && note !== '-') entry.note = note;
    out.push(entry);
  }
  return out;
}

export function compileRuntimeTable(entries: readonly RuntimeEntry[]): RuntimeFile {
  return {
    format: 1,
    entries: entries.map((e) => {
      const row: RuntimeFile['entries'][number] = [e.dist, e.soname, e.via, e.lookup, formatWhen(e.when), e.bundled, e.evidence];
      if (e.note !== undefined) row.push(e.note);
      return row;
    }),
  };
}

export function decodeRuntimeFile(file: RuntimeFile): RuntimeEntry[] {
  return file.entries.map(([dist, soname, via, lookup, when, bundled, evidence, note]) => {
    const e: RuntimeEntry = { dist, soname, via, lookup, when: parseWhen(when, 'runtime.json'), bundled, evidence };
    if (note !== undefined) e.note = note;
    return e;
  });
}
