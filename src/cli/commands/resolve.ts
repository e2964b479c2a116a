import type { Command, CommandContext, GlobalArgs } from '../common.js';
import { InputError } from '../../errors.js';
import { printJson } from '../io.js';
import { loadIndex, resolveSoname, type Resolution } from '../../nixpkgs/index.js';
import { loadNixpyConfig } from '../../project/pyproject.js';
import { releaseForProject, type NixpkgsRelease } from '../../project/nixpkgs-release.js';
import { findNixFile } from '../../nix/files.js';

interface ResolveArgs {
  sonames: string[];
  nixpkgs: string | undefined;
}

/** The Nix file in `dir`, or null: resolve works without one. */
function nixFileIn(dir: string): string | null {
  try {
    return findNixFile(dir);
  } catch (err) {
    if (err instanceof InputError) return null;
    throw err;
  }
}

/** Exit 1 when some soname has no pick; glibc and driver sonames carry advice instead. */
export function resolutionExitCode(results: readonly Resolution[]): number {
  return results.some((r) => r.category !== 'glibc' && r.category !== 'driver' && r.candidates.length === 0) ? 1 : 0;
}

function validate(name: string): string {
  const s = name.trim();
  if (s === '') throw new InputError('resolve: empty soname');
  if (s.includes('/')) throw new InputError(`resolve: ${JSON.stringify(name)} is a path, not a soname (give e.g. libz.so.1)`);
  if (/\s/.test(s)) throw new InputError(`resolve: ${JSON.stringify(name)} is not a soname`);
  return s;
}

function render(results: readonly Resolution[], nixpkgs: NixpkgsRelease, { chalk }: CommandContext): string {
  const lines: string[] = [chalk.dim(`nixpkgs ${nixpkgs.release}: ${nixpkgs.reason}`)];
  for (const r of results) {
    lines.push(`${chalk.bold(r.soname)}  ${chalk.dim(r.category)}`);
    const [pick, ...rest] = r.candidates;
    if (pick) {
      lines.push(`  ${chalk.green('pkgs.' + pick.attr)}  ${chalk.dim(`${pick.output}:${pick.path}`)}`);
      lines.push(`    why: ${pick.why} [${pick.source}]`);
      for (const c of rest.slice(0, 8)) {
        lines.push(`  also ${c.attr}  ${chalk.dim(`${c.output}:${c.path}`)} — ${c.why} [${c.source}]`);
      }
      if (rest.length > 8) lines.push(chalk.dim(`  ... ${rest.length - 8} more (--json lists all)`));
    } else if (r.category !== 'glibc' && r.category !== 'driver') {
      lines.push(`  ${chalk.red('no candidate')}`);
    }
    if (r.note) lines.push(`  note: ${r.note}`);
  }
  return lines.join('\n') + '\n';
}

export const resolveCommand: Command<ResolveArgs> = {
  command: 'resolve <sonames..>',
  describe: 'ranked nixpkgs candidates for each soname, with the reason for the ranking',
  builder: (y) =>
    y
      .positional('sonames', { type: 'string', array: true, demandOption: true, describe: 'sonames, e.g. libz.so.1' })
      .option('nixpkgs', { type: 'string', describe: 'the nixpkgs release to spell attributes for (YY.MM or unstable; default: from the lock file)' }),
  run: async (args: ResolveArgs & GlobalArgs, ctx) => {
    const names = (args.sonames ?? []).map((n) => validate(String(n)));
    if (names.length === 0) throw new InputError('resolve: name at least one soname');
    const config = await loadNixpyConfig(ctx.io.cwd);
    const nixpkgs = await releaseForProject({ root: ctx.io.cwd, nixFile: nixFileIn(ctx.io.cwd), config }, args.nixpkgs);
    const index = loadIndex({ indexFile: args.index, env: ctx.io.env });
    const results = names.map((n) => resolveSoname(n, index, { release: nixpkgs.release }));
    if (args.json) {
      // `index` and `nixpkgs` are additions to the contract: which indexes answered, and the
      // release the picks are spelled for (issue 8).
      const local = index.local === null ? null : { file: index.localFile, ...index.local.provenance };
      printJson(ctx.io, { results, index: { embedded: index.embedded.size, local }, nixpkgs });
    }
    else ctx.io.stdout(render(results, nixpkgs, ctx));
    return resolutionExitCode(results);
  },
};
