import { normalize } from 'node:path';
import type { ChalkInstance } from 'chalk';
import type { ScanResult } from '../scan/types.js';
import type { Analysis, LibraryItem } from './analysis.js';
import { distributionOf, versionOf, type DistIndex } from '../project/dists.js';
import type { Environment } from '../project/environment.js';
import type { LoaderFinding } from './error-text.js';
import { describeVersionProblem, type VersionProblem } from './symbol-versions.js';

/**
 * The doctor's report: one model (DoctorReport, also the --json document) and its rendering for
 * people. Pure: the command builds the model and prints what these functions return.
 */

export type InputSource = 'scan' | 'stdin' | 'command';

export interface PatchReport {
  /** The Nix file the patch is for (absolute). */
  file: string;
  /** Attributes the patch adds, in order. */
  add: string[];
  /** The patch puts the driver directory on the library path. */
  driverPath: boolean;
  /** Unified diff; '' when nothing changes. */
  diff: string;
  changed: boolean;
  /** --fix wrote it. */
  applied: boolean;
  /** What the patcher could not place, and why (no list found and none could be created, ...). */
  unplaced: { attr: string; reason: string }[];
  /** The patch creates LD_LIBRARY_PATH in a shell that had none. */
  createdLibraryPath: boolean;
}

export interface DistributionGroup {
  name: string;
  version: string | null;
  libraries: { soname: string; category: LibraryItem['category']; files: string[] }[];
}

/** `nixpy doctor --json` (documented in docs/json.md). Fields may be added, never renamed. */
export interface DoctorReport {
  project: string;
  venv: string;
  nixFile: string | null;
  config: string | null;
  environment: Environment & { summary: string };
  input: {
    source: InputSource;
    command: string[] | null;
    exitCode: number | null;
    findings: LoaderFinding[];
  };
  /** For each library the error names: what to do about it, in one sentence. */
  focus: { soname: string; verdict: string }[];
  /** Missing libraries grouped by the Python distribution whose files need them. */
  results: DistributionGroup[];
  /** Every missing library once, with its candidates, pick and whether the Nix file covers it. */
  libraries: LibraryItem[];
  ignored: string[];
  unknown: { soname: string; nixLocate: string }[];
  versionProblems: VersionProblem[];
  nix: { file: string; attrs: string[]; driverPath: boolean; hasLibraryPath: boolean; covers: { attr: string; sonames: string[] }[] } | null;
  patch: PatchReport | null;
  /** How to reload the shell after the Nix file changed, or null. */
  reload: string | null;
  /** The command that applies the patch (`nixpy doctor ... --fix`). */
  fixCommand: string;
  /** Number of problems found; the exit code is 1 when it is not 0. */
  problems: number;
  scan: ScanResult;
}

const SITE_PACKAGES_PREFIX = /^lib(?:64)?\/(?:python|pypy)[^/]*\/(?:site|dist)-packages\//;

/** Venv-relative paths as people read them: without the `lib/python3.X/site-packages/` part. */
export function shortPath(p: string): string {
  return p.replace(SITE_PACKAGES_PREFIX, '');
}

export function nixLocateCommand(soname: string): string {
  return `nix-locate --top-level --whole-name lib/${soname}`;
}

export const NOT_IN_SCAN = '(loaded at run time)';

export function groupResults(items: readonly LibraryItem[], dists: DistIndex): DistributionGroup[] {
  const groups = new Map<string, DistributionGroup>();
  const groupFor = (name: string): DistributionGroup => {
    let g = groups.get(name);
    if (!g) {
      g = { name, version: name === NOT_IN_SCAN ? null : versionOf(name, dists), libraries: [] };
      groups.set(name, g);
    }
    return g;
  };
  for (const it of items) {
    if (it.neededBy.length === 0) {
      groupFor(NOT_IN_SCAN).libraries.push({ soname: it.soname, category: it.category, files: [] });
      continue;
    }
    const byDist = new Map<string, string[]>();
    for (const f of it.neededBy) {
      const d = distributionOf(f, dists);
      byDist.set(d, [...(byDist.get(d) ?? []), f]);
    }
    for (const [d, files] of byDist) groupFor(d).libraries.push({ soname: it.soname, category: it.category, files: files.sort() });
  }
  const out = [...groups.values()];
  for (const g of out) g.libraries.sort((a, b) => a.soname.localeCompare(b.soname));
  // Distributions with an error-named library first, then alphabetical; run-time loads last.
  const focus = new Set(items.filter((i) => i.fromError).map((i) => i.soname));
  const rank = (g: DistributionGroup): number => (g.libraries.some((l) => focus.has(l.soname)) ? 0 : g.name === NOT_IN_SCAN ? 2 : 1);
  return out.sort((a, b) => rank(a) - rank(b) || a.name.toLowerCase().localeCompare(b.name.toLowerCase()));
}

