import './tiering.js';
import yargs, { type Argv } from 'yargs';
import { createRequire } from 'node:module';
import { InputError, NixpyError } from '../errors.js';
import { globalOptions, type Command, type GlobalArgs } from './common.js';
import { makeChalk, processIo, type Io } from './io.js';
import { COMMAND_MODULES, commandNameIn, type AnyCommand } from './commands/registry.js';

const require = createRequire(import.meta.url);
const pkg = require('../../package.json') as { version: string };

export const VERSION = pkg.version;

/** A command registered by name only: its module is not loaded. */
interface Unloaded {
  unloaded: string;
}

/**
 * The description of an unloaded command. Output that shows it (the command list of --help)
 * needs the real descriptions, so main then loads every command and parses again.
 */
const UNLOADED_DESCRIPTION = '\u0000(not loaded)';

/** Thrown by an unloaded command's builder: yargs chose a command whose module is not loaded. */
class CommandNotLoaded extends Error {}

/**
 * Thrown by a command's yargs handler, with the parsed arguments, to run the command after yargs
 * has returned. Right after a handler returns, yargs renders and caches the whole help text
 * (yargs/build/lib/command.js, handleValidationAndGetResult -> usage.cacheHelpMessage), measuring
 * every line with string-width: ~20 ms of CPU per run for a text no command prints. Validation,
 * defaults and `populate--` are all applied before the handler is called.
 */
class CommandChosen extends Error {
  constructor(readonly run: () => Promise<number>) {
    super('command chosen');
  }
}

/**
 * Runs the CLI; returns the exit code instead of exiting so tests can call it in-process.
 *
 * Start-up loads only the module of the command named in `argv` (see registry.ts); the others
 * are registered under their names alone. When that guess does not hold (yargs picks another
 * command, or prints the command list) nothing has been written yet, and the arguments are
 * parsed again with every command loaded (`all.ts`), exactly as before lazy loading.
 */
export async function main(argv: string[], io: Io = processIo()): Promise<number> {
  const name = commandNameIn(argv);
  const slots: (AnyCommand | Unloaded)[] = [];
  for (const [n, load] of COMMAND_MODULES) slots.push(n === name ? await load() : { unloaded: n });
  const first = await parseWith(argv, io, slots);
  if (first !== 'incomplete') return first;
  const { commands } = await import('./commands/all.js');
  const second = await parseWith(argv, io, commands as Command<unknown>[]);
  // Every command is loaded now, so this cannot happen; answer as a bug would.
  if (second === 'incomplete') return reportError(new Error('command modules failed to load'), io);
  return second;
}

/** One yargs parse and run; 'incomplete' when it needed a command that is not loaded. */
async function parseWith(argv: string[], io: Io, slots: readonly (AnyCommand | Unloaded)[]): Promise<number | 'incomplete'> {
  let needsAll = false;

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
      // yargs reports usage errors through here, our own errors arrive as `err`. Throwing is
      // what stops yargs from running the command's handler after a failed validation.
      throw err ?? new InputError(msg);
    });

  for (const slot of slots) {
    if ('unloaded' in slot) {
      y = y.command({
        command: slot.unloaded,
        describe: UNLOADED_DESCRIPTION,
        builder: () => {
          needsAll = true;
          throw new CommandNotLoaded(slot.unloaded);
        },
        handler: () => {
          needsAll = true;
        },
      });
      continue;
    }
    const cmd = slot;
    y = y.command({
      command: cmd.command,
      describe: cmd.describe,
      // Every command's arguments include the global options; the registry only forgets A.
      builder: (b: Argv<GlobalArgs>) => cmd.builder(b) as Argv<GlobalArgs>,
      handler: (args) => {
        throw new CommandChosen(() => cmd.run(args, { io, chalk: makeChalk(io, args.color) }));
      },
    });
  }

  let helpText = '';
  let chosen: CommandChosen | null = null;
  try {
    await y.parseAsync(argv, {}, (_err, _parsed, output) => {
      helpText = output;
    });
  } catch (err) {
    if (needsAll || err instanceof CommandNotLoaded) return 'incomplete';
    if (!(err instanceof CommandChosen)) return reportError(err, io);
    chosen = err;
  }
  if (needsAll || helpText.includes(UNLOADED_DESCRIPTION)) return 'incomplete';
  if (helpText) io.stdout(helpText + '\n');
  if (chosen === null) return 0;
  try {
    return await chosen.run();
  } catch (err) {
    return reportError(err, io);
  }
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
