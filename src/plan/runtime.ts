import { InputError } from '../errors.js';
import { describeMachine } from '../elf/index.js';
import { MODELLED_MACHINES } from '../loader/index.js';
import type { SinkVia } from '../nix/library-path.js';
import { distributionOf, type DistIndex } from '../project/dists.js';
import { hostIsNixos, type HostFacts } from '../project/environment.js';
import type { EnvName } from '../loader/types.js';
import { judgeInterpreter, readInterpreterFacts, type Interpreter, type InterpreterJudgement } from '../project/interpreter.js';
import type { NixpyConfig } from '../project/pyproject.js';
import { findLibraryOnly, findLibrarySentence, runtimeFromWalk, scanRuntimeLoads, type DistView, type RuntimeLoad, type RuntimeScan } from './runtime-loads.js';
import type { PythonWalk } from '../scan/python-walk.js';
import type { Category } from '../scan/types.js';

/**
 * What doctor, check, fix and init take from the venv's interpreter and from the libraries its
 * Python code opens itself, in one place: the loader to model (machine, library path), the Nix
 * variable a fix goes to, and the run-time loads that count like missing DT_NEEDED entries.
 */

export interface RuntimeSetup {
  judgement: InterpreterJudgement;
  /** For the scan: the interpreter's machine and the library path its loader sees. */
  scan: { machine: number; ldLibraryPath: string | undefined };
  /** For the patcher (PatchOptions.sinks / findLibraryLists): the variables this loader reads. */
  sinks: SinkVia[] | undefined;
}

/**
 * The interpreter's judgement and what follows from it. `nixos`: the loader modelled is NixOS's
 * (the host is NixOS, or the `nixos` model stands in for the NixOS machine the project is for),
 * so a foreign Python needs nix-ld. `ldLibraryPath` is the path the command was given
 * (--ld-library-path, else the environment's). Throws InputError for a machine the loader model
 * does not cover: better a clear refusal than a scan that skips everything.
 */
export function runtimeSetup(venv: string, host: HostFacts, nixos: boolean, ldLibraryPath: string | undefined): RuntimeSetup {
  const judgement = judgeInterpreter(readInterpreterFacts(venv, host.env, nixos));
  const machine = judgement.target.machine;
  if (!MODELLED_MACHINES.includes(machine)) {
    throw new InputError(`${venv}: its python is built for ${describeMachine(machine)}; nixpy models the x86_64 and aarch64 loaders only`);
  }
  return { judgement, scan: { machine, ldLibraryPath: libraryPathFor(judgement, ldLibraryPath) }, sinks: sinksFor(judgement) };
}

/** Whether the loader modelled is NixOS's (runtimeSetup's `nixos`): the model's, or the host's own. */
export function modelsNixos(model: EnvName, host: HostFacts): boolean {
  return model === 'nixos' || hostIsNixos(host);
}

/** The `interpreter` JSON field: the contract's four fields, the sink a fix goes to, warnings. */
export type InterpreterReport = Interpreter & { sink: InterpreterJudgement['sink']; warnings: string[] };

export function interpreterReport(j: InterpreterJudgement): InterpreterReport {
  return { ...j.interpreter, sink: j.sink, warnings: [...j.warnings] };
}

/** Under nix-ld, ld.so sees LD_LIBRARY_PATH followed by nix-ld's own list (nix-ld README). */
function libraryPathFor(j: InterpreterJudgement, given: string | undefined): string | undefined {
  if (j.interpreter.via !== 'nix-ld') return given;
  const joined = [...splitPath(given), ...j.nixLdPath].join(':');
  return joined === '' ? undefined : joined;
}

function splitPath(p: string | undefined): string[] {
  return p ? p.split(':').filter((e) => e !== '') : [];
}

/** A Nix-store Python reads LD_LIBRARY_PATH only; a foreign one under nix-ld both, nix-ld's first. */
export function sinksFor(j: InterpreterJudgement): SinkVia[] | undefined {
  if (j.interpreter.via === 'nix-ld') return ['NIX_LD_LIBRARY_PATH', 'LD_LIBRARY_PATH'];
  if (j.interpreter.kind === 'nix') return ['LD_LIBRARY_PATH'];
  return undefined;
}

/** The runtime section of a venv: the curated table and the static pass, minus runtime-ignore. */
export function runtimeOf(venv: string, dists: DistIndex, config: Pick<NixpyConfig, 'runtimeIgnore'>, walk?: PythonWalk): RuntimeScan {
  const view = distView(dists);
  return walk === undefined ? scanRuntimeLoads(venv, view, { disabled: config.runtimeIgnore }) : runtimeFromWalk(venv, view, walk, config.runtimeIgnore);
}

function distView(dists: DistIndex): DistView {
  return { names: dists.records.map((r) => r.name), distributionOf: (rel) => distributionOf(rel, dists) };
}

/** A run-time load as analysis takes a missing library: the soname, who needs it, from where. */
export interface RuntimeItem {
  soname: string;
  category: Category;
  /** Venv-relative file of the call (static pass), else empty. */
  neededBy: string[];
  distributions: string[];
  /** One sentence for the report, when the load needs more than a library on the path. */
  advice: string | null;
}

/**
 * The loads that count like missing libraries, grouped by soname: those the package cannot do
 * without (`required`; optional and conditional ones are reported in `runtime`, not counted) and
 * that a Nix file can provide (a nixpkgs package or the driver path). A name the static pass
 * found that nothing is known to ship, or that the venv ships itself, is reported only: a call
 * read from source may be a fallback the package never reaches.
 */
export function runtimeItems(loads: readonly RuntimeLoad[]): RuntimeItem[] {
  const by = new Map<string, RuntimeItem & { findLibraryOnly: string[] }>();
  for (const l of loads) {
    if (l.when !== 'required' || (l.category !== 'package' && l.category !== 'driver')) continue;
    const it = by.get(l.soname) ?? { soname: l.soname, category: l.category, neededBy: [], distributions: [], advice: null, findLibraryOnly: [] };
    if (l.file !== undefined && !it.neededBy.includes(l.file)) it.neededBy.push(l.file);
    if (!it.distributions.includes(l.dist)) it.distributions.push(l.dist);
    if (findLibraryOnly(l) && !it.findLibraryOnly.includes(l.dist)) it.findLibraryOnly.push(l.dist);
    by.set(l.soname, it);
  }
  return [...by.values()].map(({ findLibraryOnly: only, ...it }) => ({
    ...it,
    neededBy: it.neededBy.sort(),
    distributions: it.distributions.sort(),
    advice: only.length > 0 ? findLibrarySentence(only.sort(), it.soname) : null,
  }));
}
