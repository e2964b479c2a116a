import { existsSync, readdirSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { DEVENV_VENV } from './project.js';

/**
 * Which projects a set of changed files belongs to: what the pre-commit hook receives
 * (`pass_filenames: true`) mapped to the directories `check --project` judges, so that in a
 * monorepo `services/api/flake.nix` is judged with `services/api/.venv`, not the repository
 * root's (pre-commit runs hooks in the repository root).
 */

/** A directory that holds a Python project: its metadata, its lock, or its venv. */
export function isPythonProjectDir(dir: string): boolean {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return false;
  }
  if (entries.some((e) => e === 'pyproject.toml' || e === 'uv.lock' || e === 'setup.py' || e === '.venv' || /^requirements[^/]*\.txt$/.test(e))) {
    return true;
  }
  return existsSync(join(dir, DEVENV_VENV));
}

export interface ChangedProjects {
  /** Absolute project directories, each once, in the order their first file came. */
  projects: string[];
  /** Files (as given) that lie in no Python project under the top directory: nothing to judge. */
  outside: string[];
}

/**
 * For each file, the nearest directory from the file's own up to `top` (the repository root)
 * that `isProject` accepts: `nix/shell.nix` belongs to the project above it, a nested project's
 * `flake.nix` to the nested project. Files outside `top` are judged where they are.
 */
export function projectsOfFiles(
  files: readonly string[],
  top: string,
  isProject: (dir: string) => boolean = isPythonProjectDir,
): ChangedProjects {
  const root = resolve(top);
  const projects: string[] = [];
  const outside: string[] = [];
  for (const file of files) {
    const found = nearestProject(dirname(resolve(root, file)), root, isProject);
    if (found === null) outside.push(file);
    else if (!projects.includes(found)) projects.push(found);
  }
  return { projects, outside };
}

function nearestProject(start: string, root: string, isProject: (dir: string) => boolean): string | null {
  const rel = relative(root, start);
  // Outside the top directory: only the file's own directory is a candidate.
  if (rel.startsWith('..') || isAbsolute(rel)) return isProject(start) ? start : null;
  for (let dir = start; ; dir = dirname(dir)) {
    if (isProject(dir)) return dir;
    if (dir === root || dir === dirname(dir)) return null;
  }
}
