import { statSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import type { ChalkInstance } from 'chalk';
import { InputError } from '../../errors.js';
import type { Category, MissingSoname, ScanResult } from '../../scan/types.js';
import { ldLibraryPathOf, type Command } from '../common.js';
import { printJson, type Io } from '../io.js';

interface ScanArgs {
  venv: string | undefined;
}

/** The venv to scan: the argument, else $VIRTUAL_ENV, else ./.venv (relative to io.cwd). */
export function venvRoot(arg: string | undefined, io: Io): string {
  const given = arg ?? (io.env.VIRTUAL_ENV ? io.env.VIRTUAL_ENV : undefined);
  const path = given === undefined ? join(io.cwd, '.venv') : isAbsolute(given) ? given : resolve(io.cwd, given);
  let isDir: boolean;
  try {
    isDir = statSync(path).isDirectory();
  } catch {
    const hint = given === undefined ? ' (pass VENV, or activate a venv to set $VIRTUAL_ENV)' : '';
    throw new InputError(`no venv at ${path}${hint}`);
  }
  if (!isDir) throw new InputError(`not a directory: ${path}`);
  return path;
}

/** Lists at most `max` items, then "and N more". */
export function truncateList(items: readonly string[], max: number): string {
  if (items.length <= max) return items.join(', ');
  return `${items.slice(0, max).join(', ')} and ${items.length - max} more`;
}

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

/** The human report: what is missing and who needs it, then what was skipped. */
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
  if (r.skipped.length > 0) {
    out.push('', c.dim('skipped (not loadable here):'));
    const shown = r.skipped.slice(0, 10);
    for (const s of shown) out.push(c.dim(`  ${s.path}: ${s.reason}`));
    if (r.skipped.length > shown.length) out.push(c.dim(`  and ${r.skipped.length - shown.length} more`));
  }
  return out.join('\n') + '\n';
}

export const scanCommand: Command<ScanArgs> = {
  command: 'scan [venv]',
  describe: 'list the native libraries a venv needs that the loader will not find',
  builder: (y) =>
    y.positional('venv', { type: 'string', describe: 'venv directory (default: $VIRTUAL_ENV, else ./.venv)' }) as never,
  run: async (args, { io, chalk }) => {
    const root = venvRoot(args.venv, io);
    const ldLibraryPath = ldLibraryPathOf(args, io);
    // Loaded on use: the scanner pulls in fast-glob and the loader model, which the other
    // commands' start-up need not pay for.
    const { scanVenv } = await import('../../scan/index.js');
    const report = await scanVenv(root, ldLibraryPath === undefined ? { env: args.env } : { env: args.env, ldLibraryPath });
    if (args.json) printJson(io, report.result);
    else io.stdout(formatScan(report.result, chalk));
    return report.result.missing.length > 0 ? 1 : 0;
  },
};
