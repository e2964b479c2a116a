import type { Command, CommandContext, GlobalArgs } from '../common.js';
import { InputError } from '../../errors.js';
import { printJson } from '../io.js';
import { loadIndex, resolveSoname, type Resolution } from '../../nixpkgs/index.js';

interface ResolveArgs {
  sonames: string[];
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

function render(results: readonly Resolution[], { chalk }: CommandContext): string {
  const lines: string[] = [];
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
    y.positional('sonames', { type: 'string', array: true, demandOption: true, describe: 'sonames, e.g. libz.so.1' }),
  run: async (args: ResolveArgs & GlobalArgs, ctx) => {
    const names = (args.sonames ?? []).map((n) => validate(String(n)));
    if (names.length === 0) throw new InputError('resolve: name at least one soname');
    const index = loadIndex({ indexFile: args.index, env: ctx.io.env });
    const results = names.map((n) => resolveSoname(n, index));
    if (args.json) {
      // `index` is an addition to the contract: which indexes answered.
      const local = index.local === null ? null : { file: index.localFile, ...index.local.provenance };
      printJson(ctx.io, { results, index: { embedded: index.embedded.size, local } });
    }
    else ctx.io.stdout(render(results, ctx));
    return resolutionExitCode(results);
  },
};
