import type { Command } from '../common.js';

/** A command of any argument type, as main registers it. */
export type AnyCommand = Command<unknown>;

/**
 * Every command's name and how to load its module, in the order `all.ts` lists them. main loads
 * only the module of the command being run: importing all of them costs more start-up than a
 * whole scan's closures (the index, doctor and fix modules pull in large dependencies).
 * test/cli/registry.test.ts checks this table against `all.ts`.
 */
export const COMMAND_MODULES: ReadonlyArray<readonly [name: string, load: () => Promise<AnyCommand>]> = [
  ['scan', scanning(async () => (await import('./scan.js')).scanCommand)],
  ['tree', async () => (await import('./tree.js')).treeCommand],
  ['resolve', async () => (await import('./resolve.js')).resolveCommand],
  ['index', async () => (await import('./index-build.js')).indexCommand],
  ['fix', scanning(async () => (await import('./fix.js')).fixCommand)],
  ['doctor', scanning(async () => (await import('./doctor.js')).doctorCommand)],
  ['check', scanning(async () => (await import('./check.js')).checkCommand)],
  ['init', scanning(async () => (await import('./init.js')).initCommand)],
];

/**
 * The loader of a command that scans a venv: the run-time pass's worker is started first, so that
 * its start-up overlaps the loading of the command's modules (plan/runtime-thread.ts).
 */
function scanning(load: () => Promise<AnyCommand>): () => Promise<AnyCommand> {
  return async () => {
    (await import('../../plan/runtime-thread.js')).warmRuntimeWorker();
    return load();
  };
}

/**
 * The command word in an argument list: the first argument that names a command, before any
 * `--`. A guess only (an option's value could be such a word): main checks that yargs really
 * chose this command and otherwise parses again with every command loaded.
 */
export function commandNameIn(argv: readonly string[]): string | null {
  for (const a of argv) {
    if (a === '--') return null;
    if (COMMAND_MODULES.some(([name]) => name === a)) return a;
  }
  return null;
}
