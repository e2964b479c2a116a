import type { ChalkInstance } from 'chalk';
import type { Category, MissingSoname, ScanResult } from '../../scan/types.js';
import { truncateList } from './text.js';


const CATEGORY_HINT: Record<Category, string> = {
  glibc: 'part of glibc',
  driver: 'graphics/GPU driver library, provided by the system driver',
  venv: 'shipped in the venv but not on the search path',
  package: 'provided by a nixpkgs package',
  unknown: 'no known provider',
};

function categoryColor(c: ChalkInstance, category: Category): (s: string) => string {
  switch (category) {
    case 'glibc':
    case 'driver':
      return c.yellow;
    case 'venv':
      return c.magenta;
    case 'package':
      return c.cyan;
    case 'unknown':
      return c.red;
  }
}

function missingLines(m: MissingSoname, c: ChalkInstance): string[] {
  const lines = [`  ${c.bold(m.soname)}  ${categoryColor(c, m.category)(m.category)} ${c.dim(`(${CATEGORY_HINT[m.category]})`)}`];
  lines.push(`    needed by ${truncateList(m.neededBy, 3)}`);
  if (m.providedBy !== undefined && m.providedBy.length > 0) lines.push(`    found at ${truncateList(m.providedBy, 3)}`);
  return lines;
}

/** The human report: what is missing and who needs it, the versions found libraries lack, then
 * what was skipped. */
export function formatScan(r: ScanResult, c: ChalkInstance): string {
  const out: string[] = [];
  const plural = (n: number, w: string): string => `${n} ${w}${n === 1 ? '' : 's'}`;
  out.push(`${c.bold('nixpy scan')} ${r.root} ${c.dim(`(env ${r.env})`)}`);
  out.push(`${plural(r.objects, 'object')} checked, ${plural(r.skipped.length, 'file')} skipped`);
  if (r.missing.length === 0) {
    out.push(c.green('every needed library resolves'));
  } else {
    out.push('', c.red(`${r.missing.length} ${r.missing.length === 1 ? 'library' : 'libraries'} not found:`));
    for (const m of r.missing) out.push(...missingLines(m, c));
  }
  if (r.versionErrors.length > 0) {
    out.push('', c.red(`${plural(r.versionErrors.length, 'symbol version')} not found (the loader refuses the objects that need them):`));
    for (const v of r.versionErrors) out.push(`  ${c.bold(v.version)} of ${v.soname} at ${v.library}`, `    needed by ${v.neededBy}`);
  }
  if (r.skipped.length > 0) {
    out.push('', c.dim('skipped (not loadable here):'));
    const shown = r.skipped.slice(0, 10);
    for (const s of shown) out.push(c.dim(`  ${s.path}: ${s.reason}`));
    if (r.skipped.length > shown.length) out.push(c.dim(`  and ${r.skipped.length - shown.length} more`));
  }
  return out.join('\n') + '\n';
}