/** Problems that make the exit code 1 (see docs/json.md): what the user must still act on. */
export function countProblems(a: Analysis, coveredAfterFix: (it: LibraryItem) => boolean): number {
  let n = 0;
  for (const it of a.items) {
    if (it.category === 'package' || it.category === 'driver') {
      if (!coveredAfterFix(it)) n++;
    } else if (it.category === 'unknown') n++;
    else if (it.category === 'venv' && it.fromError) n++;
  }
  return n + a.versionProblems.length;
}

/** One sentence on what to do about a library the error names (the "focus" of the report). */
export function verdictFor(it: LibraryItem, nixFileName: string | null, reload: string | null): string {
  const file = nixFileName ?? 'the Nix file';
  if (it.errorPath) {
    // ld.so names the path itself only when that file cannot be opened: it is not there.
    return `the program asked for the exact path ${it.errorPath}, and no file is there: the package that should ship it is incomplete or was built for another setup; reinstall it (\`uv sync --reinstall\`).`;
  }
  switch (it.category) {
    case 'package':
      if (it.covered) return `${file} already has ${it.coveredBy}, but this shell has not loaded it: ${reload ?? 'reload the shell'}.`;
      if (!it.pick) return 'no attribute known for it.';
      return nixFileName ? `ships in \`pkgs.${it.pick}\`, which ${file} does not list yet: the change is below.` : `ships in \`pkgs.${it.pick}\`; there is no Nix file yet (\`nixpy init\`).`;
    case 'driver':
      return it.covered
        ? `a GPU driver library; ${file} has the driver path, so the driver itself is missing: enable it on the NixOS host (hardware.graphics, hardware.nvidia).`
        : `a GPU driver library: it comes from /run/opengl-driver/lib, which ${file} does not put on the library path yet: the change is below.`;
    case 'venv':
      return `shipped inside the venv (${(it.providedBy ?? []).map(shortPath).join(', ')}) but not on the search path of what loads it: import the package that ships it first, or put its directory on LD_LIBRARY_PATH.`;
    case 'unknown':
      return `nixpy knows no nixpkgs attribute for it: try \`${nixLocateCommand(it.soname)}\`.`;
    case 'glibc':
      return it.note ?? 'provided by glibc.';
  }
}

interface RenderContext {
  chalk: ChalkInstance;
  /** Display form of a path (relative to the working directory when inside it). */
  show: (abs: string) => string;
  nixFileName: string | null;
  inNixShell: boolean;
}

