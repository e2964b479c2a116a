import type { Argv } from 'yargs';
import type { ChalkInstance } from 'chalk';
import type { Io } from './io.js';
import type { EnvName } from '../loader/types.js';

/** Options every command takes (docs/design.md, "Common options"). */
export interface GlobalArgs {
  json: boolean;
  color: boolean | undefined;
  env: EnvName;
  'ld-library-path': string | undefined;
  index: string | undefined;
}

export function globalOptions<T>(y: Argv<T>): Argv<T & GlobalArgs> {
  return y
    .option('json', { type: 'boolean', default: false, describe: 'print one JSON document on stdout' })
    .option('color', { type: 'boolean', describe: 'colour output (--no-color to disable)' })
    .option('env', {
      choices: ['nixos', 'host'] as const,
      default: 'nixos' as EnvName,
      describe: 'loader model: NixOS defaults or this machine\'s ld.so cache and directories',
    })
    .option('ld-library-path', {
      type: 'string',
      describe: 'search path used in place of $LD_LIBRARY_PATH',
    })
    .option('index', { type: 'string', describe: 'soname index file (default: local cache, then embedded)' });
}

/** What a command's run function receives besides its own arguments. */
export interface CommandContext {
  io: Io;
  chalk: ChalkInstance;
}

/**
 * One subcommand. `run` returns the exit code (0 fine, 1 problems found); usage and input errors
 * are thrown as InputError and become exit 2 in main.
 */
export interface Command<A> {
  command: string;
  describe: string;
  builder: (y: Argv<GlobalArgs>) => Argv<A>;
  // Method syntax on purpose: its parameter is checked bivariantly, so any Command<A> is a
  // Command<unknown> for the registry, with no cast.
  run(args: A & GlobalArgs, ctx: CommandContext): Promise<number>;
}

/** $LD_LIBRARY_PATH or the --ld-library-path override, as ld.so splits it (':' and ';'). */
export function ldLibraryPathOf(args: GlobalArgs, io: Io): string | undefined {
  return args['ld-library-path'] ?? io.env.LD_LIBRARY_PATH;
}
