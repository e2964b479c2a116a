import type { Command } from '../common.js';
import { printJson, terminalWidth } from '../io.js';
import { projectFrom, projectOptions, sameJudgement, type ProjectArgs } from '../project.js';
import { displayPath } from '../../nix/files.js';
import { runCheck } from '../../plan/check.js';
import { realEngine } from '../../plan/engine-real.js';
import { renderCheck } from '../render/check.js';

export type CheckArgs = ProjectArgs;

export const checkCommand: Command<CheckArgs> = {
  command: 'check',
  describe:
    'pre-commit / CI guard: silent with exit 0 when the Nix file covers the venv, else a short list of what to add and exit 1',
  builder: (y) =>
    projectOptions(y, true)
      .usage('$0 check [--project DIR] [--venv DIR] [--flake FILE]')
      .option('ld-library-path', {
        type: 'string',
        describe: 'search path to assume (default: none: check judges the Nix file, not the current shell)',
      }),
  run: async (args, { io, chalk }) => {
    const report = await runCheck(realEngine({ indexFile: args.index, env: io.env }), {
      ...projectFrom(args, io),
      // Deliberately not $LD_LIBRARY_PATH: the plan judges the Nix file (src/plan/plan.ts).
      ldLibraryPath: args['ld-library-path'],
      fixCommand: sameJudgement('fix', args),
    });
    if (args.json) printJson(io, report);
    else io.stdout(renderCheck(report, { chalk, show: (p: string) => displayPath(io.cwd, p), width: terminalWidth(io) }));
    return report.ok ? 0 : 1;
  },
};