function itemLine(it: LibraryItem, files: string[], r: RenderContext, onPath: boolean): string[] {
  const { chalk } = r;
  const out: string[] = [];
  const name = chalk.bold(it.soname.padEnd(18));
  const fileName = r.nixFileName ?? 'the Nix file';
  switch (it.category) {
    case 'package':
      if (it.covered) {
        out.push(
          `${name} ${chalk.green('covered')} by ${chalk.cyan(it.coveredBy ?? '')} in ${fileName}` +
            (onPath ? '' : chalk.dim(` (not on the current library path: ${r.inNixShell ? 'reload' : 'enter'} the dev shell)`)),
        );
      } else if (it.pick) {
        out.push(`${name} ${chalk.yellow('add')} ${chalk.cyan(it.pick)}${it.why ? chalk.dim(` — ${it.why}`) : ''}`);
        const alts = it.candidates.slice(1, 4).map((c) => c.attr);
        if (alts.length > 0) out.push(`${' '.repeat(19)}${chalk.dim(`also provided by ${alts.join(', ')}`)}`);
      }
      break;
    case 'driver':
      out.push(
        it.covered
          ? `${name} ${chalk.green('covered')} by the driver path in ${fileName}`
          : `${name} ${chalk.yellow('GPU driver')}: comes from /run/opengl-driver/lib, not from a package; add the driver path (addDriverRunpath.driverLink) to the library path`,
      );
      break;
    case 'venv':
      out.push(
        `${name} ${chalk.magenta('in the venv')} at ${(it.providedBy ?? []).map(shortPath).join(', ')}, ` +
          'but not on the search path of the files that need it (it resolves only when preloaded, e.g. by importing its package first)',
      );
      break;
    case 'unknown':
      out.push(`${name} ${chalk.red('unknown')}: nixpy knows no nixpkgs attribute that ships it. Try:`);
      out.push(`${' '.repeat(21)}${nixLocateCommand(it.soname)}`);
      out.push(`${' '.repeat(19)}or build the full index once (needs nix-index): nixpy index build`);
      break;
    case 'glibc':
      out.push(`${name} ${chalk.dim('glibc')}: ${it.note ?? 'provided by glibc'}`);
      break;
  }
  if (it.category !== 'unknown' && it.category !== 'glibc' && it.note && it.category !== 'venv' && it.category !== 'driver') {
    out.push(`${' '.repeat(19)}${chalk.dim(it.note)}`);
  }
  if (files.length > 0) {
    const shown = files.slice(0, 3).map(shortPath);
    const more = files.length > 3 ? ` and ${files.length - 3} more` : '';
    out.push(`${' '.repeat(19)}${chalk.dim(`needed by ${shown.join(', ')}${more}`)}`);
  } else if (it.notInScan) {
    out.push(`${' '.repeat(19)}${chalk.dim('no file in the venv lists it in DT_NEEDED: it is loaded at run time (dlopen), which a scan cannot see')}`);
  }
  return out;
}

export interface RenderOptions {
  chalk: ChalkInstance;
  show: (abs: string) => string;
  /** Sonames the current library path resolves (so "covered" can say whether it is loaded). */
  onCurrentPath?: (soname: string) => boolean;
}

