import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Engine } from './engine.js';
import { configuredRelease, type NixpkgsRelease } from '../project/nixpkgs-release.js';
import { locateProject, type ProjectOptions } from '../project/project.js';
import { InputError } from '../errors.js';
import { writeNewFile } from '../nix/files.js';
import type { EnvName } from '../loader/types.js';
import { nixSystemFor, pythonAttrFor, renderFlake } from '../nix/template.js';
import { planFor } from './plan.js';

/** Files whose presence means the project already has a Nix shell: init never overwrites. */
const EXISTING_NIX_FILES = ['flake.nix', 'shell.nix', 'devenv.nix'] as const;

export interface InitOptions extends ProjectOptions {
  /** --nixpkgs RELEASE: the flake pins nixos-RELEASE and is spelled for it. */
  nixpkgs?: string | undefined;
  model: EnvName | null;
  ldLibraryPath: string | undefined;
  /** Print instead of writing. */
  dryRun: boolean;
  arch: string;
}

/** `nixpy init --json`. Fields may be added, never renamed. */
export interface InitReport {
  file: string;
  written: boolean;
  /** The venv scanned, or null when the project has none yet. */
  venv: string | null;
  attrs: string[];
  driverPath: boolean;
  unknown: string[];
  python: string;
  text: string;
  /** The nixpkgs release the flake pins and its attributes are spelled for (issue 8). */
  nixpkgs: { release: string; source: string; reason: string };
}

export async function runInit(engine: Engine, o: InitOptions): Promise<InitReport> {
  const project = await locateProject({ ...o, flake: undefined });
  const existing = EXISTING_NIX_FILES.map((n) => join(project.root, n)).find((p) => existsSync(p));
  if (existing) {
    throw new InputError(`${existing} already exists; nixpy init writes a new flake only (use \`nixpy fix\` to update it)`);
  }
  const file = join(project.root, 'flake.nix');
  // The same plan as check and fix, judged against no Nix file: everything it would add.
  // The flake pins its own nixpkgs (nixos-unstable, or the release given), so neither a lock nor
  // the running NixOS decides its spelling.
  const release: NixpkgsRelease = configuredRelease(project, o.nixpkgs) ?? {
    release: 'unstable',
    source: 'default',
    reason: 'the new flake follows nixos-unstable',
  };
  const plan = await planFor(engine, project, { ...o, flake: undefined, require: { venv: false, nixFile: false }, release });
  const { add: attrs, addDriverPath: driverPath, unknown } = plan.analysis;
  const python = project.venv ? pythonAttrFor(readPyvenvCfg(project.venv)) : 'python3';
  const nixpkgsBranch = release.release === 'unstable' ? 'nixos-unstable' : `nixos-${release.release}`;
  // The venv's interpreter decides the system (an aarch64 venv made on an aarch64 machine), else this host.
  const machine = plan.interpreter?.interpreter.machine;
  const system = machine === 'aarch64' ? 'aarch64-linux' : machine === 'x86_64' ? 'x86_64-linux' : nixSystemFor(o.arch);
  const text = renderFlake({ attrs, driverPath, system, python, unknown, nixpkgsBranch });
  if (!o.dryRun) writeNewFile(file, text, (p) => `${p} already exists; nixpy init never overwrites a Nix file`);
  return { file, written: !o.dryRun, venv: project.venv, attrs, driverPath, unknown, python, text, nixpkgs: plan.nixpkgs };
}

function readPyvenvCfg(venv: string): string | null {
  try {
    return readFileSync(join(venv, 'pyvenv.cfg'), 'utf8');
  } catch {
    return null;
  }
}
