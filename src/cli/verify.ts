import type { Argv } from 'yargs';
import type { ChalkInstance } from 'chalk';
import { readNixFile } from '../nix/files.js';
import { describeVersionProblem, versionProblemsFromScan } from '../plan/symbol-versions.js';
import { verifyShell, type Expectation, type VenvJudge, type VerifyResult } from '../verify/index.js';
import type { Engine } from '../plan/engine.js';
import type { Io } from './io.js';

/**
 * `--verify [--shell NAME]` for doctor and check: the options, the call into src/verify, the
 * text rendering and the exit-code rule (0 only when verified). Kept apart from the commands so
 * their own code changes by a few lines.
 */

export interface VerifyArgs {
  verify: boolean;
  shell: string;
}

export function verifyOptions<T>(y: Argv<T>): Argv<T & VerifyArgs> {
  return y
    .option('verify', {
      type: 'boolean',
      default: false,
      describe: "ask Nix: evaluate the dev shell (with the change applied), realise its library path, and load every extension module against it; exit 0 only when all resolve",
    })
    .option('shell', { type: 'string', default: 'default', describe: 'with --verify: the dev shell to evaluate (devShells.<system>.NAME)' }) as unknown as Argv<
    T & VerifyArgs
  >;
}

export interface VerifyTarget {
  nixFile: string | null;
  /** The Nix file's text with the proposed change applied; null: the file as it is. */
  text: string | null;
  venv: string;
  /** What each picked attribute is meant to bring (libraries with a pick). */
  libraries: readonly { soname: string; pick: string | null }[];
}

/** The plan's judgement of a venv, for verify to rerun: NixOS's loader model with the shell's
 * library path, version refusals included. */
export function venvJudge(engine: Engine): VenvJudge {
  return {
    scan: (venv, ldLibraryPath) => engine.scan(venv, { env: 'nixos', ldLibraryPath }),
    // The scan's own version refusals (the loader model checks DT_VERNEED against DT_VERDEF).
    versionFailures: (report) =>
      versionProblemsFromScan(report.result.versionErrors, report.versionDefinitions).map((p) => ({
        file: p.neededBy,
        soname: p.soname,
        reason: `${describeVersionProblem(p)}; ${p.advice}`,
      })),
  };
}

/**
 * The attribute of the Nix file's list that is meant to bring a soname: the resolver's candidate
 * that one of the listed attributes covers (so a failure names the package the user has).
 */
function coverIn(engine: Engine, attrs: readonly string[]): (soname: string) => string | null {
  return (soname) => {
    const candidates = engine.resolve(soname, { venvProviders: [], preferAttrs: attrs }).candidates;
    return attrs.find((a) => candidates.some((c) => engine.covers(a, c.attr, soname))) ?? null;
  };
}

export async function runVerify(
  target: VerifyTarget,
  args: VerifyArgs & { json: boolean },
  io: Io,
  engine: Engine,
): Promise<VerifyResult> {
  if (target.nixFile === null) {
    return { status: 'unavailable', libraryPath: [], objects: 0, failures: [{ file: target.venv, reason: 'no Nix file to verify' }] };
  }
  const expected: Expectation[] = target.libraries.flatMap((l) => (l.pick !== null ? [{ soname: l.soname, attr: l.pick }] : []));
  const tty = io.isTTY && !args.json;
  const text = target.text ?? readNixFile(target.nixFile);
  const fileAttrs = engine.lists(text, target.nixFile).attrs;
  return verifyShell({
    nixFile: target.nixFile,
    text,
    venv: target.venv,
    shell: args.shell,
    expected,
    fileAttrs,
    coverOf: coverIn(engine, fileAttrs),
    judge: venvJudge(engine),
    env: io.env,
    tty,
    notice: (line) => io.stderr(`${line}\n`),
  });
}

/** 0 only when verified; otherwise the command's own non-zero code, or 1. */
export function verifiedExitCode(code: number, v: VerifyResult): number {
  if (v.status === 'verified') return code;
  return code === 0 ? 1 : code;
}

export function renderVerify(v: VerifyResult, chalk: ChalkInstance, show: (p: string) => string): string {
  const indent = (s: string): string => s.split('\n').join('\n      ');
  if (v.status === 'verified') {
    return `${chalk.green('verified')}: all ${v.objects} extension modules resolve in the new shell (${v.libraryPath.length} library directories realised)\n`;
  }
  const head = v.status === 'failed' ? chalk.red('verify failed') : chalk.yellow('verify unavailable');
  const lines = v.failures.map((f) => `  ${f.file.startsWith('/') ? show(f.file) : f.file}${f.soname ? ` (${f.soname})` : ''}:\n      ${indent(f.reason)}`);
  return `${head}:\n${lines.join('\n')}\n`;
}