export function renderDoctor(report: DoctorReport, o: RenderOptions): string {
  const { chalk, show } = o;
  const lines: string[] = [];
  const nixFileName = report.nixFile ? show(report.nixFile) : null;
  const rc: RenderContext = { chalk, show, nixFileName, inNixShell: report.environment.nixShell !== null };
  lines.push(chalk.bold('nixpy doctor'));
  lines.push(`  ${report.environment.summary}`);
  lines.push(`  venv:     ${show(report.venv)} (${report.scan.objects} objects${report.scan.skipped.length > 0 ? `, ${report.scan.skipped.length} skipped` : ''})`);
  if (report.nix) {
    const attrs = report.nix.attrs.length > 0 ? report.nix.attrs.join(', ') : 'empty';
    lines.push(`  Nix file: ${show(report.nix.file)} (library list: ${attrs}${report.nix.driverPath ? '; driver path' : ''})`);
  } else {
    lines.push('  Nix file: none (no flake.nix, shell.nix or devenv.nix; `nixpy init` writes one)');
  }
  if (report.config) lines.push(`  config:   ${show(report.config)} [tool.nixpy]`);
  lines.push('');

  if (report.input.source !== 'scan') {
    const what = report.input.source === 'command' ? `\`${report.input.command?.join(' ') ?? ''}\`` : 'the pasted text';
    if (report.input.findings.length === 0) {
      lines.push(`No loader error found in ${what}${report.input.exitCode !== null ? ` (exit code ${report.input.exitCode})` : ''}; showing the whole venv.`);
    } else {
      lines.push(`From ${what}:`);
      for (const f of report.input.findings) lines.push(`  ${chalk.red(f.line.length > 160 ? f.line.slice(0, 157) + '...' : f.line)}`);
      for (const f of report.focus) lines.push(`  ${chalk.bold('→')} ${chalk.bold(f.soname)}: ${f.verdict}`);
    }
    lines.push('');
  }

  if (report.libraries.length === 0) {
    lines.push(
      report.versionProblems.length > 0
        ? 'No missing libraries, but some are found in a version too old (below).'
        : chalk.green('No missing libraries: every object in the venv finds what it needs under this model.'),
    );
  } else {
    lines.push(chalk.bold('Missing libraries, by Python distribution:'));
    const bySoname = new Map(report.libraries.map((l) => [l.soname, l]));
    for (const g of report.results) {
      lines.push('');
      lines.push(`  ${chalk.bold(g.name)}${g.version ? ` ${g.version}` : ''}`);
      for (const lib of g.libraries) {
        const it = bySoname.get(lib.soname);
        if (!it) continue;
        const onPath = o.onCurrentPath ? o.onCurrentPath(it.soname) : false;
        for (const l of itemLine(it, lib.files, rc, onPath)) lines.push(`    ${l}`);
      }
    }
  }
  if (report.ignored.length > 0) {
    lines.push('');
    lines.push(chalk.dim(`Ignored ([tool.nixpy] ignore): ${report.ignored.join(', ')}`));
  }

  if (report.versionProblems.length > 0) {
    lines.push('');
    lines.push(chalk.bold('Symbol versions the loader will refuse:'));
    for (const p of report.versionProblems) {
      const libraryPath = p.libraryPath.startsWith('/') ? show(normalize(p.libraryPath)) : p.libraryPath;
      lines.push(`  ${chalk.red(describeVersionProblem({ ...p, neededBy: shortPath(p.neededBy), libraryPath }))}`);
      lines.push(`    ${chalk.dim('way out:')} ${p.advice}`);
    }
  }

  if (report.nix && report.nix.covers.length > 0) {
    lines.push('');
    lines.push(
      `${nixFileName} already covers: ` +
        report.nix.covers.map((c) => `${c.attr} (${c.sonames.join(', ')})`).join('; '),
    );
  }

  const p = report.patch;
  if (p) {
    lines.push('');
    if (p.applied && p.changed) {
      const what = [...p.add, ...(p.driverPath ? ['the driver path'] : [])];
      lines.push(chalk.green(`Updated ${show(p.file)}: added ${what.join(', ')}.`));
      if (report.reload) lines.push(`Now ${report.reload} so the shell picks it up.`);
    } else if (p.changed) {
      lines.push(chalk.bold(`The change to ${show(p.file)}:`));
      lines.push(p.diff.trimEnd());
      lines.push('');
      lines.push(`Apply it with ${chalk.cyan(report.fixCommand)}, then ${report.reload ?? 'reload the shell'}.`);
    } else if (p.add.length > 0 || p.driverPath) {
      lines.push(`${show(p.file)} needs no change for the libraries nixpy can place.`);
    }
    if (p.unplaced.length > 0) {
      for (const u of p.unplaced) lines.push(chalk.yellow(`Could not place ${u.attr} in ${show(p.file)}: ${u.reason}; add it by hand.`));
    }
  } else if (!report.nix) {
    const addable = report.libraries.filter((l) => l.pick && !l.covered).map((l) => l.pick);
    if (addable.length > 0) {
      lines.push('');
      lines.push(`No Nix file to patch. ${chalk.cyan('nixpy init')} writes a flake.nix with these libraries: ${[...new Set(addable)].join(', ')}.`);
    }
  }

  lines.push('');
  const venvOnly = report.libraries.filter((l) => l.category === 'venv' && !l.fromError).length;
  const warning =
    venvOnly > 0
      ? ` ${venvOnly} ${venvOnly === 1 ? 'library ships' : 'libraries ship'} in the venv off the search path: harmless only if preloaded (see above).`
      : '';
  lines.push(
    (report.problems === 0
      ? chalk.green('Nothing left to fix.')
      : `${report.problems} problem${report.problems === 1 ? '' : 's'} ${report.patch?.applied ? 'left' : 'found'}.`) + warning,
  );
  return lines.join('\n') + '\n';
}
