import type { Command } from '../common.js';
import { printJson } from '../io.js';
import { envChoice } from '../../config/env-choice.js';
import { displayPath } from '../../nix/files.js';
import { renderCheck, runCheck } from '../../doctor/check.js';
import { realEngine } from '../../doctor/engine-real.js';

export interface CheckArgs {
  project: string | undefined;
  venv: string | undefined;
  flake: string | undefined;
}

export const checkCommand: Command<CheckArgs> = {
  command: 'check',
  describe:
    'pre-commit / CI guard: silent with exit 0 when the Nix file covers the venv, else a short list of what to add and exit 1',
  builder: (y) =>
    y
      .usage('$0 check [--project DIR] [--venv DIR] [--flake FILE]')
      .default('env', undefined, 'none: [tool.nixpy] env, else nixos')
      .option('ld-library-path', {
        type: 'string',
        describe: 'search path to assume (default: none: check judges the Nix file, not the current shell)',
      })
      .option('project', { type: 'string', describe: 'project directory (default: the working directory)' })
      .option('venv', { type: 'string', describe: 'the venv (default: $VIRTUAL_ENV, $UV_PROJECT_ENVIRONMENT, ./.venv)' })
      .option('flake', { type: 'string', describe: 'the Nix file (default: [tool.nixpy] nix-file, flake.nix, shell.nix, devenv.nix)' }) as never,
  run: async (args, { io, chalk }) => {
    const report = await runCheck(realEngine({ indexFile: args.index, env: io.env }), {
      cwd: io.cwd,
      env: io.env,
      project: args.project,
      venv: args.venv,
      flake: args.flake,
      model: envChoice(args.env),
      // Deliberately not $LD_LIBRARY_PATH: see src/doctor/check.ts.
      ldLibraryPath: args['ld-library-path'],
    });
    if (args.json) printJson(io, report);
    else io.stdout(renderCheck(report, chalk, (p) => displayPath(io.cwd, p)));
    return report.ok ? 0 : 1;
  },
};
