import type { Argv } from 'yargs';
import type { Command, CommandContext, GlobalArgs } from '../common.js';
import { printJson } from '../io.js';
import { InputError, NixpyError } from '../../errors.js';
import { findNixFile, readNixFile, writeFileAtomic, displayPath } from '../../nix/files.js';
import { unifiedDiff } from '../../nix/diff.js';
import * as nix from '../../nix/index.js';
import type { PatchOutcome } from '../../nix/index.js';
import { DRIVER_ELEMENT, attrCovers, parseAttrPath } from '../../nixpkgs/attrs.js';
import { locateVenv, projectRoot } from '../../project/project.js';
import type { Category } from '../../scan/types.js';

export interface FixArgs {
  flake: string | undefined;
  add: string[] | undefined;
  driver: boolean;
  venv: string | undefined;
  'dry-run': boolean;
}

/** A soname the scan found missing that `fix` cannot turn into an attribute. */
export interface UnresolvedSoname {
  soname: string;
  category: Category;
  reason: string;
}

/** Something the scan found that the Nix file cannot fix, said for information (exit unaffected). */
export interface FixNote {
  soname: string;
  category: Category;
  note: string;
}

/** What to add: from --add, or from a scan of the venv and the resolver's picks. */
export interface FixPlan {
  from: 'add' | 'scan';
  add: string[];
  driverPath: boolean;
  /** For `from: 'scan'`: the soname(s) each attribute was chosen for. */
  reasons: Record<string, string[]>;
  unresolved: UnresolvedSoname[];
  notes: FixNote[];
  venv?: string;
}

/** `nixpy fix --json` document. Fields may be added, never renamed or removed. */
export interface FixReport {
  file: string;
  changed: boolean;
  /** True when the file on disk was replaced (false with --dry-run or nothing to change). */
  written: boolean;
  dryRun: boolean;
  from: 'add' | 'scan';
  requested: string[];
  added: string[];
  present: string[];
  unplaced: { attr: string; reason: string }[];
  driverPath: boolean;
  createdLibraryPath: boolean;
  unresolved: UnresolvedSoname[];
  notes: FixNote[];
  /** For a scan: the sonames behind each attribute (the driver path under its element, addDriverRunpath.driverLink). */
  reasons: Record<string, string[]>;
  venv?: string;
  diff?: string;
}

/** `pkgs.zlib` → `zlib`; anything that is not an attribute path is bad input. */
export function normalizeAttr(raw: string): string {
  const a = parseAttrPath(raw);
  if (a === null) throw new InputError(`--add ${JSON.stringify(raw)}: not a nixpkgs attribute path (e.g. zlib, stdenv.cc.cc.lib)`);
  return a;
}

export function planFromAdd(adds: readonly string[], driver: boolean): FixPlan {
  const add: string[] = [];
  for (const raw of adds) {
    const a = normalizeAttr(raw);
    if (!add.includes(a)) add.push(a);
  }
  return { from: 'add', add, driverPath: driver, reasons: {}, unresolved: [], notes: [] };
}

/**
 * The venv to scan, found as doctor and check find it (--venv; the .venv beside --flake;
 * $VIRTUAL_ENV; $UV_PROJECT_ENVIRONMENT; ./.venv), so that the `nixpy fix` that `check`
 * suggests scans the venv that `check` judged.
 */
export function venvRoot(args: { venv: string | undefined; flake: string | undefined }, ctx: CommandContext): string {
  const opts = { cwd: ctx.io.cwd, env: ctx.io.env, venv: args.venv, flake: args.flake };
  const found = locateVenv(opts, projectRoot(opts));
  if (found.venv === null) {
    throw new InputError(`${found.tried.join(', ')}: no such venv directory; pass --venv DIR or --add ATTR`);
  }
  return found.venv;
}

/** Applies a plan to source text: the patch outcome, re-parsed before anyone writes it. */
export function applyPlan(source: string, file: string, plan: FixPlan): PatchOutcome {
  const outcome = nix.patchLibraryList(source, file, {
    add: plan.add,
    driverPath: plan.driverPath,
    attrCovers: (existing: string, wanted: string) => attrCovers(existing, wanted),
  });
  if (outcome.changed) {
    try {
      nix.parseNix(outcome.text, file);
    } catch (err) {
      // The patcher produced text Nix would refuse: a bug, and the user's file must not get it.
      throw new NixpyError(`internal error: the patched ${file} would not parse (${(err as Error).message}); nothing written`, 2);
    }
  }
  return outcome;
}

async function makePlan(args: FixArgs & GlobalArgs, ctx: CommandContext, source: string, file: string): Promise<FixPlan> {
  const adds = args.add ?? [];
  if (adds.length > 0 || args.driver) return planFromAdd(adds, args.driver);
  const root = venvRoot(args, ctx);
  const { planFromScan } = await import('./fix-scan.js');
  const preferAttrs = nix.findLibraryLists(source, file).attrs;
  return planFromScan(root, args, ctx, preferAttrs);
}

