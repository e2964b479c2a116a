import type { Command } from '../common.js';
import { printJson, terminalWidth } from '../io.js';
import { projectFrom, projectOptions, sameJudgement, type ProjectArgs } from '../project.js';
import { displayPath } from '../../nix/files.js';
import { runDoctor } from '../../plan/doctor.js';
import { realEngine } from '../../plan/engine-real.js';
import { readHostFacts } from '../../project/environment.js';
import type { InputSource } from '../../plan/report.js';
import { renderDoctor } from '../render/doctor.js';
import { startProgress } from '../progress.js';
import { commandLine, errorTail, runUserCommand } from '../run-command.js';
import { renderVerify, runVerify, verifiedExitCode, verifyOptions, type VerifyArgs } from '../verify.js';

export interface DoctorArgs extends ProjectArgs, VerifyArgs {
  fix: boolean;
  verbose: boolean;
  stdin: boolean;
  '--'?: (string | number)[];
}

/** What the command printed last, under the command line as typed (its quoting kept). */
function commandTail(argv: readonly string[], exitCode: number | null, tail: readonly string[], width: number): string {
  const status = exitCode === null ? 'was killed' : `exited with ${exitCode}`;
  const what = tail.length === 0 ? ', printing nothing' : `; its last ${tail.length === 1 ? 'line' : `${tail.length} lines`}:`;
  const cut = (l: string): string => (l.length > width - 2 ? `${l.slice(0, Math.max(10, width - 5))}...` : l);
  return [`$ ${commandLine(argv)}    (${status}${what})`, ...tail.map((l) => `  ${cut(l)}`), '', ''].join('\n');
}

export const doctorCommand: Command<DoctorArgs> = {
  command: 'doctor',
  describe:
    'explain an import error: scan the venv, name the missing libraries and the attributes that ship them, show (and with --fix apply) the Nix file change. Reads a pasted error on stdin, or runs `nixpy doctor -- CMD...`',
  builder: (y) =>
    verifyOptions(projectOptions(y, true))
      .usage('$0 doctor [--fix] [--verify [--shell NAME]] [--project DIR] [--venv DIR] [--flake FILE] [-- CMD ARGS...]')
      .option('fix', { type: 'boolean', default: false, describe: 'apply the change to the Nix file' })
      .option('verbose', { type: 'boolean', default: false, describe: 'list everything the report collapses (every file, every family member)' })
      .option('stdin', { type: 'boolean', default: true, describe: 'read a pasted error from stdin when it is not a terminal (--no-stdin to skip)' })
      .example('$0 doctor', 'scan ./.venv against ./flake.nix')
      .example('python -c "import cv2" 2>&1 | $0 doctor', 'focus on the error a command printed')
      .example('$0 doctor -- python -c "import cv2"', 'run the command and read its error')
      .example('$0 doctor --fix', 'apply the change')
      .example('$0 doctor --fix --verify', 'apply it, then prove it with Nix: every extension module loads in the new shell'),
  run: async (args, { io, chalk }) => {
    const dashdash = (args['--'] ?? []).map(String);
    let input: { source: InputSource; text: string; command: string[] | null; exitCode: number | null } = {
      source: 'scan',
      text: '',
      command: null,
      exitCode: null,
    };
    if (dashdash.length > 0) {
      // Runs code from the venv: only because the user asked for exactly this command.
      const r = await runUserCommand(dashdash, {
        cwd: io.cwd,
        env: io.env,
        onStart: () => io.stderr(`nixpy doctor: running ${commandLine(dashdash)}\n`),
      });
      input = { source: 'command', text: r.output, command: r.command, exitCode: r.exitCode };
      if (!args.json) io.stdout(commandTail(dashdash, r.exitCode, errorTail(r), terminalWidth(io)));
    } else if (args.stdin) {
      const pasted = await io.readPasted(() =>
        io.stderr('nixpy doctor: waiting for the error text on stdin (nothing yet; --no-stdin skips it)\n'),
      );
      if (pasted?.dropped) {
        io.stderr(`nixpy doctor: read ${pasted.bytes} bytes from stdin; kept its last lines and every loader error line\n`);
      }
      if (pasted !== null && pasted.text.trim() !== '') input = { source: 'stdin', text: pasted.text, command: null, exitCode: null };
    }

    // A progress line only for a person watching a terminal (progress.ts decides whether it fits).
    const progress = args.json || !io.isTTY ? null : startProgress(process.stderr, io.env, 'Scanning the venv');
    const engine = realEngine({ indexFile: args.index, env: io.env });
    let run;
    try {
      run = await runDoctor(engine, {
        ...projectFrom(args, io),
        ldLibraryPath: args['ld-library-path'],
        fix: args.fix,
        commandLine: sameJudgement('doctor', args),
        input,
        host: readHostFacts(io.env),
        ...(progress
          ? { onProgress: (done: number, total: number) => progress.update(`Scanning the venv: ${done}/${total} objects`) }
          : {}),
      });
    } finally {
      progress?.stop();
    }
    const { report, proposed } = run;
    const show = (p: string): string => displayPath(io.cwd, p);
    const text = renderDoctor(report, { chalk, show, width: terminalWidth(io), verbose: args.verbose });
    const code = report.problems > 0 ? 1 : 0;
    if (!args.verify) {
      if (args.json) printJson(io, report);
      else io.stdout(text);
      return code;
    }
    // The plan's change as proposed (the file itself once --fix wrote it).
    const verify = await runVerify({ nixFile: report.nixFile, text: proposed, venv: report.venv, libraries: report.libraries }, args, io, engine);
    if (args.json) printJson(io, { ...report, verify });
    else io.stdout(text + (text === '' ? '' : '\n') + renderVerify(verify, chalk, show));
    return verifiedExitCode(code, verify);
  },
};
