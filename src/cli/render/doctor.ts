import { normalize } from 'node:path';
import type { ChalkInstance } from 'chalk';
import { DRIVER_ELEMENT, DRIVER_LIB_DIR } from '../../nixpkgs/attrs.js';
import { shortPath } from '../../project/dists.js';
import type { DistributionGroup, DoctorReport } from '../../plan/report.js';
import { nixLocateCommand } from '../../plan/report.js';
import { describeVersionProblem } from '../../plan/symbol-versions.js';
import { familyRows } from './families.js';
import { staleIgnore, truncateList, wrapLine } from './text.js';

/**
 * The doctor's report for people: the answer to the pasted error first, then the missing
 * libraries by distribution with families collapsed (`libopencv_*.so.406 ×49`), each hint once
 * at the end, the change, and what to do next. Lines are wrapped to the terminal; `--verbose`
 * lists everything the concise form collapses (`--json` always has it all).
 */
export interface RenderOptions {
  chalk: ChalkInstance;
  /** Display form of a path (relative to the working directory when inside it). */
  show: (abs: string) => string;
  /** Terminal width; 80 when unknown. */
  width: number;
  verbose: boolean;
}

/** Rows shown per distribution before "N more" in the concise form. */
const ROWS_PER_DIST = 6;
/** Distributions shown before "N more" in the concise form. */
const DISTS_SHOWN = 8;

type Hint = 'unknown' | 'driver' | 'venv' | 'shell' | 'runtime';

export function renderDoctor(report: DoctorReport, o: RenderOptions): string {
  const { chalk } = o;
  const out: Out = [];
  const hints = new Set<Hint>();
  header(report, o, out);
  focus(report, o, out);
  libraries(report, o, out, hints);
  if (report.ignored.length > 0) out.push('', chalk.dim(`Ignored ([tool.nixpy] ignore): ${truncateList(report.ignored, o.verbose ? Infinity : 6)}`));
  if (report.ignoreUnused.length > 0) out.push('', chalk.yellow(staleIgnore(report.ignoreUnused)));
  for (const t of report.typelibs) out.push('', `${chalk.bold(t.dist)} ${chalk.yellow('needs GObject-introspection typelibs')}: ${t.note}`);
  versions(report, o, out);
  change(report, o, out);
  hintLines(report, o, out, hints);
  out.push('', verdict(report, chalk));
  return out.map((l) => (typeof l === 'string' ? wrapLine(l, o.width) : l.text)).join('\n') + '\n';
}

/** Text shown as it is (a diff: wrapping would corrupt what the user copies). */
interface Preformatted {
  text: string;
}

type Out = (string | Preformatted)[];

function header(report: DoctorReport, o: RenderOptions, out: Out): void {
  const { chalk, show } = o;
  out.push(chalk.bold('nixpy doctor'), `  ${report.environment.summary}`);
  const skipped = report.scan.skipped.length > 0 ? `, ${report.scan.skipped.length} skipped` : '';
  out.push(`  venv:     ${show(report.venv)} (${report.scan.objects} objects${skipped})`);
  if (report.nix) {
    const attrs = report.nix.attrs.length > 0 ? truncateList(report.nix.attrs, o.verbose ? Infinity : 5) : 'empty';
    out.push(`  Nix file: ${show(report.nix.file)} (library list: ${attrs}${report.nix.driverPath ? '; driver path' : ''})`);
  } else {
    out.push('  Nix file: none (no flake.nix, shell.nix or devenv.nix; `nixpy init` writes one)');
  }
  if (report.config) out.push(`  config:   ${show(report.config)} [tool.nixpy]`);
  out.push(`  nixpkgs:  ${report.nixpkgs.release} (${report.nixpkgs.reason})`);
  const py = report.interpreter;
  if (py.kind === 'foreign') {
    const via = py.via === 'nix-ld' ? `, through nix-ld: its libraries come from ${py.sink}` : '';
    out.push(`  python:   not from /nix/store (${py.home ?? 'no home in pyvenv.cfg'})${via}`);
  }
  if (py.machine !== 'x86_64') out.push(`  machine:  ${py.machine} (the loader of bin/python's machine is modelled)`);
  for (const w of py.warnings) out.push(`  ${o.chalk.yellow(w)}`);
}

