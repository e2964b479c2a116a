import { InputError } from '../errors.js';
import type { EnvName } from '../loader/types.js';
import { displayPath, readNixFile, writeFileAtomic } from '../nix/files.js';
import type { LibraryPathSource } from '../nix/index.js';
import { DRIVER_ELEMENT, parseAttrPath } from '../nixpkgs/attrs.js';
import type { Category } from '../scan/types.js';
import { locateProject, type ProjectOptions } from '../project/project.js';
import type { Engine, PatchOutcome } from './engine.js';
import { checkedPatch, makePlan, noNixFileError, reasonsForPatch } from './plan.js';
import { parseReleaseValue } from '../project/nixpkgs-release.js';

/**
 * `nixpy fix`: the plan's patch, written. Without --add it is exactly the patch `check` and
 * `doctor` show (same project, same judgement); with --add it adds those attributes and nothing
 * else, without a scan.
 */
export interface FixOptions extends ProjectOptions {
  model: EnvName | null;
  /** --ld-library-path when given; like check, never the ambient $LD_LIBRARY_PATH. */
  ldLibraryPath: string | undefined;
  /** --add ATTR...: exactly these, no scan. */
  add: readonly string[];
  /** --driver: the GPU driver directory. */
  driver: boolean;
  dryRun: boolean;
  /** --nixpkgs RELEASE (issue 8); validated in every mode, used by the scan. */
  nixpkgs?: string | undefined;
}

/** A soname the scan found missing that `fix` cannot turn into an attribute. */
export interface UnresolvedSoname {
  soname: string;
  category: Category;
  reason: string;
}

/** Something the scan found that the Nix file cannot fix, said for information (exit unaffected). */
export interface FixNote {
  soname: string;
  category: Category;
  note: string;
}

/** `nixpy fix --json` document. Fields may be added, never renamed or removed. */
export interface FixReport {
  file: string;
  changed: boolean;
  /** True when the file on disk was replaced (false with --dry-run or nothing to change). */
  written: boolean;
  dryRun: boolean;
  from: 'add' | 'scan';
  requested: string[];
  /** What the diff adds, exactly (the driver directory as addDriverRunpath.driverLink). */
  added: string[];
  present: string[];
  unplaced: { attr: string; reason: string }[];
  driverPath: boolean;
  createdLibraryPath: boolean;
  /** Every library-path source in the file, what the patch did with it and why (docs/json.md). */
  sources: LibraryPathSource[];
  unresolved: UnresolvedSoname[];
  notes: FixNote[];
  /** For a scan: the sonames behind each attribute added (the driver directory under addDriverRunpath.driverLink). */
  reasons: Record<string, string[]>;
  venv?: string;
  /** For a scan: the nixpkgs release the picks are spelled for, where it was read and why (issue 8). */
  nixpkgs?: { release: string; source: string; reason: string };
  diff?: string;
}

export interface FixResult {
  report: FixReport;
  /** The file's text before and after (equal when nothing changes). */
  before: string;
  after: string;
}

/** `pkgs.zlib` → `zlib`; anything that is not an attribute path is bad input. */
export function attrArgument(raw: string): string {
  const a = parseAttrPath(raw);
  if (a === null) throw new InputError(`--add ${JSON.stringify(raw)}: not a nixpkgs attribute path (e.g. zlib, stdenv.cc.cc.lib)`);
  return a;
}

export async function runFix(engine: Engine, o: FixOptions): Promise<FixResult> {
  const adds = [...new Set(o.add.map(attrArgument))];
  const r = adds.length > 0 || o.driver ? await fixFromAdd(engine, o, adds) : await fixFromScan(engine, o);
  if (r.report.changed && !o.dryRun) {
    writeFileAtomic(r.report.file, r.after, { expectCurrent: r.before });
    r.report.written = true;
  }
  return r;
}

async function fixFromAdd(engine: Engine, o: FixOptions, adds: string[]): Promise<FixResult> {
  // --add writes exactly what it is given; a bad --nixpkgs is still bad input.
  if (o.nixpkgs !== undefined) parseReleaseValue(o.nixpkgs, '--nixpkgs');
  const project = await locateProject(o);
  if (project.nixFile === null) throw noNixFileError(o.cwd, project.root);
  const file = project.nixFile;
  const shown = displayPath(o.cwd, file);
  const before = readNixFile(file);
  engine.lists(before, shown);
  const outcome = checkedPatch(engine, { file, shown, source: before }, adds, o.driver);
  const report = reportOf(file, outcome, o.dryRun, 'add', adds, {});
  return { report, before, after: outcome.text };
}

async function fixFromScan(engine: Engine, o: FixOptions): Promise<FixResult> {
  const plan = await makePlan(engine, { ...o, require: { venv: true, nixFile: true } });
  const file = plan.project.nixFile!;
  const before = plan.nix!.source;
  const outcome: PatchOutcome = plan.patch ?? {
    text: before,
    changed: false,
    added: [],
    present: [],
    unplaced: [],
    driverAdded: false,
    createdLibraryPath: false,
  };
  const reasons = reasonsForPatch(engine, plan);
  if (reasons['driver path']) {
    reasons[DRIVER_ELEMENT] = reasons['driver path'];
    delete reasons['driver path'];
  }
  const items = plan.analysis.items;
  const requested = [...new Set([...items.flatMap((it) => (it.pick ? [it.pick] : [])), ...plan.project.config.extra])];
  const report = reportOf(file, outcome, o.dryRun, 'scan', requested, reasons);
  report.venv = plan.project.venv!;
  report.nixpkgs = plan.nixpkgs;
  // What the file already has for the venv, as the file spells it.
  report.present = [...new Set([...report.present, ...items.flatMap((it) => (it.category === 'package' && it.coveredBy ? [it.coveredBy] : []))])];
  for (const it of items) {
    if (it.category === 'venv') {
      report.notes.push({ soname: it.soname, category: it.category, note: `shipped inside the venv (${(it.providedBy ?? []).join(', ')}), not on the search path` });
    } else if (it.category === 'unknown' || (it.category === 'package' && it.pick === null)) {
      report.unresolved.push({ soname: it.soname, category: it.category, reason: it.note ?? 'no nixpkgs attribute known' });
    }
  }
  return { report, before, after: outcome.text };
}

function reportOf(
  file: string,
  outcome: PatchOutcome,
  dryRun: boolean,
  from: 'add' | 'scan',
  requested: string[],
  reasons: Record<string, string[]>,
): FixReport {
  return {
    file,
    changed: outcome.changed,
    written: false,
    dryRun,
    from,
    requested,
    added: [...outcome.added, ...(outcome.driverAdded ? [DRIVER_ELEMENT] : [])],
    present: outcome.present,
    unplaced: outcome.unplaced,
    driverPath: outcome.driverAdded,
    createdLibraryPath: outcome.createdLibraryPath,
    sources: outcome.sources ?? [],
    unresolved: [],
    notes: [],
    reasons,
  };
}
