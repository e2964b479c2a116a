import { glibcFloorProblems } from './glibc-floor.js';
import type { EnvName } from '../loader/types.js';
import { posix } from 'node:path';
import { ignoreMatcher, type NixpyConfig } from '../project/pyproject.js';
import type { Category } from '../scan/types.js';
import { distributionOf, type DistIndex } from '../project/dists.js';
import type { Candidate, Engine, NixLists, PlanScan } from './engine.js';
import type { LoaderFinding } from './error-text.js';
import type { Release } from '../nixpkgs/releases.js';
import type { SinkVia } from '../nix/library-path.js';
import type { RuntimeItem } from './runtime.js';
import {
  versionProblemsFromScan,
  highestOfFamily,
  parseVersionName,
  versionAdvice,
  type VersionProblem,
} from './symbol-versions.js';

/**
 * The judgement shared by doctor, check and init: which sonames are missing, what provides
 * each, what the Nix file already covers, and what must be added. Everything here is computed
 * from the scan, the configuration and the Nix file's text; nothing is written.
 */

export interface LibraryItem {
  soname: string;
  category: Category;
  /** Venv-relative paths of the objects that need it (empty for a library only dlopen'ed). */
  neededBy: string[];
  /** For `venv`: where the venv ships it. */
  providedBy?: string[];
  candidates: Candidate[];
  /** The attribute nixpy would add, or null (driver, venv, unknown, glibc). */
  pick: string | null;
  why: string | null;
  note?: string;
  /** The Nix file already puts it on the library path. */
  covered: boolean;
  /** The attribute in the Nix file that covers it (`driver path` for driver libraries). */
  coveredBy: string | null;
  /** Named in the pasted error or the command's output. */
  fromError: boolean;
  /** Named in the error but needed by no scanned object: loaded with dlopen, or outside the venv. */
  notInScan: boolean;
  /** The error named an exact path (a dlopen of a file that does not exist there). */
  errorPath?: string;
  /** Distributions whose files need it, sorted (for a run-time load: those that open it). */
  distributions: string[];
  /** A run-time load that needs more than a library on the path (find_library on NixOS). */
  runtimeAdvice?: string;
}

export interface Analysis {
  items: LibraryItem[];
  /** Sonames left out because [tool.nixpy] ignore lists them. */
  ignored: string[];
  /** [tool.nixpy] ignore entries that match nothing missing: stale, or misspelled. */
  ignoreUnused: string[];
  nixLists: NixLists | null;
  /** Attributes to add to the Nix file, in order, equivalent spellings once. */
  add: string[];
  /** The driver directory must be added to the library path. */
  addDriverPath: boolean;
  /** [tool.nixpy] extra attributes the Nix file lacks (also in `add`). */
  extraMissing: string[];
  /** Sonames nothing is known to provide. */
  unknown: string[];
  versionProblems: VersionProblem[];
}

export interface AnalysisInput {
  scan: PlanScan;
  config: NixpyConfig;
  /** The Nix file and its text, when there is one. */
  nix: { file: string; shown?: string; source: string; sinks?: readonly SinkVia[] | undefined } | null;
  /** Loader errors the user pasted (or the command printed); empty for a plain scan. */
  findings: readonly LoaderFinding[];
  dists: DistIndex;
  /** The user's nixpkgs release: picks are spelled for it (issue 8). Unset: no release filtering. */
  release?: Release;
  /** The loader model: under `nixos` an object needing a newer glibc than the release's is reported. */
  model?: EnvName;
  /** Libraries the venv's Python code opens itself (plan/runtime.ts runtimeItems). */
  runtime?: readonly RuntimeItem[];
}

/**
 * The element of the Nix file's lists that puts an item's library on the path (`driver path` for
 * the driver directory), or null. The one coverage rule, before and after a patch.
 */
export function coverOf(
  engine: Pick<Engine, 'covers'>,
  it: Pick<LibraryItem, 'soname' | 'category' | 'candidates'>,
  lists: NixLists,
): string | null {
  if (it.category === 'driver') return lists.driverPath ? 'driver path' : null;
  if (it.category !== 'package') return null;
  return lists.attrs.find((have) => it.candidates.some((c) => engine.covers(have, c.attr, it.soname))) ?? null;
}

