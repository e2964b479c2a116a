import type { ChalkInstance } from 'chalk';
import type { CheckReport } from '../../plan/check.js';
import { shortPath } from '../../project/dists.js';

/** The short list `check` prints on failure (nothing on success). */
export function renderCheck(r: CheckReport, chalk: ChalkInstance, show: (p: string) => string): string {
  if (r.ok) return '';
  const lines: string[] = [];
  lines.push(`nixpy check: ${show(r.nixFile)} does not cover the native libraries of ${show(r.venv)}:`);
  const width = Math.max(...r.missing.map((m) => m.soname.length), 10);
  for (const m of r.missing) {
    const who = m.neededBy.length > 0 ? chalk.dim(`  (${shortPath(m.neededBy[0]!)}${m.neededBy.length > 1 ? ` +${m.neededBy.length - 1}` : ''})`) : '';
    const what =
      m.category === 'package'
        ? `add ${chalk.cyan(m.attr ?? '?')}`
        : m.category === 'driver'
          ? 'add the GPU driver path (addDriverRunpath.driverLink)'
          : `${chalk.red('unknown')} to nixpy: find it with \`nix-locate --top-level --whole-name lib/${m.soname}\`, or list it under [tool.nixpy] ignore`;
    lines.push(`  ${m.soname.padEnd(width)}  ${what}${who}`);
  }
  for (const x of r.extraMissing) lines.push(`  ${'(extra)'.padEnd(width)}  add ${chalk.cyan(x)}  ${chalk.dim('([tool.nixpy] extra)')}`);
  if (r.command) lines.push(`Fix: ${chalk.bold(r.command)}`);
  return lines.join('\n') + '\n';
}
