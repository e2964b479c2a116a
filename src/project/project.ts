import { existsSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { loadNixpyConfig, type NixpyConfig } from './pyproject.js';
import { InputError } from '../errors.js';
import { findNixFile } from '../nix/files.js';

/**
 * Where the user's project is: its directory (pyproject.toml, .envrc), its venv and its Nix file.
 * Shared by doctor, check and init.
 */
export interface ProjectOptions {
  cwd: string;
  env: Readonly<Record<string, string | undefined>>;
  /** --project DIR. */
  project?: string | undefined;
  /** --venv DIR. */
  venv?: string | undefined;
  /** --flake FILE (or directory). */
  flake?: string | undefined;
}

export type VenvSource = '--venv' | '--project' | 'VIRTUAL_ENV' | 'UV_PROJECT_ENVIRONMENT' | '.venv';

export interface Project {
  root: string;
  config: NixpyConfig;
  /** Absolute venv path; null when none exists (init may still write a flake). */
  venv: string | null;
  venvSource: VenvSource | null;
  /** Where nixpy looked for a venv, for the message when there is none. */
  venvTried: string[];
  /** Absolute Nix file path, or null when the project has none. */
  nixFile: string | null;
}

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** The project directory: --project, else the directory of --flake, else the working directory. */
export function projectRoot(opts: ProjectOptions): string {
  if (opts.project) {
    const root = resolve(opts.cwd, opts.project);
    if (!isDir(root)) throw new InputError(`${opts.project}: no such directory`);
    return root;
  }
  if (opts.flake) {
    const f = resolve(opts.cwd, opts.flake);
    return isDir(f) ? f : dirname(f);
  }
  return resolve(opts.cwd);
}

/**
 * The venv, in this order: --venv; the project's .venv when --project names the project; the
 * active venv ($VIRTUAL_ENV); uv's $UV_PROJECT_ENVIRONMENT (relative to the project); ./.venv.
 */
export function locateVenv(opts: ProjectOptions, root: string): { venv: string | null; source: VenvSource | null; tried: string[] } {
  if (opts.venv) {
    const v = resolve(opts.cwd, opts.venv);
    if (!isDir(v)) throw new InputError(`${opts.venv}: no such directory (--venv)`);
    return { venv: v, source: '--venv', tried: [v] };
  }
  const tried: string[] = [];
  const projectVenv = join(root, '.venv');
  if (opts.project || opts.flake) {
    tried.push(projectVenv);
    if (isDir(projectVenv)) return { venv: projectVenv, source: '--project', tried };
  }
  const active = opts.env.VIRTUAL_ENV;
  if (active) {
    const v = resolve(opts.cwd, active);
    tried.push(v);
    if (isDir(v)) return { venv: v, source: 'VIRTUAL_ENV', tried };
  }
  const uvEnv = opts.env.UV_PROJECT_ENVIRONMENT;
  if (uvEnv) {
    const v = resolve(root, uvEnv);
    tried.push(v);
    if (isDir(v)) return { venv: v, source: 'UV_PROJECT_ENVIRONMENT', tried };
  }
  if (!tried.includes(projectVenv)) tried.push(projectVenv);
  if (isDir(projectVenv)) return { venv: projectVenv, source: '.venv', tried };
  return { venv: null, source: null, tried };
}

/** The Nix file: --flake, else [tool.nixpy] nix-file, else flake.nix/shell.nix/devenv.nix/default.nix in the project. */
export function locateNixFile(opts: ProjectOptions, root: string, config: NixpyConfig): string | null {
  if (opts.flake) return findNixFile(opts.cwd, opts.flake);
  if (config.nixFile) {
    if (!existsSync(config.nixFile)) throw new InputError(`${config.nixFile}: no such file ([tool.nixpy] nix-file)`);
    return findNixFile(root, config.nixFile);
  }
  try {
    return findNixFile(root);
  } catch (err) {
    if (err instanceof InputError) return null;
    throw err;
  }
}

export async function locateProject(opts: ProjectOptions): Promise<Project> {
  const root = projectRoot(opts);
  const config = await loadNixpyConfig(root);
  const { venv, source, tried } = locateVenv(opts, root);
  const nixFile = locateNixFile(opts, root, config);
  return { root, config, venv, venvSource: source, venvTried: tried, nixFile };
}

export function noVenvError(p: Project): InputError {
  return new InputError(
    `no venv found (looked at ${p.venvTried.join(', ')}); create one with \`uv sync\`, or name it on the command line`,
  );
}

/** How the user gets a shell that has the changed Nix file's library path. */
export function reloadAdvice(root: string, nixFile: string, inNixShell: boolean): string {
  if (existsSync(join(root, '.envrc'))) return 'run `direnv reload`';
  const base = nixFile.slice(nixFile.lastIndexOf('/') + 1);
  const enter = base === 'devenv.nix' ? '`devenv shell`' : base === 'flake.nix' ? '`nix develop`' : '`nix-shell`';
  return inNixShell ? `leave the shell and run ${enter} again` : `enter the shell with ${enter}`;
}
