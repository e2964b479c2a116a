import { normalizeDistName } from '../nixpkgs/runtime-table.js';
import { walkPythonLoads, type PythonWalk, type PythonWalkOptions } from '../scan/python-walk.js';

/**
 * The static pass as the plan runs it: every Python file of the venv but those of the
 * distributions `[tool.nixpy] runtime-ignore` turns off. Its own module, importing little, because
 * it is all the run-time pass's worker loads (runtime-worker.ts): a worker starts faster the
 * less code it parses.
 */
export function walkForRuntime(
  venv: string,
  distributionOf: (rel: string) => string,
  disabled: readonly string[],
  bounds: Omit<PythonWalkOptions, 'skip'> = {},
): PythonWalk {
  return walkPythonLoads(venv, { ...bounds, skip: skipFor(distributionOf, disabled) });
}

/** The files of the distributions turned off: the one rule for every thread that reads. */
export function skipFor(distributionOf: (rel: string) => string, disabled: readonly string[]): (rel: string) => boolean {
  const off = new Set(disabled.map(normalizeDistName));
  return (rel) => off.size > 0 && off.has(normalizeDistName(distributionOf(rel)));
}
