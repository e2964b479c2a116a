import { InputError } from '../errors.js';
import { shellQuote } from './project.js';

/** What `nixpy doctor -- CMD ARGS...` learned from running the command. */
export interface CommandRun {
  command: string[];
  exitCode: number | null;
  /** stderr and stdout interleaved as the command wrote them. */
  output: string;
  /** Its stderr alone (where Python prints a traceback). */
  stderr: string;
}

/** The command line as the user would type it: `python -c 'import cv2'`. */
export function commandLine(argv: readonly string[]): string {
  return argv.map(shellQuote).join(' ');
}

/**
 * The last `max` non-blank lines of what the command printed: its stderr when it wrote there
 * (the traceback, the loader's message), else everything it printed.
 */
export function errorTail(run: Pick<CommandRun, 'output' | 'stderr'>, max = 12): string[] {
  const text = run.stderr.trim() !== '' ? run.stderr : run.output;
  const lines = text.split(/\r?\n/).map((l) => l.trimEnd());
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines.slice(-max);
}

/**
 * Runs the user's command with the user's environment and working directory, capturing its
 * output (stderr and stdout interleaved). A non-zero exit is the expected case, not an error;
 * only a command that cannot be started at all is bad input.
 */
export async function runUserCommand(
  command: readonly string[],
  opts: {
    cwd: string;
    env: Readonly<Record<string, string | undefined>>;
    /** Called once the command has started (not for one that cannot start: that is bad input). */
    onStart?: () => void;
  },
): Promise<CommandRun> {
  const [file, ...args] = command;
  if (file === undefined || file === '') throw new InputError('doctor --: name a command to run');
  // Loaded on use: execa takes ~75 ms to load, and most doctor runs start no command.
  const { execa } = await import('execa');
  const sub = execa(file, args, {
    cwd: opts.cwd,
    env: opts.env as NodeJS.ProcessEnv,
    extendEnv: false,
    reject: false,
    all: true,
    stdin: 'ignore',
    stripFinalNewline: false,
    maxBuffer: 64 * 1024 * 1024,
  });
  if (opts.onStart) sub.once('spawn', opts.onStart);
  const r = await sub;
  if (r.exitCode === undefined && r.failed) {
    const reason = r.code === 'ENOENT' ? 'command not found' : (r.shortMessage ?? 'could not start').split('\n')[0];
    throw new InputError(`doctor --: cannot run ${file}: ${reason}`);
  }
  return {
    command: [...command],
    exitCode: r.exitCode ?? null,
    output: typeof r.all === 'string' ? r.all : '',
    stderr: typeof r.stderr === 'string' ? r.stderr : '',
  };
}
