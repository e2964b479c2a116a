import type { EnvName } from '../loader/types.js';
import { classifySoname } from '../nixpkgs/classify.js';
import { locateProject, noVenvError, type ProjectOptions } from '../project/project.js';
import { scanVenv } from '../scan/index.js';
import type { ScanResult } from '../scan/types.js';

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

export async function runScan(o: ScanCommandOptions): Promise<ScanResult> {
  const project = await locateProject(o);
  if (project.venv === null) throw noVenvError(project);
  const report = await scanVenv(project.venv, {
    classify: (soname, venvProviders) => classifySoname(soname, { venvProviders }),
    env: o.model ?? project.config.env ?? 'nixos',
    ...(o.ldLibraryPath !== undefined ? { ldLibraryPath: o.ldLibraryPath } : {}),
  });
  return report.result;
}
