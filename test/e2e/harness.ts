import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Io } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';

export const REPO = resolve(import.meta.dirname, '../..');
export const DEMO = join(REPO, 'fixtures/demo');
export const ERRORS = join(REPO, 'fixtures/doctor/errors');
export const SYMVER = join(REPO, 'fixtures/doctor/symver');

export interface RunResult {
  code: number;
  out: string;
  err: string;
}

/**
 * Runs the CLI in-process with a fake Io. The environment is empty apart from what the test
 * gives: no $VIRTUAL_ENV or $LD_LIBRARY_PATH of the machine running the tests leaks in.
 */
export async function run(
  argv: string[],
  opts: { cwd?: string; env?: NodeJS.ProcessEnv; stdin?: string | null } = {},
): Promise<RunResult> {
  let out = '';
  let err = '';
  const io: Io = {
    stdout: (t) => {
      out += t;
    },
    stderr: (t) => {
      err += t;
    },
    readStdin: async () => opts.stdin ?? null,
    isTTY: false,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...opts.env },
    cwd: opts.cwd ?? REPO,
  };
  const code = await main(argv, io);
  return { code, out, err };
}

/** A private copy of the demo project (venv, flake, pyproject) in a temporary directory. */
export function copyDemo(): { dir: string; cleanup: () => void } {
  const base = mkdtempSync(join(tmpdir(), 'nixpy-demo-'));
  const dir = join(base, 'demo');
  cpSync(DEMO, dir, { recursive: true, verbatimSymlinks: true });
  return { dir, cleanup: () => rmSync(base, { recursive: true, force: true }) };
}
