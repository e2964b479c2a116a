import { InputError } from '../errors.js';
import type { EnvName } from '../loader/types.js';

/**
 * --env for doctor, check and init, which have no default (so that [tool.nixpy] env applies):
 * null when absent. yargs rejects a bad choice before any handler runs; this narrows the type
 * and keeps the in-process callers (tests, other front ends) to the same rule.
 */
export function envChoice(value: unknown): EnvName | null {
  if (value === undefined || value === null) return null;
  if (value === 'nixos' || value === 'host') return value;
  throw new InputError(`--env ${JSON.stringify(value)}: choose nixos or host`);
}