function report(plan: FixPlan, outcome: PatchOutcome, file: string, written: boolean, dryRun: boolean, diff: string): FixReport {
  const r: FixReport = {
    file,
    changed: outcome.changed,
    written,
    dryRun,
    from: plan.from,
    requested: plan.add,
    added: outcome.added,
    present: outcome.present,
    unplaced: outcome.unplaced,
    driverPath: plan.driverPath,
    createdLibraryPath: outcome.createdLibraryPath,
    unresolved: plan.unresolved,
    notes: plan.notes,
    reasons: plan.reasons,
  };
  if (plan.venv !== undefined) r.venv = plan.venv;
  if (diff !== '') r.diff = diff;
  return r;
}

function printHuman(r: FixReport, shown: string, plan: FixPlan, ctx: CommandContext, diff: string): void {
  const { io, chalk } = ctx;
  const out: string[] = [];
  if (r.dryRun && diff !== '') out.push(diff.endsWith('\n') ? diff.slice(0, -1) : diff);
  const why = (a: string): string => {
    const s = [...(a === DRIVER_ELEMENT ? ['GPU driver directory /run/opengl-driver/lib'] : []), ...(plan.reasons[a] ?? [])];
    return s.length > 0 ? chalk.dim(` (${s.join(', ')})`) : '';
  };
  if (r.added.length > 0) {
    const verb = r.dryRun ? 'would add' : 'added';
    out.push(`${chalk.green(verb)} to ${shown}${r.createdLibraryPath ? ' (new LD_LIBRARY_PATH)' : ''}:`);
    for (const a of r.added) out.push(`  + ${a}${why(a)}`);
  }
  if (r.present.length > 0) out.push(`already present: ${r.present.join(', ')}`);
  if (r.unplaced.length > 0) {
    out.push(chalk.red('could not place:'));
    for (const u of r.unplaced) out.push(`  ! ${u.attr}: ${u.reason}`);
  }
  if (r.unresolved.length > 0) {
    out.push(chalk.yellow('no attribute for:'));
    for (const u of r.unresolved) out.push(`  ? ${u.soname} (${u.category}): ${u.reason}`);
  }
  for (const n of r.notes) out.push(chalk.dim(`note: ${n.soname}: ${n.note}`));
  if (!r.changed && r.unplaced.length === 0 && r.unresolved.length === 0) {
    out.push(plan.add.length === 0 && !plan.driverPath ? `nothing to add to ${shown}` : `${shown} already covers everything asked for`);
  } else if (!r.changed) {
    out.push(`${shown} unchanged`);
  } else if (r.changed && !r.written) {
    out.push(chalk.dim(`(dry run: ${shown} not written)`));
  }
  io.stdout(out.join('\n') + '\n');
}

export const fixCommand: Command<FixArgs> = {
  command: 'fix',
  describe: 'add the nixpkgs attributes the venv needs (or exactly the --add ones) to the Nix file\'s library list',
  builder: (y: Argv<GlobalArgs>) =>
    y
      .option('flake', { type: 'string', describe: 'Nix file (or directory) to edit; default flake.nix, shell.nix, devenv.nix, default.nix' })
      .option('add', { type: 'string', array: true, describe: 'attribute to add (repeatable); no venv scan' })
      .option('driver', { type: 'boolean', default: false, describe: 'add the GPU driver directory (/run/opengl-driver/lib)' })
      .option('venv', { type: 'string', describe: 'venv to scan (default $VIRTUAL_ENV, else ./.venv)' })
      .option('dry-run', { type: 'boolean', default: false, describe: 'print the diff, write nothing' }) as unknown as Argv<FixArgs>,
  run: async (args, ctx) => {
    const { io } = ctx;
    const file = findNixFile(io.cwd, args.flake);
    const shown = displayPath(io.cwd, file);
    const source = readNixFile(file);
    // Refuse an unparsable file before any scan: exit 2 with FILE:LINE:COL, file untouched.
    nix.parseNix(source, shown);
    const plan = await makePlan(args, ctx, source, shown);
    const outcome = applyPlan(source, shown, plan);
    const diff = outcome.changed ? unifiedDiff(shown, source, outcome.text) : '';
    const dryRun = args['dry-run'];
    let written = false;
    if (outcome.changed && !dryRun) {
      writeFileAtomic(file, outcome.text, { expectCurrent: source });
      written = true;
    }
    const r = report(plan, outcome, file, written, dryRun, diff);
    if (args.json) printJson(io, r);
    else printHuman(r, shown, plan, ctx, dryRun ? unifiedDiff(shown, source, outcome.text, ctx.chalk) : '');
    return r.unplaced.length > 0 || r.unresolved.length > 0 ? 1 : 0;
  },
};
