import type { EnvName } from '../loader/types.js';
import type { ProjectOptions } from '../project/project.js';
import type { Engine } from './engine.js';
import { fixedBy, makePlan } from './plan.js';
import type { RuntimeLoad } from './runtime-loads.js';
import { interpreterReport, type InterpreterReport } from './runtime.js';

/**
 * `nixpy check`: does the Nix file's library list cover what the venv needs? It judges the
 * file, not the shell it runs in: the user's LD_LIBRARY_PATH is not used (a stale dev shell
 * must not hide a missing attribute), only an explicit --ld-library-path.
 */
export interface CheckOptions extends ProjectOptions {
  model: EnvName | null;
  ldLibraryPath: string | undefined;
  /** `nixpy fix` with the options that decide this judgement, as the user would type it. */
  fixCommand: string;
}

export interface CheckMissing {
  soname: string;
  category: 'package' | 'driver' | 'unknown';
  neededBy: string[];
  /** The attribute to add (package), or null. */
  attr: string | null;
}

/** `nixpy check --json`. Fields may be added, never renamed. */
export interface CheckReport {
  ok: boolean;
  venv: string;
  nixFile: string;
  config: string | null;
  env: EnvName;
  /** What the Nix file does not cover. */
  missing: CheckMissing[];
  /** Attributes `nixpy fix` adds (picks of uncovered sonames, then [tool.nixpy] extra ones the file lacks): exactly its diff. */
  add: string[];
  /** `nixpy fix` adds the driver directory. */
  driverPath: boolean;
  /** Sonames nixpy cannot map to an attribute (list them under [tool.nixpy] ignore if they come from elsewhere). */
  unknown: string[];
  /** [tool.nixpy] extra attributes absent from the file. */
  extraMissing: string[];
  ignored: string[];
  /** [tool.nixpy] ignore entries that match nothing missing. */
  ignoreUnused: string[];
  /** The venv's interpreter (see doctor's `interpreter`). */
  interpreter: InterpreterReport;
  /** Libraries the venv's Python code opens itself; the required ones count in `missing`. */
  runtime: RuntimeLoad[];
  /** The command that fixes it, or null when ok. */
  command: string | null;
  /** The nixpkgs release the picks are spelled for, where it was read and why (issue 8). */
  nixpkgs: { release: string; source: string; reason: string };
}

export async function runCheck(engine: Engine, o: CheckOptions): Promise<CheckReport> {
  const plan = await makePlan(engine, { ...o, require: { venv: true, nixFile: true } });
  const a = plan.analysis;
  const missing: CheckMissing[] = [];
  for (const it of a.items) {
    if (it.covered) continue;
    if (it.category === 'package' || it.category === 'driver' || it.category === 'unknown') {
      // The attribute `nixpy fix` writes for it: what covers it in the patched file, else the pick.
      const attr = it.category === 'package' ? (fixedBy(engine, plan, it) ?? it.pick) : null;
      missing.push({ soname: it.soname, category: it.category, neededBy: it.neededBy, attr });
    }
  }
  const ok = missing.length === 0 && a.extraMissing.length === 0;
  const fixable = plan.patch !== null && plan.patch.changed;
  return {
    ok,
    venv: plan.project.venv!,
    nixFile: plan.project.nixFile!,
    config: plan.project.config.source,
    env: plan.model,
    missing,
    add: plan.patch?.added ?? [],
    driverPath: plan.patch?.driverAdded ?? false,
    unknown: a.unknown,
    extraMissing: a.extraMissing,
    ignored: a.ignored,
    ignoreUnused: a.ignoreUnused,
    interpreter: interpreterReport(plan.interpreter!),
    runtime: plan.runtime?.runtime ?? [],
    command: !ok && fixable ? o.fixCommand : null,
    nixpkgs: plan.nixpkgs,
  };
}