function venvRelativeOf(root: string, p: string | null): string | null {
  if (!p || !p.startsWith('/')) return null;
  const rel = posix.relative(root, posix.normalize(p));
  return rel !== '' && !rel.startsWith('..') ? rel : null;
}

export function analyse(engine: Engine, input: AnalysisInput): Analysis {
  const { scan, config, dists } = input;
  const root = scan.result.root;
  // Exact sonames and * / ? patterns (src/project/pyproject.ts).
  const ignore = ignoreMatcher(config.ignore);
  const nixLists = input.nix ? engine.lists(input.nix.source, input.nix.shown ?? input.nix.file, input.nix.sinks) : null;
  const present = nixLists?.attrs ?? [];

  // Every soname the venv ships, for classifying names that only the error mentions.
  const venvProviders = (soname: string): string[] =>
    scan.objects.filter((o) => o.soname === soname || posix.basename(o.path) === soname).map((o) => o.path);

  const errorSonames = new Map<string, LoaderFinding>();
  for (const f of input.findings) {
    if (f.kind === 'missing-library' && !errorSonames.has(f.soname)) errorSonames.set(f.soname, f);
  }

  // Versioned families (FFmpeg, ICU, CUDA, ...) are chosen per object, before each soname alone.
  const families = engine.families?.(
    scan.result.missing.filter((m) => m.category === 'package' && !ignore.matches(m.soname)),
    input.release,
  );

  const ignored: string[] = [];
  const items: LibraryItem[] = [];
  const seen = new Set<string>();
  const addItem = (
    soname: string,
    category: Category,
    neededBy: string[],
    providedBy: string[] | undefined,
    notInScan: boolean,
    runtime?: RuntimeItem,
  ): void => {
    if (seen.has(soname)) return;
    seen.add(soname);
    if (ignore.matches(soname)) {
      ignored.push(soname);
      return;
    }
    const finding = errorSonames.get(soname);
    const resolution = engine.resolve(soname, {
      venvProviders: providedBy ?? [],
      preferAttrs: present,
      ...(input.release !== undefined ? { release: input.release } : {}),
    });
    // The scan's category stands, except that the resolver may know a package for a soname the
    // classifier alone calls unknown (the local nix-locate index).
    const cat: Category = category === 'unknown' && resolution.category === 'package' ? 'package' : category;
    const conflict = cat === 'package' ? families?.conflicts.get(soname) : undefined;
    const familyPick = cat === 'package' ? families?.picks.get(soname) : undefined;
    let candidates = cat === 'package' && conflict === undefined ? resolution.candidates : [];
    // The family's version leads unless the file already has an accepted spelling.
    if (familyPick !== undefined && !present.some((have) => engine.covers(have, candidates[0]?.attr ?? familyPick, soname))) {
      const rest = candidates.filter((c) => c.attr !== familyPick);
      const own = candidates.find((c) => c.attr === familyPick);
      candidates = [{ ...(own ?? {}), attr: familyPick, why: `the version that provides all of this object's ${own?.why ? `libraries; ${own.why}` : 'libraries of its family'}` }, ...rest];
    }
    const pick = cat === 'package' ? (candidates[0]?.attr ?? null) : null;
    if (conflict !== undefined) resolution.note = resolution.note ? `${conflict}; ${resolution.note}` : conflict;
    const coveredBy = nixLists === null ? null : coverOf(engine, { soname, category: cat, candidates }, nixLists);
    const item: LibraryItem = {
      soname,
      category: cat,
      neededBy: [...neededBy].sort(),
      ...(providedBy && providedBy.length > 0 ? { providedBy: [...providedBy].sort() } : {}),
      candidates,
      pick,
      why: pick ? (candidates[0]?.why ?? null) : null,
      ...(resolution.note ? { note: resolution.note } : {}),
      covered: coveredBy !== null,
      coveredBy,
      fromError: errorSonames.has(soname),
      notInScan,
      ...(finding?.kind === 'missing-library' && finding.path ? { errorPath: finding.path } : {}),
      distributions: runtime ? [...runtime.distributions] : [...new Set(neededBy.map((p) => distributionOf(p, dists)))].sort(),
      ...(runtime?.advice ? { runtimeAdvice: runtime.advice } : {}),
    };
    items.push(item);
  };

  for (const m of scan.result.missing) addItem(m.soname, m.category, m.neededBy, m.providedBy, false);
  for (const [soname, finding] of errorSonames) {
    if (seen.has(soname)) continue;
    const providers = venvProviders(soname);
    const category = engine.classify(soname, providers);
    const from = finding.kind === 'missing-library' ? venvRelativeOf(root, finding.path) : null;
    addItem(soname, category, from ? [from] : [], providers, true);
  }
  for (const r of input.runtime ?? []) addItem(r.soname, r.category, r.neededBy, undefined, true, r);
  // Findings first (they are why the user is here), then by soname in byte order, as the scan
  // sorts and `nixpy fix` adds: the same order everywhere.
  items.sort((a, b) => Number(b.fromError) - Number(a.fromError) || (a.soname < b.soname ? -1 : a.soname > b.soname ? 1 : 0));

  // What to add: uncovered picks and extras, equivalent spellings once.
  const add: string[] = [];
  const pushAdd = (attr: string, soname?: string): void => {
    if (present.some((have) => engine.covers(have, attr, soname))) return;
    if (add.some((a) => engine.covers(a, attr, soname))) return;
    add.push(attr);
  };
  for (const it of items) if (it.category === 'package' && !it.covered && it.pick) pushAdd(it.pick, it.soname);
  const extraMissing = config.extra.filter((x) => !present.some((have) => engine.covers(have, x)));
  for (const x of extraMissing) pushAdd(x);
  const addDriverPath = items.some((it) => it.category === 'driver' && !it.covered);
  const unknown = items.filter((it) => it.category === 'unknown').map((it) => it.soname);

  return {
    items,
    ignored: ignored.sort(),
    ignoreUnused: ignore.unused(seen),
    nixLists,
    add,
    addDriverPath,
    extraMissing,
    unknown,
    versionProblems: versionProblemsOf(engine, input),
  };
}

