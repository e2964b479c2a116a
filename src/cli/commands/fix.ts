import type { Command, CommandContext } from '../common.js';
import { printJson, terminalWidth } from '../io.js';
import { projectFrom, projectOptions, type ProjectArgs } from '../project.js';
import { displayPath } from '../../nix/files.js';
import { unifiedDiff } from '../../nix/diff.js';
import { realEngine } from '../../plan/engine-real.js';
import { runFix } from '../../plan/fix.js';
import { renderFix } from '../render/fix.js';

export interface FixArgs extends ProjectArgs {
  add: string[] | undefined;
  driver: boolean;
  'dry-run': boolean;
}

export const fixCommand: Command<FixArgs> = {
  command: 'fix',
  describe: 'add the nixpkgs attributes the venv needs (or exactly the --add ones) to the Nix file\'s library list',
  builder: (y) =>
    projectOptions(y, true)
      .usage('$0 fix [--project DIR] [--venv DIR] [--flake FILE] [--add ATTR]... [--dry-run]')
      .option('add', { type: 'string', array: true, describe: 'attribute to add (repeatable); no venv scan' })
      .option('driver', { type: 'boolean', default: false, describe: 'add the GPU driver directory (/run/opengl-driver/lib)' })
      .option('ld-library-path', { type: 'string', describe: 'search path to assume (default: none: fix judges the Nix file, as check does)' })
      .option('dry-run', { type: 'boolean', default: false, describe: 'print the diff, write nothing' }),
  run: async (args, ctx: CommandContext) => {
    const { io } = ctx;
    const { report, before, after } = await runFix(realEngine({ indexFile: args.index, env: io.env }), {
      ...projectFrom(args, io),
      ldLibraryPath: args['ld-library-path'],
      add: args.add ?? [],
      driver: args.driver,
      dryRun: args['dry-run'],
    });
    const shown = displayPath(io.cwd, report.file);
    if (report.changed) report.diff = unifiedDiff(shown, before, after);
    if (args.json) printJson(io, report);
    else {
      const coloredDiff = report.dryRun && report.changed ? unifiedDiff(shown, before, after, ctx.chalk) : '';
      io.stdout(renderFix(report, shown, { chalk: ctx.chalk, width: terminalWidth(io), coloredDiff }));
    }
    return report.unplaced.length > 0 || report.unresolved.length > 0 ? 1 : 0;
  },
};
