import { execa } from 'execa';
import { InputError } from '../errors.js';

/** What `nixpy doctor -- CMD ARGS...` learned from running the command. */
export interface CommandRun {
  command: string[];
  exitCode: number | null;
  /** stderr and stdout interleaved as the command wrote them. */
  output: string;
}

/**
 * Runs the user's command with the user's environment and working directory, capturing its
 * output (stderr and stdout interleaved). A non-zero exit is the expected case, not an error;
 * only a command that cannot be started at all is bad input.
 */
export async function runUserCommand(
  command: readonly string[],
  opts: { cwd: string; env: Readonly<Record<string, string | undefined>> },
): Promise<CommandRun> {
  const [file, ...args] = command;
  if (file === undefined || file === '') throw new InputError('doctor --: name a command to run');
  const r = await execa(file, args, {
    cwd: opts.cwd,
    env: opts.env as NodeJS.ProcessEnv,
    extendEnv: false,
    reject: false,
    all: true,
    stdin: 'ignore',
    stripFinalNewline: false,
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.exitCode === undefined && r.failed) {
    const reason = r.code === 'ENOENT' ? 'command not found' : (r.shortMessage ?? 'could not start').split('\n')[0];
    throw new InputError(`doctor --: cannot run ${file}: ${reason}`);
  }
  return { command: [...command], exitCode: r.exitCode ?? null, output: typeof r.all === 'string' ? r.all : '' };
}
