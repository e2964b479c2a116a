import type { EnvName } from '../loader/types.js';
import { classifySoname } from '../nixpkgs/classify.js';
import { locateProject, noVenvError, type ProjectOptions } from '../project/project.js';
import { scanVenv } from '../scan/index.js';
import type { ScanResult } from '../scan/types.js';
import { readDistIndex } from '../project/dists-io.js';
import { readHostFacts } from '../project/environment.js';
import type { RuntimeLoad, TypelibNeed } from './runtime-loads.js';
import { interpreterReport, modelsNixos, runtimeOf, runtimeSetup, type InterpreterReport } from './runtime.js';
import { startPythonWalk, whileRunning } from './runtime-thread.js';

/**
 * `nixpy scan`: the building block, on the venv every other command would judge (found by the
 * same project locator), under the project's loader model. Unlike the plan it assumes the
 * current $LD_LIBRARY_PATH (the contract's default for the common options): it answers "what
 * does not resolve here", not "what must the Nix file add". It loads neither the Nix parser nor
 * the soname index, so a scan starts fast.
 */
export interface ScanCommandOptions extends ProjectOptions {
  model: EnvName | null;
  ldLibraryPath: string | undefined;
}

/** `nixpy scan --json`: the scan's result, the venv's interpreter, and its run-time loads. */
export type ScanDocument = ScanResult & { interpreter: InterpreterReport; runtime: RuntimeLoad[]; typelibs: TypelibNeed[] };

export async function runScan(o: ScanCommandOptions): Promise<ScanDocument> {
  const project = await locateProject(o);
  const venv = project.venv;
  if (venv === null) throw noVenvError(project);
  // The run-time pass on another thread, started first: it is the longest part (runtime-thread.ts).
  const walk = startPythonWalk(venv, project.config.runtimeIgnore);
  return whileRunning(walk, async () => {
    const env = o.model ?? project.config.env ?? 'nixos';
    const host = readHostFacts(o.env);
    // What does not resolve here: the given path, and under nix-ld nix-ld's too.
    const setup = runtimeSetup(venv, host, modelsNixos(env, host), o.ldLibraryPath);
    const report = await scanVenv(venv, {
      classify: (soname, venvProviders) => classifySoname(soname, { venvProviders }),
      env,
      machine: setup.scan.machine,
      ...(setup.scan.ldLibraryPath !== undefined ? { ldLibraryPath: setup.scan.ldLibraryPath } : {}),
    });
    const dists = readDistIndex(venv);
    const runtime = runtimeOf(venv, dists, project.config, await walk.result(dists));
    return { ...report.result, interpreter: interpreterReport(setup.judgement), runtime: runtime.runtime, typelibs: runtime.typelibs };
  });
}
