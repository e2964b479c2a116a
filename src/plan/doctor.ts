import type { EnvName } from '../loader/types.js';
import { readNixFile, writeFileAtomic, displayPath } from '../nix/files.js';
import { unifiedDiff } from '../nix/diff.js';
import { analyse, coveredSummary, type LibraryItem } from './analysis.js';
import { loadDistIndex } from '../project/dists-io.js';
import type { Engine } from './engine.js';
import { describeEnvironment, detectEnvironment, type HostFacts } from '../project/environment.js';
import { parseLoaderErrors } from './error-text.js';
import { locateProject, noVenvError, reloadAdvice, type ProjectOptions } from '../project/project.js';
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
  ldLibraryPath: string | undefined;
  fix: boolean;
  /** The doctor command line as the user would retype it (without --fix), for suggestions. */
  commandLine: string;
  /** The error text to focus on and where it came from. */
  input: { source: InputSource; text: string; command: string[] | null; exitCode: number | null };
  host: HostFacts;
  onProgress?: (done: number, total: number) => void;
}

export async function runDoctor(engine: Engine, o: DoctorOptions): Promise<DoctorReport> {
  const project = await locateProject(o);
  if (project.venv === null) throw noVenvError(project);
  const model: EnvName = o.model ?? project.config.env ?? 'nixos';
  const environment = detectEnvironment(o.host, model, o.ldLibraryPath);
  const findings = parseLoaderErrors(o.input.text);
  // Read and parse the Nix file first: an unparsable file fails fast, before a long scan.
  const nix = project.nixFile ? { file: project.nixFile, source: readNixFile(project.nixFile) } : null;
  if (nix) engine.lists(nix.source, nix.file);

  const scan = await engine.scan(project.venv, {
    env: model,
    ...(o.ldLibraryPath !== undefined ? { ldLibraryPath: o.ldLibraryPath } : {}),
    ...(o.onProgress ? { onProgress: o.onProgress } : {}),
  });
  const dists = await loadDistIndex(project.venv);
  const analysis = analyse(engine, { scan, config: project.config, nix, findings, dists });

  let patch: PatchReport | null = null;
  if (nix && (analysis.add.length > 0 || analysis.addDriverPath)) {
    const outcome = engine.patch(nix.source, nix.file, analysis.add, analysis.addDriverPath);
    const diff = unifiedDiff(displayPath(o.cwd, nix.file), nix.source, outcome.text);
    let applied = false;
    if (o.fix && outcome.changed) {
      writeFileAtomic(nix.file, outcome.text, { expectCurrent: nix.source });
      applied = true;
    }
    patch = {
      file: nix.file,
      add: outcome.added,
      driverPath: outcome.driverAdded,
      diff,
      changed: outcome.changed,
      applied,
      unplaced: outcome.unplaced,
      createdLibraryPath: outcome.createdLibraryPath,
    };
  }

  // After --fix, what the patch placed counts as covered; without it, only what the file has.
  const placed = new Set(patch?.applied ? [...patch.add] : []);
  const driverPlaced = Boolean(patch?.applied && patch.driverPath);
  const coveredAfterFix = (it: LibraryItem): boolean =>
    it.covered ||
    (it.category === 'driver' && driverPlaced) ||
    (it.pick !== null && [...placed].some((a) => engine.covers(a, it.pick!, it.soname)));

  const problems = countProblems(analysis, coveredAfterFix) + analysis.extraMissing.filter((x) => !placed.has(x)).length;

  const reload = nix ? reloadAdvice(project.root, nix.file, environment.nixShell !== null) : null;
  const nixFileName = nix ? displayPath(o.cwd, nix.file) : null;
  return {
    project: project.root,
    venv: project.venv,
    nixFile: project.nixFile,
    config: project.config.source,
    environment: { ...environment, summary: describeEnvironment(environment) },
    input: { source: o.input.source, command: o.input.command, exitCode: o.input.exitCode, findings },
    focus: analysis.items.filter((it) => it.fromError).map((it) => ({ soname: it.soname, verdict: verdictFor(it, nixFileName, reload) })),
    results: groupResults(analysis.items, dists),
    libraries: analysis.items,
    ignored: analysis.ignored,
    unknown: analysis.unknown.map((soname) => ({ soname, nixLocate: nixLocateCommand(soname) })),
    versionProblems: analysis.versionProblems,
    nix:
      nix && analysis.nixLists
        ? { file: nix.file, ...analysis.nixLists, covers: coveredSummary(analysis) }
        : null,
    patch,
    reload,
    fixCommand: `${o.commandLine} --fix`,
    problems,
    scan: scan.result,
  };
}
