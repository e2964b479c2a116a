import type { Command } from '../common.js';
import { printJson } from '../io.js';
import { projectFrom, projectOptions, type ProjectArgs } from '../project.js';
import { displayPath } from '../../nix/files.js';
import { realEngine } from '../../plan/engine-real.js';
import { runInit } from '../../plan/init.js';

export interface InitArgs extends ProjectArgs {
  'dry-run': boolean;
}

export const initCommand: Command<InitArgs> = {
  command: 'init',
  describe:
    'write a flake.nix (python, uv, a `libs` list filled from a scan of the venv, LD_LIBRARY_PATH, a venv shell hook) where no Nix file exists',
  builder: (y) =>
    projectOptions(y, false)
      .usage('$0 init [--project DIR] [--venv DIR] [--dry-run]')
      .option('ld-library-path', { type: 'string', describe: 'search path to assume (default: none)' })
      .option('dry-run', { type: 'boolean', default: false, describe: 'print the flake instead of writing it' }),
  run: async (args, { io, chalk }) => {
    const r = await runInit(realEngine({ indexFile: args.index, env: io.env }), {
      ...projectFrom(args, io),
      // Like check: the flake is for a fresh shell, so the current LD_LIBRARY_PATH is not assumed.
      ldLibraryPath: args['ld-library-path'],
      dryRun: args['dry-run'],
      arch: process.arch,
    });
    if (args.json) {
      printJson(io, r);
      return 0;
    }
    if (args['dry-run']) {
      io.stdout(r.text);
      return 0;
    }
    const show = displayPath(io.cwd, r.file);
    const libs = [...r.attrs, ...(r.driverPath ? ['the GPU driver path'] : [])];
    io.stdout(`${chalk.green('Wrote')} ${show}`);
    io.stdout(
      r.venv
        ? libs.length > 0
          ? ` with ${libs.length} ${libs.length === 1 ? 'library' : 'libraries'}: ${libs.join(', ')}.\n`
          : ': the venv needs no libraries from nixpkgs.\n'
        : ' (no venv yet: after `nix develop` and `uv sync`, run `nixpy fix` to fill in `libs`).\n',
    );
    if (r.unknown.length > 0) {
      io.stdout(`${chalk.yellow('No attribute known for')} ${r.unknown.join(', ')}: see \`nixpy doctor\`.\n`);
    }
    io.stdout(`Next: \`git add ${show}\` (flakes only see tracked files), then \`nix develop\`.\n`);
    return 0;
  },
};
