import type { Command } from '../common.js';
import { printJson, terminalWidth } from '../io.js';
import { projectFrom, projectOptions, sameJudgement, type ProjectArgs } from '../project.js';
import { displayPath } from '../../nix/files.js';
import { runCheck } from '../../plan/check.js';
import { realEngine } from '../../plan/engine-real.js';
import { renderCheck } from '../render/check.js';
import { renderVerify, runVerify, verifiedExitCode, verifyOptions, type VerifyArgs } from '../verify.js';

export type CheckArgs = ProjectArgs & VerifyArgs;

export const checkCommand: Command<CheckArgs> = {
  command: 'check',
  describe:
    'pre-commit / CI guard: silent with exit 0 when the Nix file covers the venv, else a short list of what to add and exit 1',
  builder: (y) =>
    verifyOptions(projectOptions(y, true))
      .usage('$0 check [--verify [--shell NAME]] [--project DIR] [--venv DIR] [--flake FILE]')
      .option('ld-library-path', {
        type: 'string',
        describe: 'search path to assume (default: none: check judges the Nix file, not the current shell)',
      }),
  run: async (args, { io, chalk }) => {
    const engine = realEngine({ indexFile: args.index, env: io.env });
    const report = await runCheck(engine, {
      ...projectFrom(args, io),
      // Deliberately not $LD_LIBRARY_PATH: the plan judges the Nix file (src/plan/plan.ts).
      ldLibraryPath: args['ld-library-path'],
      fixCommand: sameJudgement('fix', args),
    });
    const show = (p: string): string => displayPath(io.cwd, p);
    const text = renderCheck(report, { chalk, show, width: terminalWidth(io) });
    const code = report.ok ? 0 : 1;
    if (!args.verify) {
      if (args.json) printJson(io, report);
      else io.stdout(text);
      return code;
    }
    // check judges the Nix file as it is: verify that file, not a proposed change.
    const libraries = report.missing.map((m) => ({ soname: m.soname, pick: m.attr }));
    const verify = await runVerify({ nixFile: report.nixFile, text: null, venv: report.venv, libraries }, args, io, engine);
    if (args.json) printJson(io, { ...report, verify });
    else io.stdout(text + (text === '' ? '' : '\n') + renderVerify(verify, chalk, show));
    return verifiedExitCode(code, verify);
  },
};
