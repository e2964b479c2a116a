import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { EnvName } from '../loader/types.js';
import { writeFileAtomic, displayPath } from '../nix/files.js';
import { unifiedDiff } from '../nix/diff.js';
import { coveredSummary, type LibraryItem } from './analysis.js';
import type { Engine } from './engine.js';
import { describeEnvironment, detectEnvironment, type HostFacts } from '../project/environment.js';
import { parseLoaderErrors } from './error-text.js';
import { versionFocus } from './abi-focus.js';
import { reloadAdvice, type ProjectOptions } from '../project/project.js';
import { fixedBy, makePlan } from './plan.js';
import { interpreterReport } from './runtime.js';
import {
  countProblems,
  groupResults,
  nixLocateCommand,
  verdictFor,
  type DoctorReport,
  type InputSource,
  type PatchReport,
} from './report.js';

/**
 * `nixpy doctor` as a function: locate the project, read the error (if any), scan, analyse,
 * compute the patch, apply it on request, and return the report. The command prints it.
 */
export interface DoctorOptions extends ProjectOptions {
  /** --env when given; else [tool.nixpy] env, else `nixos`. */
  model: EnvName | null;
  /** --ld-library-path: a search path to assume. The shell's own is only described. */
  ldLibraryPath: string | undefined;
  fix: boolean;
  /** The doctor command line as the user would retype it (without --fix), for suggestions. */
  commandLine: string;
  /** The error text to focus on and where it came from. */
  input: { source: InputSource; text: string; command: string[] | null; exitCode: number | null };
  host: HostFacts;
  onProgress?: (done: number, total: number) => void;
}

/** The report, and the plan's patched text for --verify (null when nothing changes or --fix wrote it). */
export interface DoctorRun {
  report: DoctorReport;
  proposed: string | null;
}

export async function runDoctor(engine: Engine, o: DoctorOptions): Promise<DoctorRun> {
  const findings = parseLoaderErrors(o.input.text);
  const plan = await makePlan(engine, {
    ...o,
    ldLibraryPath: o.ldLibraryPath,
    require: { venv: true, nixFile: false },
    findings,
    ...(o.onProgress ? { onProgress: o.onProgress } : {}),
  });
  const { project, analysis, nix, dists } = plan;
  const scan = plan.scan!;
  // The shell is described, never assumed: the plan judged the Nix file.
  const shellPath = o.ldLibraryPath ?? o.host.env.LD_LIBRARY_PATH;
  const environment = detectEnvironment(o.host, plan.model, shellPath);
  const onShellPath = shellResolves(environment.ldLibraryPath);

  let patch: PatchReport | null = null;
  const p = plan.patch;
  if (p) {
    const diff = unifiedDiff(displayPath(o.cwd, p.file), p.before, p.text);
    let applied = false;
    if (o.fix && p.changed) {
      writeFileAtomic(p.file, p.text, { expectCurrent: p.before });
      applied = true;
    }
    patch = {
      file: p.file,
      add: p.added,
      driverPath: p.driverAdded,
      diff,
      changed: p.changed,
      applied,
      unplaced: p.unplaced,
      createdLibraryPath: p.createdLibraryPath,
      sources: p.sources ?? [],
    };
  }

  // After --fix, what the patched file covers counts; without it, only what the file has.
  const coveredAfterFix = (it: LibraryItem): boolean => it.covered || (patch?.applied === true && fixedBy(engine, plan, it) !== null);
  const extraLeft = patch?.applied ? analysis.extraMissing.filter((x) => !(plan.listsAfter?.attrs ?? []).some((a) => engine.covers(a, x))) : analysis.extraMissing;
  const problems = countProblems(analysis, coveredAfterFix) + extraLeft.length;

  const reload = nix ? reloadAdvice(project.root, nix.file, environment.nixShell !== null) : null;
  const nixFileName = nix ? displayPath(o.cwd, nix.file) : null;
  const libraries = analysis.items.map((it) => ({ ...it, fixedBy: fixedBy(engine, plan, it), onShellPath: onShellPath(it.soname) }));
  const report: DoctorReport = {
    nixpkgs: plan.nixpkgs,
    project: project.root,
    venv: scan.result.root,
    nixFile: project.nixFile,
    config: project.config.source,
    environment: { ...environment, summary: describeEnvironment(environment) },
    input: { source: o.input.source, command: o.input.command, exitCode: o.input.exitCode, findings },
    // Symbol-version answers first: a library that loads but lacks a version is the error itself.
    focus: [
      // The release the plan detected (flag, [tool.nixpy], lock file, ..., else unstable).
      ...versionFocus(findings, { release: plan.nixpkgs.release, listed: analysis.nixLists?.attrs ?? [] }),
      ...analysis.items.filter((it) => it.fromError).map((it) => ({ soname: it.soname, verdict: verdictFor(it, nixFileName, reload) })),
    ],
    results: groupResults(analysis.items, dists),
    libraries,
    ignored: analysis.ignored,
    ignoreUnused: analysis.ignoreUnused,
    unknown: analysis.unknown.map((soname) => ({ soname, nixLocate: nixLocateCommand(soname) })),
    versionProblems: analysis.versionProblems,
    nix: nix && analysis.nixLists ? { file: nix.file, ...analysis.nixLists, attrs: [...analysis.nixLists.attrs], covers: coveredSummary(analysis) } : null,
    patch,
    reload,
    fixCommand: `${o.commandLine} --fix`,
    problems,
    scan: scan.result,
    interpreter: interpreterReport(plan.interpreter!),
    runtime: plan.runtime?.runtime ?? [],
    typelibs: plan.runtime?.typelibs ?? [],
  };
  return { report, proposed: p && p.changed && !patch?.applied ? p.text : null };
}

/**
 * Whether the shell's own library path has a file of that name: enough to tell a user whose
 * Nix file covers a library that the shell they run in has not loaded it yet.
 */
function shellResolves(dirs: readonly string[]): (soname: string) => boolean {
  return (soname) => dirs.some((d) => existsSync(join(d, soname)));
}
