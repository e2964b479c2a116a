import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
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
  /**
   * Accept any directory as the venv (`scan DIR` of a wheel's `.libs` or an unpacked wheel);
   * otherwise a directory without pyvenv.cfg or site-packages is "not a venv" (exit 2).
   */
  anyDirectory?: boolean;
}

export type VenvSource = '--venv' | '--project' | 'VIRTUAL_ENV' | 'UV_PROJECT_ENVIRONMENT' | '.venv' | '.devenv/state/venv';

export interface Project {
  root: string;
  config: NixpyConfig;
  /** Absolute venv path; null when none exists (init may still write a flake). */
  venv: string | null;
  venvSource: VenvSource | null;
  /** Where nixpy looked for a venv, for the message when there is none. */
  venvTried: string[];
  /** $VIRTUAL_ENV when it was left out because it lies outside the named project. */
  venvPassedOver?: string | null;
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

/** "no such directory" or "not a directory", for a path the user named. */
function notADirectory(path: string, shown: string, option: string | null): InputError {
  const what = existsSync(path) ? 'not a directory' : 'no such directory';
  return new InputError(`${shown}: ${what}${option ? ` (${option})` : ''}`);
}

/**
 * A venv is a directory with `pyvenv.cfg` (PEP 405: every venv and virtualenv writes one) or a
 * `site-packages` where CPython (`lib/pythonX.Y`, `lib64/...`, Windows `Lib`) or PyPy
 * (`lib/pypyX.Y`) puts it: a conda environment or a `--target` install has no pyvenv.cfg.
 */
export function isVenvDir(dir: string): boolean {
  if (existsSync(join(dir, 'pyvenv.cfg'))) return true;
  if (isDir(join(dir, 'Lib', 'site-packages'))) return true;
  for (const lib of ['lib', 'lib64']) {
    let entries: string[];
    try {
      entries = readdirSync(join(dir, lib));
    } catch {
      continue;
    }
    if (entries.some((e) => /^(python|pypy)\d/.test(e) && isDir(join(dir, lib, e, 'site-packages')))) return true;
  }
  return false;
}

function notAVenv(dir: string, source: VenvSource): InputError {
  return new InputError(`${dir}: not a venv (no pyvenv.cfg, no lib/python*/site-packages) (${source})`);
}

/** The project directory: --project, else the directory of --flake, else the working directory. */
function projectRoot(opts: ProjectOptions): string {
  if (opts.project) {
    const root = resolve(opts.cwd, opts.project);
    if (!isDir(root)) throw notADirectory(root, opts.project, null);
    return root;
  }
  if (opts.flake) {
    const f = resolve(opts.cwd, opts.flake);
    return isDir(f) ? f : dirname(f);
  }
  return resolve(opts.cwd);
}

/** devenv's Python venv: `languages.python.venv.enable` creates it in $DEVENV_STATE/venv. */
export const DEVENV_VENV = '.devenv/state/venv';

function inside(dir: string, root: string): boolean {
  const r = relative(root, dir);
  return r === '' || (!r.startsWith('..') && !isAbsolute(r));
}

interface Candidate {
  path: string;
  source: VenvSource;
}

/**
 * Where to look, in order. When the user names the project (--project, or --flake whose
 * directory is the project), only venvs inside it count: an active $VIRTUAL_ENV of another
 * project must not be judged in its place. Otherwise the active venv ($VIRTUAL_ENV), uv's
 * $UV_PROJECT_ENVIRONMENT (relative to the project), ./.venv, then devenv's venv.
 */
function venvCandidates(opts: ProjectOptions, root: string): Candidate[] {
  const scoped = Boolean(opts.project || opts.flake);
  const env: Candidate[] = [];
  if (opts.env.VIRTUAL_ENV) env.push({ path: resolve(opts.cwd, opts.env.VIRTUAL_ENV), source: 'VIRTUAL_ENV' });
  if (opts.env.UV_PROJECT_ENVIRONMENT) env.push({ path: resolve(root, opts.env.UV_PROJECT_ENVIRONMENT), source: 'UV_PROJECT_ENVIRONMENT' });
  const own: Candidate[] = [
    { path: join(root, '.venv'), source: scoped ? '--project' : '.venv' },
    { path: join(root, DEVENV_VENV), source: '.devenv/state/venv' },
  ];
  return [...(scoped ? env.filter((c) => inside(c.path, root)) : env), ...own];
}

interface VenvLocation {
  venv: string | null;
  source: VenvSource | null;
  /** Where nixpy looked, for the message when there is none. */
  tried: string[];
  /** An active venv left out because --project names another project (for that message). */
  passedOver: string | null;
}

/** The venv: --venv, else the first candidate that exists (see venvCandidates); it must be a venv. */
function locateVenv(opts: ProjectOptions, root: string): VenvLocation {
  if (opts.venv) {
    const v = resolve(opts.cwd, opts.venv);
    if (!isDir(v)) throw notADirectory(v, opts.venv, '--venv');
    if (!opts.anyDirectory && !isVenvDir(v)) throw notAVenv(opts.venv, '--venv');
    return { venv: v, source: '--venv', tried: [v], passedOver: null };
  }
  const candidates = venvCandidates(opts, root);
  const active = opts.env.VIRTUAL_ENV ? resolve(opts.cwd, opts.env.VIRTUAL_ENV) : null;
  const passedOver = active !== null && !candidates.some((c) => c.path === active) && isDir(active) ? active : null;
  const tried: string[] = [];
  for (const c of candidates) {
    if (tried.includes(c.path)) continue;
    tried.push(c.path);
    if (!isDir(c.path)) continue;
    if (!opts.anyDirectory && !isVenvDir(c.path)) throw notAVenv(c.path, c.source);
    return { venv: c.path, source: c.source, tried, passedOver };
  }
  return { venv: null, source: null, tried, passedOver };
}

/** The Nix file: --flake, else [tool.nixpy] nix-file, else flake.nix/shell.nix/devenv.nix/default.nix in the project. */
function locateNixFile(opts: ProjectOptions, root: string, config: NixpyConfig): string | null {
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
  const { venv, source, tried, passedOver } = locateVenv(opts, root);
  const nixFile = locateNixFile(opts, root, config);
  return { root, config, venv, venvSource: source, venvTried: tried, venvPassedOver: passedOver, nixFile };
}

export function noVenvError(p: Project): InputError {
  const active = p.venvPassedOver ? `; $VIRTUAL_ENV (${p.venvPassedOver}) is outside ${p.root}: pass --venv to judge it` : '';
  return new InputError(
    `no venv found (looked at ${p.venvTried.join(', ')}); create one with \`uv sync\`, or name it on the command line${active}`,
  );
}

/** How the user gets a shell that has the changed Nix file's library path. */
export function reloadAdvice(root: string, nixFile: string, inNixShell: boolean): string {
  if (existsSync(join(root, '.envrc'))) return 'run `direnv reload`';
  const base = nixFile.slice(nixFile.lastIndexOf('/') + 1);
  const enter = base === 'devenv.nix' ? '`devenv shell`' : base === 'flake.nix' ? '`nix develop`' : '`nix-shell`';
  return inNixShell ? `leave the shell and run ${enter} again` : `enter the shell with ${enter}`;
}
