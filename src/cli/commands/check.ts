import { relative } from 'node:path';
import type { Command, CommandContext, GlobalArgs } from '../common.js';
import { printJson, terminalWidth } from '../io.js';
import { projectFrom, projectOptions, sameJudgement, type ProjectArgs } from '../project.js';
import { NixpyError } from '../../errors.js';
import { displayPath } from '../../nix/files.js';
import { runCheck, type CheckReport } from '../../plan/check.js';
import { realEngine } from '../../plan/engine-real.js';
import type { Engine } from '../../plan/engine.js';
import { projectsOfFiles } from '../../project/changed.js';
import { renderCheck } from '../render/check.js';
import { renderVerify, runVerify, verifiedExitCode, verifyOptions, type VerifyArgs } from '../verify.js';
import type { VerifyResult } from '../../verify/types.js';

export type CheckArgs = ProjectArgs &
  VerifyArgs & {
    /** Changed files (the pre-commit hook passes them): each is judged in its own project. */
    files?: string[];
  };

/** One project's judgement: its exit code, its human text and its JSON document. */
interface CheckOutcome {
  code: number;
  text: string;
  doc: CheckReport & { verify?: VerifyResult };
}

/** `check --json` with file names: one report per project the files belong to. */
export interface CheckFilesReport {
  ok: boolean;
  projects: (({ project: string } & CheckOutcome['doc']) | { project: string; error: string })[];
  /** Files that belong to no Python project: nothing to judge. */
  outside: string[];
}

async function checkOne(args: CheckArgs & GlobalArgs, { io, chalk }: CommandContext, engine: Engine): Promise<CheckOutcome> {
  const report = await runCheck(engine, {
    ...projectFrom(args, io),
    // Deliberately not $LD_LIBRARY_PATH: the plan judges the Nix file (src/plan/plan.ts).
    ldLibraryPath: args['ld-library-path'],
    fixCommand: sameJudgement('fix', args),
  });
  const show = (p: string): string => displayPath(io.cwd, p);
  const text = renderCheck(report, { chalk, show, width: terminalWidth(io) });
  const code = report.ok ? 0 : 1;
  if (!args.verify) return { code, text, doc: report };
  // check judges the Nix file as it is: verify that file, not a proposed change.
  const libraries = report.missing.map((m) => ({ soname: m.soname, pick: m.attr }));
  const verify = await runVerify({ nixFile: report.nixFile, text: null, venv: report.venv, libraries }, args, io, engine);
  return {
    code: verifiedExitCode(code, verify),
    text: text + (text === '' ? '' : '\n') + renderVerify(verify, chalk, show),
    doc: { ...report, verify },
  };
}

/**
 * Each project the changed files belong to, judged where it is (a monorepo's nested
 * `services/api/flake.nix` with `services/api/.venv`), as `check --project DIR` would. A project
 * with bad input (no venv, say) is reported and the others are still judged; the exit code is
 * the worst one.
 */
async function checkFiles(args: CheckArgs & GlobalArgs, ctx: CommandContext, files: string[]): Promise<number> {
  const { io } = ctx;
  const { projects, outside } = projectsOfFiles(files, io.cwd);
  const doc: CheckFilesReport = { ok: true, projects: [], outside };
  // One engine for every project: the nix-locate index is opened once, its answers kept.
  const engine = realEngine({ indexFile: args.index, env: io.env });
  let code = 0;
  for (const project of projects) {
    try {
      const one = await checkOne({ ...args, project: relative(io.cwd, project) || '.' }, ctx, engine);
      doc.projects.push({ project, ...one.doc });
      code = Math.max(code, one.code);
      if (!args.json) io.stdout(one.text);
    } catch (err) {
      if (!(err instanceof NixpyError)) throw err;
      doc.projects.push({ project, error: err.message });
      code = Math.max(code, err.exitCode);
      if (!args.json) io.stderr(`nixpy: ${displayPath(io.cwd, project)}: ${err.message}\n`);
    }
  }
  doc.ok = code === 0;
  if (args.json) printJson(io, doc);
  return code;
}

export const checkCommand: Command<CheckArgs> = {
  command: 'check [files..]',
  describe:
    'pre-commit / CI guard: silent with exit 0 when the Nix file covers the venv, else a short list of what to add and exit 1. Given changed files (the pre-commit hook), judges each project they belong to',
  builder: (y) =>
    verifyOptions(projectOptions(y, true))
      .usage('$0 check [--verify [--shell NAME]] [--project DIR] [--venv DIR] [--flake FILE] [FILE...]')
      .positional('files', {
        type: 'string',
        array: true,
        describe:
          'changed files: judge the project of each (the nearest directory with pyproject.toml, a lock, requirements or a venv); ignored with --project, --venv or --flake',
      })
      .option('ld-library-path', {
        type: 'string',
        describe: 'search path to assume (default: none: check judges the Nix file, not the current shell)',
      }),
  run: async (args, ctx) => {
    const files = (args.files ?? []).map(String);
    const explicit = args.project !== undefined || args.venv !== undefined || args.flake !== undefined;
    if (files.length > 0 && !explicit) return checkFiles(args, ctx, files);
    const one = await checkOne(args, ctx, realEngine({ indexFile: args.index, env: ctx.io.env }));
    if (args.json) printJson(ctx.io, one.doc);
    else ctx.io.stdout(one.text);
    return one.code;
  },
};
