import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { walkVenv } from '../../src/scan/walk.js';
import { describeWithTool } from '../helpers/tools.js';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '../..');
const FIX = join(REPO, 'fixtures/loader');
const BIN = join(REPO, 'bin/nixpy.js');
const SP = 'lib/python3.12/site-packages';
const EXT = `${SP}/pkg/_x.cpython-312-x86_64-linux-gnu.so`;
const FIFO = `${SP}/pkg/gone/libnixpy-missing.so.1`;

/**
 * A venv whose extension module needs libnixpy-missing.so.1 through RUNPATH $ORIGIN/gone, where
 * a FIFO (made by the real mkfifo) carries that name; and a FIFO named `*.so` beside it. A loader
 * that open()s a FIFO without a writer never returns.
 */
function fifoVenv(): string {
  const venv = mkdtempSync(join(tmpdir(), 'nixpy-fifo-'));
  mkdirSync(join(venv, `${SP}/pkg/gone`), { recursive: true });
  copyFileSync(join(FIX, 'missing_library_reported_not_found/libroot.so'), join(venv, EXT));
  execFileSync('mkfifo', [join(venv, FIFO), join(venv, `${SP}/pkg/pipe.so`)]);
  symlinkSync('pipe.so', join(venv, `${SP}/pkg/link-to-pipe.so`));
  return venv;
}

/**
 * The built CLI in a child process: should it block on a FIFO, the child is killed and the test
 * fails instead of hanging the test runner (the bound is a hang guard, minutes above a normal run).
 */
function nixpy(args: string[]): { code: number | null; out: string; err: string } {
  const env = { ...process.env };
  delete env.VIRTUAL_ENV;
  delete env.LD_LIBRARY_PATH;
  const r = spawnSync(process.execPath, [BIN, ...args], { env, encoding: 'utf8', timeout: 600_000, stdio: ['ignore', 'pipe', 'pipe'] });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describeWithTool('mkfifo', 'FIFOs named like libraries are never opened', () => {
  const venv = fifoVenv();
  afterAll(() => rmSync(venv, { recursive: true, force: true }));

  it('the venv walk lists them under skipped, with the reason', () => {
    const w = walkVenv(venv);
    expect(w.candidates.map((c) => c.rel)).toEqual([EXT]);
    expect(w.skipped).toEqual([
      { path: FIFO, reason: 'a FIFO (named pipe), not a shared object: never opened' },
      { path: `${SP}/pkg/link-to-pipe.so`, reason: 'a FIFO (named pipe), not a shared object: never opened' },
      { path: `${SP}/pkg/pipe.so`, reason: 'a FIFO (named pipe), not a shared object: never opened' },
    ]);
  });

  it('is built', () => {
    expect(existsSync(join(REPO, 'dist/bundle/main.js')), 'run `npm run build` first').toBe(true);
  });

  it('scan: the FIFO on the search path stops the load like any unloadable file; exit 1', () => {
    const r = nixpy(['scan', venv, '--json', '--env', 'host']);
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.out) as { objects: number; skipped: { path: string }[]; missing: { soname: string; neededBy: string[] }[] };
    expect(doc.objects).toBe(1);
    expect(doc.skipped.map((s) => s.path)).toEqual([FIFO, `${SP}/pkg/link-to-pipe.so`, `${SP}/pkg/pipe.so`]);
    expect(doc.missing).toEqual([expect.objectContaining({ soname: 'libnixpy-missing.so.1', neededBy: [EXT] })]);
  });

  it('tree: the FIFO dependency is an error, exit 1; a FIFO FILE is one input-error line, exit 2', () => {
    const r = nixpy(['tree', join(venv, EXT), '--env', 'host', '--json']);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.out).libraries).toEqual([
      { soname: 'libnixpy-missing.so.1', path: join(venv, FIFO), via: 'runpath', error: 'a FIFO (named pipe): ld.so would block opening it' },
    ]);
    const root = nixpy(['tree', join(venv, `${SP}/pkg/pipe.so`), '--env', 'host']);
    expect(root.code).toBe(2);
    expect(root.err).toBe(`nixpy: ${join(venv, `${SP}/pkg/pipe.so`)}: a FIFO (named pipe), not an ELF object\n`);
  });
});

