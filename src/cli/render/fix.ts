import type { ChalkInstance } from 'chalk';
import { DRIVER_ELEMENT, DRIVER_LIB_DIR } from '../../nixpkgs/attrs.js';
import type { FixReport } from '../../plan/fix.js';
import { wrapLine } from './text.js';

/**
 * The library-path sources, when they explain a choice: several of them, or one the patch
 * leaves alone (built in another file, a pass-through export) or counts (a nixpkgs bundle).
 */
function sourceLines(r: FixReport, shown: string, chalk: ChalkInstance): string[] {
  const telling = r.sources.length > 1 || r.sources.some((s) => s.role === 'ignored' || s.kind === 'bundle');
  // On a run that changes nothing and places everything there is no choice to explain.
  if (!telling || (!r.changed && r.unplaced.length === 0)) return [];
  return [
    `library path in ${shown}:`,
    ...r.sources.map((s) => chalk.dim(`  line ${s.line}: ${s.kind}, ${s.role}: ${s.reason}`)),
  ];
}

/** What `nixpy fix` prints: the diff on --dry-run, then what was (or would be) added and why. */
export function renderFix(r: FixReport, shown: string, o: { chalk: ChalkInstance; width: number; coloredDiff: string }): string {
  const { chalk } = o;
  const head = r.nixpkgs === undefined ? [] : [wrapLine(chalk.dim(`nixpkgs ${r.nixpkgs.release}: ${r.nixpkgs.reason}`), o.width)];
  const out: string[] = [];
  const why = (a: string): string => {
    const s = [...(a === DRIVER_ELEMENT ? [`GPU driver directory ${DRIVER_LIB_DIR}`] : []), ...(r.reasons[a] ?? [])];
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
  out.push(...sourceLines(r, shown, chalk));
  if (!r.changed && r.unplaced.length === 0 && r.unresolved.length === 0) {
    out.push(r.requested.length === 0 && !r.driverPath ? `nothing to add to ${shown}` : `${shown} already covers everything asked for`);
  } else if (!r.changed) {
    out.push(`${shown} unchanged`);
  } else if (!r.written) {
    out.push(chalk.dim(`(dry run: ${shown} not written)`));
  }
  // The diff is shown as it is: wrapping would corrupt what the user copies.
  const diff = o.coloredDiff === '' ? [] : [o.coloredDiff.trimEnd()];
  return [...head, ...diff, ...out.map((l) => wrapLine(l, o.width))].join('\n') + '\n';
}
