import ora, { type Ora } from 'ora';
import type { Command } from '../common.js';
import { printJson, terminalWidth } from '../io.js';
import { projectFrom, projectOptions, sameJudgement, type ProjectArgs } from '../project.js';
import { displayPath } from '../../nix/files.js';
import { runDoctor } from '../../plan/doctor.js';
import { realEngine } from '../../plan/engine-real.js';
import { readHostFacts } from '../../project/environment.js';
import type { InputSource } from '../../plan/report.js';
import { renderDoctor } from '../render/doctor.js';
import { runUserCommand } from '../run-command.js';
import { readNixFile } from '../../nix/files.js';
import { renderVerify, runVerify, verifiedExitCode, verifyOptions, type VerifyArgs } from '../verify.js';

export interface DoctorArgs extends ProjectArgs, VerifyArgs {
  fix: boolean;
  verbose: boolean;
  stdin: boolean;
  '--'?: (string | number)[];
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
      const r = await runUserCommand(dashdash, { cwd: io.cwd, env: io.env });
      input = { source: 'command', text: r.output, command: r.command, exitCode: r.exitCode };
    } else if (args.stdin) {
      const text = await io.readStdin();
      if (text !== null && text.trim() !== '') input = { source: 'stdin', text, command: null, exitCode: null };
    }

    let spinner: Ora | null = null;
    if (io.isTTY && !args.json) {
      spinner = ora({ text: 'Scanning the venv', stream: process.stderr, color: 'cyan' }).start();
    }
    const engine = realEngine({ indexFile: args.index, env: io.env });
    let report;
    try {
      report = await runDoctor(engine, {
        ...projectFrom(args, io),
        ldLibraryPath: args['ld-library-path'],
        fix: args.fix,
        commandLine: sameJudgement('doctor', args),
        input,
        host: readHostFacts(io.env),
        ...(spinner
          ? {
              onProgress: (done: number, total: number) => {
                if (spinner) spinner.text = `Scanning the venv: ${done}/${total} objects`;
              },
            }
          : {}),
      });
    } finally {
      spinner?.stop();
    }
    const show = (p: string): string => displayPath(io.cwd, p);
    const text = renderDoctor(report, { chalk, show, width: terminalWidth(io), verbose: args.verbose });
    const code = report.problems > 0 ? 1 : 0;
    if (!args.verify) {
      if (args.json) printJson(io, report);
      else io.stdout(text);
      return code;
    }
    // The change as proposed (the file itself once --fix wrote it).
    const p = report.patch;
    const proposed = p && p.changed && !p.applied ? engine.patch(readNixFile(p.file), p.file, p.add, p.driverPath).text : null;
    const verify = await runVerify({ nixFile: report.nixFile, text: proposed, venv: report.venv, libraries: report.libraries }, args, io, engine);
    if (args.json) printJson(io, { ...report, verify });
    else io.stdout(text + (text === '' ? '' : '\n') + renderVerify(verify, chalk, show));
    return verifiedExitCode(code, verify);
  },
};