/** Symbol-version mismatches among the scanned objects, plus those the pasted error names. */
function versionProblemsOf(engine: Engine, input: AnalysisInput): VersionProblem[] {
  const root = input.scan.result.root;
  // A library the venv ships itself: the wheel that ships it is part of the answer.
  // The loader judged the versions while it mapped each closure: nothing is read again here.
  const fromScan = versionProblemsFromScan(input.scan.result.versionErrors, input.scan.versionDefinitions).map((p) => {
    const rel = venvRelativeOf(root, p.libraryPath);
    if (rel === null) return p;
    const dist = distributionOf(posix.normalize(rel), input.dists);
    return { ...p, advice: `this ${p.soname} ships in the venv (${dist}): a newer build of that wheel fixes it; or ${p.advice}` };
  });
  // Under NixOS's loader the interpreter brings nixpkgs' glibc, whatever the library path.
  const floor = input.model === 'nixos' && input.release !== undefined ? glibcFloorProblems(input.scan.objects, input.release) : [];
  const out = [...fromScan, ...floor];
  for (const f of input.findings) {
    if (f.kind !== 'missing-version') continue;
    const neededBy = venvRelativeOf(root, f.requiredBy) ?? f.requiredBy ?? '(unknown object)';
    if (out.some((p) => p.neededBy === neededBy && p.missing.includes(f.version))) continue;
    const soname = f.soname ?? '(unknown library)';
    const defined = f.library && f.library.startsWith('/') ? engine.definedVersions(f.library) : null;
    const family = parseVersionName(f.version)?.family;
    out.push({
      neededBy,
      soname,
      libraryPath: f.library ?? '(not named in the error)',
      missing: [f.version],
      providesUpTo: defined && family ? highestOfFamily(defined, family) : null,
      advice: versionAdvice(soname, f.version),
    });
  }
  return out;
}

/** Attributes a Nix file covers for the items (for "what the Nix file already covers"). */
export function coveredSummary(a: Analysis): { attr: string; sonames: string[] }[] {
  const by = new Map<string, string[]>();
  for (const it of a.items) {
    if (!it.coveredBy) continue;
    const list = by.get(it.coveredBy) ?? [];
    list.push(it.soname);
    by.set(it.coveredBy, list);
  }
  return [...by.entries()].map(([attr, sonames]) => ({ attr, sonames }));
}

