import { readdirSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { attrPath, nixFileKind, verifyExpr } from './expr.js';
import { nixErrorExcerpt, parseEvalAnswer, type EvalAnswer } from './interpret.js';
import { judgeEvalError, judgeLoad } from './judge.js';
import { evalCall, realiseCall, runNix, type NixRun, type RunNix } from './nix-run.js';
import type { Expectation, VenvJudge, VerifyFailure, VerifyResult } from './types.js';

export type { Expectation, VenvJudge, VerifyFailure, VerifyResult, VerifyStatus, AttrInfo } from './types.js';
export { nixFileKind } from './expr.js';

export interface VerifyRequest {
  /** The user's Nix file (absolute); never written. */
  nixFile: string;
  /** Its text with the proposed change applied. */
  text: string;
  /** The venv to judge (absolute). */
  venv: string;
  /** Dev shell name (`--shell`), `default` unless given. */
  shell: string;
  expected: readonly Expectation[];
  /** Attributes of the Nix file's library list (with the change): evaluated too, so that a
   * failure of a soname the file already covered can name the package. */
  fileAttrs?: readonly string[];
  /** Which of `fileAttrs` is meant to bring a soname nothing in `expected` names, or null. */
  coverOf?: (soname: string) => string | null;
  /** The plan's judgement of a venv, rerun with the shell's library path. */
  judge: VenvJudge;
  env: NodeJS.ProcessEnv;
  /** Nix may draw progress (the user's stderr is a terminal and no --json). */
  tty: boolean;
  /** One-line notices for the user (what is about to happen), e.g. before a download. */
  notice?: (line: string) => void;
  timeouts?: { evalMs?: number; realiseMs?: number };
}

/** Evaluation is seconds for a warm store; realising may download gigabytes (CUDA). */
export const DEFAULT_TIMEOUTS = { evalMs: 180_000, realiseMs: 1_800_000 };

const unavailable = (file: string, reason: string): VerifyResult => ({ status: 'unavailable', libraryPath: [], failures: [{ file, reason }], objects: 0 });

/**
 * What a Nix call that did not succeed means: Nix missing or too slow leaves the question open
 * (unavailable); Nix refusing is an answer (failed, with `failure` saying why).
 */
function stopped(run: Exclude<NixRun, { kind: 'ok' }>, file: string, what: string, failure: (stderr: string) => VerifyFailure, libraryPath: string[]): VerifyResult {
  switch (run.kind) {
    case 'missing':
      return unavailable(file, `${run.command} is not on PATH: --verify needs Nix installed`);
    case 'timeout':
      return unavailable(file, `${what} did not finish within ${Math.round(run.ms / 1000)} s (${run.command} stopped)`);
    case 'failed':
      return { status: 'failed', libraryPath, failures: [failure(run.stderr)], objects: 0 };
  }
}

/**
 * Writes the changed text beside the original under a name no one else uses, evaluates it, and
 * removes it whatever happens (the project is left as it was found).
 */
async function evaluate(req: VerifyRequest, kind: 'flake' | 'shell', run: RunNix): Promise<NixRun | { kind: 'unwritable'; reason: string }> {
  const dir = dirname(req.nixFile);
  const copy = join(dir, `.nixpy-verify-${Buffer.from(crypto.getRandomValues(new Uint8Array(6))).toString('hex')}-${basename(req.nixFile)}`);
  const attrs = attrsToEvaluate(req).map(attrPath);
  // Ctrl-C while Nix evaluates must not leave the copy in the project: remove it, then let the
  // signal do what it would have done. Listening starts before the copy exists.
  const onSignal = (signal: NodeJS.Signals): void => {
    rmSync(copy, { force: true });
    process.kill(process.pid, signal);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    try {
      writeFileSync(copy, req.text, { flag: 'wx', mode: 0o600 });
    } catch (err) {
      return { kind: 'unwritable', reason: `cannot write a temporary copy beside ${req.nixFile}: ${(err as NodeJS.ErrnoException).code ?? String(err)}` };
    }
    const call = evalCall(kind, verifyExpr({ kind, dir, copy, shell: req.shell, attrs }));
    const timeoutMs = req.timeouts?.evalMs ?? DEFAULT_TIMEOUTS.evalMs;
    const r = await run({ ...call, env: req.env, cwd: dir, timeoutMs, progress: false });
    // Nix's message points into the copy: show the user's own file instead.
    return r.kind === 'failed' ? { ...r, stderr: r.stderr.split(copy).join(req.nixFile) } : r;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    rmSync(copy, { force: true });
  }
}

function attrsToEvaluate(req: VerifyRequest): string[] {
  return [...new Set([...req.expected.map((e) => e.attr), ...(req.fileAttrs ?? [])])];
}

/** The expectations, plus the file's own attribute for each missing soname nothing expected. */
function expectationsFor(req: VerifyRequest, missing: readonly string[]): Expectation[] {
  const out = [...req.expected];
  for (const soname of missing) {
    if (out.some((e) => e.soname === soname)) continue;
    const attr = req.coverOf?.(soname) ?? null;
    if (attr !== null) out.push({ soname, attr });
  }
  return out;
}

function libFilesOf(outPath: string): string[] | null {
  try {
    return readdirSync(join(outPath, 'lib'));
  } catch {
    return null;
  }
}

/** The loader model again, with the realised directories as the library path (NixOS glibc). */
async function judgeVenv(req: VerifyRequest, answer: EvalAnswer): Promise<VerifyResult> {
  const scan = await req.judge.scan(req.venv, answer.libraryPath.join(':'));
  const missing = scan.result.missing.filter((m) => m.category !== 'glibc');
  const failures = judgeLoad({
    missing,
    versionFailures: req.judge.versionFailures(scan),
    expected: expectationsFor(req, missing.map((m) => m.soname)),
    attrs: answer.attrs,
    libFiles: libFilesOf,
  });
  return { status: failures.length === 0 ? 'verified' : 'failed', libraryPath: answer.libraryPath, failures, objects: scan.result.objects };
}

/**
 * `--verify`: evaluate the dev shell with the change applied, realise its library path, and run
 * the loader model against the real directories. Nothing in the project is changed.
 */
export async function verifyShell(req: VerifyRequest, run: RunNix = runNix): Promise<VerifyResult> {
  const kind = nixFileKind(req.nixFile);
  if (kind === null) return unavailable(req.nixFile, `--verify evaluates flake.nix, shell.nix or default.nix, not ${basename(req.nixFile)}`);
  const evaluated = await evaluate(req, kind, run);
  if (evaluated.kind === 'unwritable') return unavailable(req.nixFile, evaluated.reason);
  if (evaluated.kind !== 'ok') {
    return stopped(evaluated, req.nixFile, 'evaluating the dev shell', (stderr) => judgeEvalError(req.nixFile, stderr, req.expected), []);
  }
  let answer: EvalAnswer;
  try {
    answer = parseEvalAnswer(evaluated.stdout, attrsToEvaluate(req));
  } catch (err) {
    return unavailable(req.nixFile, `could not read what nix answered: ${(err as Error).message}`);
  }
  if (answer.libraryPath.length === 0) {
    return { status: 'failed', libraryPath: [], failures: [{ file: req.nixFile, reason: `the dev shell "${req.shell}" sets no LD_LIBRARY_PATH or NIX_LD_LIBRARY_PATH` }], objects: 0 };
  }
  if (answer.realise.length > 0) {
    req.notice?.(`Realising ${answer.realise.length} store path(s) of the library path (this may download from your binary caches)`);
    const r = await run({
      ...realiseCall(answer.realise, !req.tty),
      env: req.env,
      cwd: dirname(req.nixFile),
      timeoutMs: req.timeouts?.realiseMs ?? DEFAULT_TIMEOUTS.realiseMs,
      progress: req.tty,
    });
    if (r.kind !== 'ok') {
      const what = 'realising the library path';
      return stopped(r, req.nixFile, what, (stderr) => ({ file: req.nixFile, reason: `${what} failed; nix says:\n${nixErrorExcerpt(stderr)}` }), answer.libraryPath);
    }
  }
  return judgeVenv(req, answer);
}