function focus(report: DoctorReport, o: RenderOptions, out: Out): void {
  if (report.input.source === 'scan') return;
  const { chalk } = o;
  const what = report.input.source === 'command' ? `\`${report.input.command?.join(' ') ?? ''}\`` : 'the pasted text';
  out.push('');
  if (report.input.findings.length === 0) {
    const code = report.input.exitCode !== null ? ` (exit code ${report.input.exitCode})` : '';
    out.push(`No loader error found in ${what}${code}; showing the whole venv.`);
    return;
  }
  out.push(chalk.bold(`From ${what}:`));
  for (const f of report.input.findings) out.push(`  ${chalk.red(f.line.length > 160 ? f.line.slice(0, 157) + '...' : f.line)}`);
  for (const f of report.focus) out.push(`  ${chalk.bold('→')} ${chalk.bold(f.soname)}: ${f.verdict}`);
  for (const f of report.input.findings) {
    if (f.kind !== 'missing-typelib') continue;
    const typelib = `${f.namespace}-${f.version ?? '*'}.typelib`;
    out.push(
      `  ${chalk.bold('→')} ${chalk.bold(f.namespace)}: a GObject-introspection typelib, found through GI_TYPELIB_PATH, not the library path: ` +
        `put the lib/girepository-1.0 of the package that ships ${typelib} on GI_TYPELIB_PATH in the dev shell ` +
        `(\`nix-locate --whole-name ${typelib}\` names it; nixpy does not edit that variable)`,
    );
  }
}

function libraries(report: DoctorReport, o: RenderOptions, out: Out, hints: Set<Hint>): void {
  const { chalk } = o;
  out.push('');
  if (report.libraries.length === 0) {
    out.push(
      report.versionProblems.length > 0
        ? 'No missing libraries, but some are found in a version too old (below).'
        : chalk.green('No missing libraries: every object in the venv finds what it needs under this model.'),
    );
    return;
  }
  const dists = report.results.length;
  out.push(chalk.bold(`Missing libraries: ${report.libraries.length}, needed by ${dists} ${dists === 1 ? 'distribution' : 'distributions'}:`));
  const shownDists = o.verbose ? report.results : report.results.slice(0, DISTS_SHOWN);
  for (const g of shownDists) distribution(g, report, o, out, hints);
  const hidden = report.results.length - shownDists.length;
  if (hidden > 0) out.push(chalk.dim(`  ... and ${hidden} more ${hidden === 1 ? 'distribution' : 'distributions'} (--verbose lists them)`));
}

function distribution(g: DistributionGroup, report: DoctorReport, o: RenderOptions, out: Out, hints: Set<Hint>): void {
  const { chalk } = o;
  const bySoname = new Map(report.libraries.map((l) => [l.soname, l]));
  out.push('', `  ${chalk.bold(g.name)}${g.version ? ` ${g.version}` : ''}`);
  const rows = familyRows(g.libraries.flatMap((l) => {
    const it = bySoname.get(l.soname);
    return it ? [{ soname: l.soname, files: l.files, action: actionOf(it, hints, chalk) }] : [];
  }), o.verbose);
  const shown = o.verbose ? rows : rows.slice(0, ROWS_PER_DIST);
  const width = Math.min(28, Math.max(...shown.map((r) => r.label.length)));
  for (const r of shown) {
    out.push(`    ${r.label.padEnd(width)}  ${r.action}`);
    if (o.verbose) for (const f of r.files) out.push(chalk.dim(`      needed by ${shortPath(f)}`));
  }
  const hidden = rows.length - shown.length;
  if (hidden > 0) out.push(chalk.dim(`    ... and ${hidden} more (--verbose lists them)`));
}

/** What to do about one library, in a few words; the long explanations become hints. */
function actionOf(it: DoctorReport['libraries'][number], hints: Set<Hint>, chalk: ChalkInstance): string {
  if (it.notInScan && !it.fromError) hints.add('runtime');
  switch (it.category) {
    case 'package':
      if (it.covered) {
        if (!it.onShellPath) hints.add('shell');
        return `${chalk.green('covered')} by ${chalk.cyan(it.coveredBy ?? '')}${it.onShellPath ? '' : chalk.dim(' (not in this shell yet)')}`;
      }
      return it.pick ? `${chalk.yellow('add')} ${chalk.cyan(it.fixedBy ?? it.pick)}` : chalk.red('no attribute known');
    case 'driver':
      hints.add('driver');
      return it.covered ? `${chalk.green('covered')} by the driver path` : chalk.yellow('GPU driver: add the driver path');
    case 'venv':
      hints.add('venv');
      return `${chalk.magenta('in the venv')} at ${truncateList((it.providedBy ?? []).map(shortPath), 1)}, off the search path`;
    case 'unknown':
      hints.add('unknown');
      return `${chalk.red('unknown')} to nixpy`;
    case 'glibc':
      return chalk.dim(it.note ?? 'provided by glibc');
  }
}

