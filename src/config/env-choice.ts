import { InputError } from '../errors.js';
import type { EnvName } from '../loader/types.js';

/**
 * --env for doctor, check and init, which have no default (so that [tool.nixpy] env applies).
 * Checked here as well as by yargs: yargs reports a bad choice only after the handler has run,
 * and `doctor --fix` must not write anything on a command line that is then rejected.
 */
export function envChoice(value: unknown): EnvName | null {
  if (value === undefined || value === null) return null;
  if (value === 'nixos' || value === 'host') return value;
  throw new InputError(`--env ${JSON.stringify(value)}: choose nixos or host`);
}
