import type { ChalkInstance } from 'chalk';
import stringWidth from 'string-width';
import { DRIVER_ELEMENT } from '../../nixpkgs/attrs.js';
import type { CheckMissing, CheckReport } from '../../plan/check.js';
import { nixLocateCommand } from '../../plan/report.js';
import { shortPath } from '../../project/dists.js';
import { familyRows } from './families.js';
import { staleIgnore, wrapLine } from './text.js';

export interface CheckRenderOptions {
  chalk: ChalkInstance;
  show: (p: string) => string;
  /** Terminal width: each row fits it (the file that needs a library is cut first). */
  width: number;
}

/**
 * The short list `check` prints on failure (nothing on success): one row per soname, families
 * collapsed (`libopencv_*.so.406 ×48`), each explanation once, and the command that fixes it.
 */
export function renderCheck(r: CheckReport, o: CheckRenderOptions): string {
  if (r.ok) return '';
  const { chalk, show } = o;
  const lines: string[] = [wrapLine(`nixpy check: ${show(r.nixFile)} does not cover the native libraries of ${show(r.venv)}:`, o.width)];
  const rows = familyRows(
    r.missing.map((m) => ({ soname: m.soname, files: m.neededBy, action: actionOf(m, chalk) })),
    false,
  );
  const labelWidth = Math.min(28, Math.max(10, ...rows.map((row) => row.label.length)));
  for (const row of rows) {
    const head = `  ${row.label.padEnd(labelWidth)}  ${row.action}`;
    const room = o.width - stringWidth(head);
    lines.push(room < 0 ? wrapLine(head, o.width) : head + whoFits(row.files, room, chalk));
  }
  for (const x of r.extraMissing) lines.push(wrapLine(`  ${'(extra)'.padEnd(labelWidth)}  add ${chalk.cyan(x)}  ${chalk.dim('([tool.nixpy] extra)')}`, o.width));
  const unknown = r.missing.find((m) => m.category === 'unknown');
  if (unknown) {
    const hint = `unknown: find an attribute with \`${nixLocateCommand(unknown.soname)}\`, or list it under [tool.nixpy] ignore (globs work)`;
    lines.push(chalk.dim(wrapLine(hint, o.width)));
  }
  if (r.ignoreUnused.length > 0) lines.push(chalk.yellow(wrapLine(staleIgnore(r.ignoreUnused), o.width)));
  if (r.command) lines.push(wrapLine(`Fix: ${chalk.bold(r.command)}`, o.width));
  // Rows were made to fit above (the file that needs it is cut first).
  return lines.join('\n') + '\n';
}

function actionOf(m: CheckMissing, chalk: ChalkInstance): string {
  if (m.category === 'package') return `add ${chalk.cyan(m.attr ?? '?')}`;
  if (m.category === 'driver') return `add the GPU driver path (${DRIVER_ELEMENT})`;
  return chalk.red('unknown');
}

/** `  (first file +N)` when it fits in `room` columns, shortened or left out when not. */
function whoFits(files: readonly string[], room: number, chalk: ChalkInstance): string {
  if (files.length === 0) return '';
  const more = files.length > 1 ? ` +${files.length - 1}` : '';
  const first = shortPath(files[0]!);
  const full = `  (${first}${more})`;
  if (full.length <= room) return chalk.dim(full);
  const base = first.slice(first.lastIndexOf('/') + 1);
  const short = `  (${base}${more})`;
  return short.length <= room ? chalk.dim(short) : '';
}