function versions(report: DoctorReport, o: RenderOptions, out: Out): void {
  if (report.versionProblems.length === 0) return;
  const { chalk, show } = o;
  out.push('', chalk.bold('Symbol versions the loader will refuse:'));
  for (const p of report.versionProblems) {
    const libraryPath = p.libraryPath.startsWith('/') ? show(normalize(p.libraryPath)) : p.libraryPath;
    out.push(`  ${chalk.red(describeVersionProblem({ ...p, neededBy: shortPath(p.neededBy), libraryPath }))}`);
    out.push(`    ${chalk.dim('way out:')} ${p.advice}`);
  }
}

function change(report: DoctorReport, o: RenderOptions, out: Out): void {
  const { chalk, show } = o;
  const p = report.patch;
  if (p) {
    out.push('');
    if (p.applied && p.changed) {
      const what = [...p.add, ...(p.driverPath ? ['the driver path'] : [])];
      out.push(chalk.green(`Updated ${show(p.file)}: added ${what.join(', ')}.`));
    } else if (p.changed) {
      out.push(chalk.bold(`The change to ${show(p.file)}:`), { text: p.diff.trimEnd() });
    } else if (p.add.length > 0 || p.driverPath) {
      out.push(`${show(p.file)} needs no change for the libraries nixpy can place.`);
    }
    for (const u of p.unplaced) out.push(chalk.yellow(`Could not place ${u.attr} in ${show(p.file)}: ${u.reason}; add it by hand.`));
    return;
  }
  if (report.nix) return;
  const addable = [...new Set(report.libraries.filter((l) => l.pick && !l.covered).map((l) => l.pick!))];
  if (addable.length > 0) out.push('', `No Nix file to patch. ${chalk.cyan('nixpy init')} writes a flake.nix with these libraries: ${addable.join(', ')}.`);
}

/** Each explanation once, after the list that refers to it. */
function hintLines(report: DoctorReport, o: RenderOptions, out: Out, hints: Set<Hint>): void {
  const { chalk } = o;
  const lines: string[] = [];
  if (hints.has('unknown')) {
    const first = report.unknown[0]?.soname ?? 'libfoo.so.1';
    lines.push(`unknown: no nixpkgs attribute known; find one with \`${nixLocateCommand(first)}\`${report.unknown.length > 1 ? ' (same for the others)' : ''}, or build the full index once with \`nixpy index build\` (needs nix-index); list what comes from elsewhere under [tool.nixpy] ignore.`);
  }
  if (hints.has('driver')) lines.push(`GPU driver: libraries such as libcuda come from the running driver at ${DRIVER_LIB_DIR}, never from a package; the fix puts pkgs.${DRIVER_ELEMENT} on the library path.`);
  if (hints.has('venv')) lines.push('in the venv: another wheel ships it, but not on the search path of what needs it; it resolves only when that wheel is imported first.');
  if (hints.has('shell') && report.reload) lines.push(`not in this shell yet: the Nix file covers it, but the current shell predates that: ${report.reload}.`);
  if (hints.has('runtime')) {
    lines.push('loaded at run time: no file lists it in DT_NEEDED; the distribution opens it itself (ctypes, cffi), as nixpy\'s table of such packages or a call in its sources says ([tool.nixpy] runtime-ignore turns a distribution off).');
    for (const advice of new Set(report.libraries.flatMap((l) => (l.runtimeAdvice ? [l.runtimeAdvice] : [])))) lines.push(`${advice}.`);
  }
  if (lines.length === 0) return;
  out.push('', chalk.bold('Notes:'));
  for (const l of lines) out.push(`  ${l}`);
}

function verdict(report: DoctorReport, chalk: ChalkInstance): string {
  const next =
    report.patch?.applied && report.patch.changed
      ? report.reload ? ` Now ${report.reload} so the shell picks it up.` : ''
      : report.patch?.changed ? ` Apply it with ${chalk.cyan(report.fixCommand)}, then ${report.reload ?? 'reload the shell'}.` : '';
  if (report.problems === 0) return chalk.green('Nothing left to fix.') + next;
  return `${report.problems} problem${report.problems === 1 ? '' : 's'} ${report.patch?.applied ? 'left' : 'found'}.${next}`;
}

