import { resolve } from 'node:path';
import { InputError } from '../errors.js';
import type { EnvName } from '../loader/types.js';
import { NIX_FILE_CANDIDATES, displayPath, readNixFile } from '../nix/files.js';
import { buildDistIndex, type DistIndex } from '../project/dists.js';
import { readDistIndex } from '../project/dists-io.js';
import { locateProject, noVenvError, type Project, type ProjectOptions } from '../project/project.js';
import { analyse, coverOf, type Analysis, type LibraryItem } from './analysis.js';
import type { Engine, NixLists, PatchOutcome, PlanScan } from './engine.js';
import type { LoaderFinding } from './error-text.js';
import { releaseForProject, type NixpkgsRelease } from '../project/nixpkgs-release.js';
import type { SinkVia } from '../nix/library-path.js';
import { readHostFacts, type HostFacts } from '../project/environment.js';
import type { InterpreterJudgement } from '../project/interpreter.js';
import type { RuntimeScan } from './runtime-loads.js';
import { modelsNixos, runtimeItems, runtimeOf, runtimeSetup } from './runtime.js';
import { startPythonWalk, whileRunning, type PendingWalk } from './runtime-thread.js';

/**
 * The one plan behind doctor, check, fix and init: locate the project, read and parse its Nix
 * file, scan the venv under the project's loader model, judge what is missing and what the Nix
 * file already covers, and compute the patch. Each command renders a view of this plan; none
 * judges again, so they cannot disagree.
 *
 * The plan judges the Nix file, not the shell it runs in: the ambient $LD_LIBRARY_PATH is never
 * assumed (a stale dev shell must neither hide a missing attribute nor fake a covered one), only
 * an explicit --ld-library-path.
 */
export interface PlanOptions extends ProjectOptions {
  /** --env when given; else [tool.nixpy] env, else `nixos`. */
  model: EnvName | null;
  /** --ld-library-path when given (never the ambient $LD_LIBRARY_PATH). */
  ldLibraryPath: string | undefined;
  /** What the plan cannot do without. */
  require: { venv: boolean; nixFile: boolean };
  /** The host, when the caller has read it already (doctor describes it too). */
  host?: HostFacts;
  /** Loader errors the user pasted or the command printed. */
  findings?: readonly LoaderFinding[];
  onProgress?: (done: number, total: number) => void;
  /** --nixpkgs RELEASE when given; else [tool.nixpy] nixpkgs, the lock file, ... (issue 8). */
  nixpkgs?: string | undefined;
  /** The release already decided by the command (init: the one the flake it writes pins). */
  release?: NixpkgsRelease;
}

export interface NixSource {
  file: string;
  /** The file as messages name it (relative to the working directory when inside it). */
  shown: string;
  source: string;
  /**
   * The variables the venv's loader reads (plan/runtime.ts sinksFor): only those lists cover
   * anything, and a patch goes there. Undefined: both (no venv, or `fix --add`).
   */
  sinks?: readonly SinkVia[] | undefined;
}

/** The patch, as the patcher wrote it: `added` is exactly what the diff adds. */
export interface PlannedPatch extends PatchOutcome {
  file: string;
  /** The file's text before the patch. */
  before: string;
}

export interface Plan {
  project: Project;
  model: EnvName;
  /** Null only when no venv exists and none was required (init before `uv sync`). */
  scan: PlanScan | null;
  dists: DistIndex;
  nix: NixSource | null;
  analysis: Analysis;
  /** Null when there is no Nix file or nothing to add. */
  patch: PlannedPatch | null;
  /** The Nix file's library lists after the patch (equal to `analysis.nixLists` without one). */
  listsAfter: NixLists | null;
  /** The nixpkgs release the picks are spelled for, where it was read and why. */
  nixpkgs: NixpkgsRelease;
  /** The venv's interpreter: which loader, which machine, which variable; null without a venv. */
  interpreter: InterpreterJudgement | null;
  /** Libraries the venv's Python code opens itself; null without a venv. */
  runtime: RuntimeScan | null;
}

export async function makePlan(engine: Engine, o: PlanOptions): Promise<Plan> {
  return planFor(engine, await locateProject(o), o);
}

/** The plan for a project already located. */
export async function planFor(engine: Engine, project: Project, o: PlanOptions): Promise<Plan> {
  if (project.venv === null && o.require.venv) throw noVenvError(project);
  if (project.nixFile === null && o.require.nixFile) throw noNixFileError(o.cwd, project.root);
  // What the venv's Python opens at run time is read on another thread, started first: it is
  // the longest part of a plan (runtime-thread.ts).
  const walk = project.venv === null ? null : startPythonWalk(project.venv, project.config.runtimeIgnore);
  return whileRunning(walk, () => planBeside(engine, project, o, walk));
}

