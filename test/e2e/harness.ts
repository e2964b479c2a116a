import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { recordingIo } from '../helpers/io.js';
import { main } from '../../src/cli/main.js';
import { loadIndex, resolveSoname } from '../../src/nixpkgs/index.js';

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
 * Runs the CLI in-process with a fake Io. The environment holds only PATH and HOME apart from
 * what the test gives: no $VIRTUAL_ENV or $LD_LIBRARY_PATH of the machine running the tests
 * leaks in.
 */
export async function run(
  argv: string[],
  opts: { cwd?: string; env?: NodeJS.ProcessEnv; stdin?: string | null } = {},
): Promise<RunResult> {
  const io = recordingIo({
    readStdin: async () => opts.stdin ?? null,
    // XDG_CACHE_HOME points nowhere: a local nix-locate index of the developer's must not
    // change the picks the tests expect (the embedded index alone is deterministic).
    // COLUMNS: wide, so that assertions read whole sentences; wrapping has its own test.
    env: { PATH: process.env.PATH, HOME: process.env.HOME, XDG_CACHE_HOME: join(tmpdir(), 'nixpy-test-no-cache'), COLUMNS: '400', ...opts.env },
    cwd: opts.cwd ?? REPO,
  });
  const code = await main(argv, io);
  return { code, out: io.out, err: io.err };
}

/** A private copy of the demo project (venv, flake, pyproject) in a temporary directory. */
export function copyDemo(): { dir: string; cleanup: () => void } {
  const base = mkdtempSync(join(tmpdir(), 'nixpy-demo-'));
  const dir = join(base, 'demo');
  cpSync(DEMO, dir, { recursive: true, verbatimSymlinks: true });
  return { dir, cleanup: () => rmSync(base, { recursive: true, force: true }) };
}

/**
 * The resolver's pick for each `package` soname the demo venv needs, in the order the scan lists
 * them (byte order of the soname). Tests compare against these rather than spelling the
 * curated picks out, so that a change of pick in the index is not a failure here.
 */
export function demoPicks(): { libGL: string; libX11: string; libstdcxx: string; zlib: string } {
  const index = loadIndex({ env: { XDG_CACHE_HOME: join(tmpdir(), 'nixpy-test-no-cache') } });
  const pick = (s: string): string => {
    const attr = resolveSoname(s, index).candidates[0]?.attr;
    if (attr === undefined) throw new Error(`no pick for ${s}`);
    return attr;
  };
  return { libGL: pick('libGL.so.1'), libX11: pick('libX11.so.6'), libstdcxx: pick('libstdc++.so.6'), zlib: pick('libz.so.1') };
}
