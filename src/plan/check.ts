import { dirname, join, resolve } from 'node:path';
import type { ChalkInstance } from 'chalk';
import { InputError } from '../errors.js';
import type { EnvName } from '../loader/types.js';
import { readNixFile } from '../nix/files.js';
import { analyse } from './analysis.js';
import { buildDistIndex } from '../project/dists.js';
import type { Engine } from './engine.js';
import { locateProject, noVenvError, type ProjectOptions } from '../project/project.js';
import { shortPath } from './report.js';

/**
 * `nixpy check`: does the Nix file's library list cover what the venv needs? It judges the
 * file, not the shell it runs in: the user's LD_LIBRARY_PATH is not used (a stale dev shell
 * must not hide a missing attribute), only an explicit --ld-library-path.
 */
export interface CheckOptions extends ProjectOptions {
  model: EnvName | null;
  ldLibraryPath: string | undefined;
}

export interface CheckMissing {
  soname: string;
  category: 'package' | 'driver' | 'unknown';
  neededBy: string[];
  /** The attribute to add (package), or null. */
  attr: string | null;
}

/** `nixpy check --json`. Fields may be added, never renamed. */
export interface CheckReport {
  ok: boolean;
  venv: string;
  nixFile: string;
  config: string | null;
  env: EnvName;
  /** What the Nix file does not cover. */
  missing: CheckMissing[];
  /** Attributes to add (picks of uncovered sonames, then [tool.nixpy] extra ones the file lacks). */
  add: string[];
  /** The driver directory is needed and absent. */
  driverPath: boolean;
  /** Sonames nixpy cannot map to an attribute (list them under [tool.nixpy] ignore if they come from elsewhere). */
  unknown: string[];
  /** [tool.nixpy] extra attributes absent from the file. */
  extraMissing: string[];
  ignored: string[];
  /** The command that fixes it, or null when ok. */
  command: string | null;
}

function quoteArg(s: string): string {
  return /^[A-Za-z0-9_./:@%+=-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * The command line that fixes what check found: `nixpy fix` (with --flake/--venv when they are
 * not the defaults) for the scanned sonames, and `nixpy fix --add X` for [tool.nixpy] extra
 * attributes, which a scan cannot find.
 */
export function fixCommandFor(
  cwd: string,
  venv: string,
  nixFile: string,
  venvIsDefault: boolean,
  scanFix: boolean,
  extra: readonly string[],
): string {
  const flake =
    dirname(nixFile) !== resolve(cwd) || !/\/(flake|shell|devenv)\.nix$/.test(nixFile) ? ['--flake', quoteArg(rel(cwd, nixFile))] : [];
  const cmds: string[] = [];
  if (scanFix) cmds.push(['nixpy', 'fix', ...flake, ...(venvIsDefault ? [] : ['--venv', quoteArg(rel(cwd, venv))])].join(' '));
  if (extra.length > 0) cmds.push(['nixpy', 'fix', ...flake, ...extra.flatMap((x) => ['--add', quoteArg(x)])].join(' '));
  return cmds.join(' && ');
}

function rel(cwd: string, p: string): string {
  const base = resolve(cwd);
  return p.startsWith(base + '/') ? p.slice(base.length + 1) : p;
}

export async function runCheck(engine: Engine, o: CheckOptions): Promise<CheckReport> {
  const project = await locateProject(o);
  if (project.venv === null) throw noVenvError(project);
  if (project.nixFile === null) {
    throw new InputError(`no Nix file in ${project.root} (flake.nix, shell.nix, devenv.nix); \`nixpy init\` writes one`);
  }
  const model: EnvName = o.model ?? project.config.env ?? 'nixos';
  // Parse the Nix file before the scan: an unparsable file fails fast.
  const source = readNixFile(project.nixFile);
  engine.lists(source, project.nixFile);
  const scan = await engine.scan(project.venv, { env: model, ...(o.ldLibraryPath !== undefined ? { ldLibraryPath: o.ldLibraryPath } : {}) });
  const a = analyse(engine, {
    scan,
    config: project.config,
    nix: { file: project.nixFile, source },
    findings: [],
    dists: buildDistIndex([]),
  });
  const missing: CheckMissing[] = [];
  for (const it of a.items) {
    if (it.covered) continue;
    if (it.category === 'package' || it.category === 'driver' || it.category === 'unknown') {
      missing.push({ soname: it.soname, category: it.category, neededBy: it.neededBy, attr: it.category === 'package' ? it.pick : null });
    }
  }
  const ok = missing.length === 0 && a.extraMissing.length === 0;
  const venvIsDefault = project.venv === join(resolve(o.cwd), '.venv') || project.venvSource === 'VIRTUAL_ENV';
  const fixable = missing.some((m) => m.category !== 'unknown');
  return {
    ok,
    venv: project.venv,
    nixFile: project.nixFile,
    config: project.config.source,
    env: model,
    missing,
    add: a.add,
    driverPath: a.addDriverPath,
    unknown: a.unknown,
    extraMissing: a.extraMissing,
    ignored: a.ignored,
    command:
      fixable || a.extraMissing.length > 0
        ? fixCommandFor(o.cwd, project.venv, project.nixFile, venvIsDefault, fixable, a.extraMissing)
        : null,
  };
}

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