async function planBeside(engine: Engine, project: Project, o: PlanOptions, walk: PendingWalk | null): Promise<Plan> {
  const model: EnvName = o.model ?? project.config.env ?? 'nixos';
  // The interpreter decides the loader's machine and the variable a fix goes to. Under the
  // `nixos` model a foreign Python needs nix-ld, as it would on the NixOS machine modelled.
  const host = o.host ?? readHostFacts(o.env);
  const setup = project.venv === null ? null : runtimeSetup(project.venv, host, modelsNixos(model, host), o.ldLibraryPath);
  // Parse the Nix file before the scan: an unparsable file fails fast, before a long scan.
  const nix: NixSource | null =
    project.nixFile === null
      ? null
      : { file: project.nixFile, shown: displayPath(o.cwd, project.nixFile), source: readNixFile(project.nixFile), sinks: setup?.sinks };
  if (nix) engine.lists(nix.source, nix.shown, nix.sinks);
  // Which nixpkgs the file evaluates against (a bad --nixpkgs fails here, before the scan).
  const nixpkgs = o.release ?? (await releaseForProject(project, o.nixpkgs));

  const scan =
    project.venv === null
      ? null
      : await engine.scan(project.venv, {
          env: model,
          ...(setup ? { machine: setup.scan.machine } : {}),
          // The plan judges the Nix file: only an explicit --ld-library-path, never nix-ld's ambient one.
          ...(o.ldLibraryPath !== undefined ? { ldLibraryPath: o.ldLibraryPath } : {}),
          ...(o.onProgress ? { onProgress: o.onProgress } : {}),
        });
  // Distribution metadata names what the venv's Python opens at run time: read whenever a venv exists.
  const dists = project.venv !== null ? readDistIndex(project.venv) : buildDistIndex([]);
  const runtime = project.venv !== null && walk !== null ? runtimeOf(project.venv, dists, project.config, await walk.result(dists)) : null;
  const analysis = analyse(engine, {
    scan: scan ?? emptyScan(project),
    config: project.config,
    nix,
    findings: o.findings ?? [],
    dists,
    release: nixpkgs.release,
    model,
    runtime: runtime ? runtimeItems(runtime.runtime) : [],
  });
  const patch = nix ? patchFor(engine, nix, analysis) : null;
  const listsAfter = patch?.changed && nix ? engine.lists(patch.text, nix.shown, nix.sinks) : analysis.nixLists;
  return { project, model, scan, dists, nix, analysis, patch, listsAfter, nixpkgs, interpreter: setup?.judgement ?? null, runtime };
}

export function noNixFileError(cwd: string, root: string): InputError {
  const where = resolve(cwd) === root ? '.' : displayPath(cwd, root);
  return new InputError(
    `no Nix file found in ${where} (looked for ${NIX_FILE_CANDIDATES.join(', ')}); name one with --flake FILE, or write one with \`nixpy init\``,
  );
}

function emptyScan(project: Project): PlanScan {
  return { result: { root: project.root, env: 'nixos', objects: 0, skipped: [], missing: [], versionErrors: [] }, objects: [], versionDefinitions: new Map() };
}

function patchFor(engine: Engine, nix: NixSource, a: Analysis): PlannedPatch | null {
  if (a.add.length === 0 && !a.addDriverPath) return null;
  return { ...checkedPatch(engine, nix, a.add, a.addDriverPath), file: nix.file, before: nix.source };
}

/**
 * The patcher's result, read back with the parser before anyone may write it: text Nix would
 * refuse is a bug of ours, and the user's file must never get it (exit 2, nothing written).
 */
export function checkedPatch(engine: Engine, nix: NixSource, add: readonly string[], driverPath: boolean): PatchOutcome {
  const outcome = engine.patch(nix.source, nix.shown, add, driverPath, nix.sinks);
  if (!outcome.changed) return outcome;
  try {
    engine.lists(outcome.text, nix.shown, nix.sinks);
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new InputError(`the patched ${nix.shown} would not parse (${why}); nothing written. This is a bug in nixpy: please report it`);
  }
  return outcome;
}

/**
 * The attribute of the patched file that covers an item the file did not cover before (`driver
 * path` for the driver directory), or null. Judged on the patched file's own lists, exactly as
 * coverage is judged before the patch, so a report never claims an addition the file lacks.
 */
export function fixedBy(engine: Engine, plan: Plan, it: LibraryItem): string | null {
  if (it.covered || plan.patch === null || !plan.patch.changed || plan.listsAfter === null) return null;
  return coverOf(engine, it, plan.listsAfter);
}

/** The sonames behind each attribute the patch adds (the driver directory under `driver path`). */
export function reasonsForPatch(engine: Engine, plan: Plan): Record<string, string[]> {
  const reasons: Record<string, string[]> = {};
  for (const it of plan.analysis.items) {
    const by = fixedBy(engine, plan, it);
    if (by !== null) (reasons[by] ??= []).push(it.soname);
  }
  return reasons;
}
