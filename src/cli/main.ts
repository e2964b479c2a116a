import yargs, { type Argv } from 'yargs';
import { createRequire } from 'node:module';
import { NixpyError } from '../errors.js';
import { globalOptions, type Command, type GlobalArgs } from './common.js';
import { makeChalk, processIo, type Io } from './io.js';
import { commands } from './commands/all.js';

const require = createRequire(import.meta.url);
const pkg = require('../../package.json') as { version: string };

export const VERSION = pkg.version;

/** Runs the CLI; returns the exit code instead of exiting so tests can call it in-process. */
export async function main(argv: string[], io: Io = processIo()): Promise<number> {
  let exitCode = 0;
  let failure: string | null = null;

  let y: Argv<GlobalArgs> = globalOptions(yargs(argv))
    .scriptName('nixpy')
    .version(VERSION)
    .strict()
    .demandCommand(1, 'name a command: scan, tree, resolve, index, fix, doctor, check, init')
    .recommendCommands()
    .help()
    .wrap(Math.min(100, process.stdout.columns || 100))
    .parserConfiguration({ 'populate--': true })
    .exitProcess(false)
    .fail((msg, err) => {
      // yargs reports usage errors through here; our own errors arrive as `err`.
      if (err) throw err;
      failure = msg;
    });

  for (const cmd of commands as Command<unknown>[]) {
    y = y.command({
      command: cmd.command,
      describe: cmd.describe,
      builder: (b: Argv<GlobalArgs>) => cmd.builder(b),
      handler: async (args) => {
        const a = args as unknown as GlobalArgs;
        exitCode = await cmd.run(a as never, { io, chalk: makeChalk(io, a.color) });
      },
    }) as unknown as Argv<GlobalArgs>;
  }

  let helpText = '';
  try {
    await y.parseAsync(argv, {}, (_err, _parsed, output) => {
      helpText = output;
    });
  } catch (err) {
    return reportError(err, io);
  }
  if (failure !== null) {
    io.stderr(`nixpy: ${failure}\n`);
    return 2;
  }
  if (helpText) io.stdout(helpText + '\n');
  return exitCode;
}

function reportError(err: unknown, io: Io): number {
  if (err instanceof NixpyError) {
    io.stderr(`nixpy: ${err.message}\n`);
    return err.exitCode;
  }
  const e = err as { name?: string; message?: string; stack?: string };
  if (e?.name === 'YError') {
    io.stderr(`nixpy: ${e.message}\n`);
    return 2;
  }
  // A bug, not bad input: say so in one line, the stack only on request.
  io.stderr(`nixpy: internal error: ${e?.message ?? String(err)}\n`);
  if (io.env.NIXPY_DEBUG) io.stderr(`${e?.stack ?? ''}\n`);
  return 70;
}
