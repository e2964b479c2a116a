import type { Command } from '../common.js';
import { ldLibraryPathOf } from '../common.js';
import { printJson } from '../io.js';
import { projectFrom } from '../project.js';
import { formatScan } from '../render/scan.js';

interface ScanArgs {
  venv: string | undefined;
  project: string | undefined;
}

export const scanCommand: Command<ScanArgs> = {
  command: 'scan [venv]',
  describe: 'list the native libraries a venv needs that the loader will not find',
  builder: (y) =>
    y
      .positional('venv', { type: 'string', describe: 'venv directory (default: --project\'s .venv, $VIRTUAL_ENV, $UV_PROJECT_ENVIRONMENT, ./.venv)' })
      .option('project', { type: 'string', describe: 'project directory (default: the working directory)' })
      // No default here, unlike the global option: [tool.nixpy] env applies when --env is absent.
      .default('env', undefined, 'none: [tool.nixpy] env, else nixos'),
  run: async (args, { io, chalk }) => {
    // Loaded on use: the scanner pulls in the venv walk and the loader model, which the other
    // commands' start-up need not pay for.
    const { runScan } = await import('../../plan/scan.js');
    // Any directory: scan is the building block, also for a wheel's .libs or an unpacked wheel.
    const result = await runScan({ ...projectFrom({ ...args, flake: undefined }, io), anyDirectory: true, ldLibraryPath: ldLibraryPathOf(args, io) });
    if (args.json) printJson(io, result);
    else io.stdout(formatScan(result, chalk));
    // A symbol version a found library lacks is a refusal like a missing library.
    return result.missing.length > 0 || result.versionErrors.length > 0 ? 1 : 0;
  },
};
