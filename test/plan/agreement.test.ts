import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { copyDemo, run } from '../e2e/harness.js';
import { loadCorpus } from '../helpers/nix-corpus.js';
import { findLibraryLists } from '../../src/nix/index.js';
import { DRIVER_ELEMENT } from '../../src/nixpkgs/attrs.js';
import type { CheckReport } from '../../src/plan/check.js';
import type { FixReport } from '../../src/plan/fix.js';

/**
 * One plan for every command: for the demo venv judged against every Nix file of the corpus,
 * `check`, `doctor` and `fix` say the same thing, and what `fix` reports it adds is exactly what
 * the written file gains (read back with the real parser, not taken from the report).
 */

let dir: string;
let cleanup: () => void;
beforeAll(() => {
  ({ dir, cleanup } = copyDemo());
});
afterAll(() => cleanup());

/**
 * Every attribute on the file's library path, as the library-path finder reads it for the venv's
 * interpreter: the demo venv's Python is from /nix/store, whose loader reads LD_LIBRARY_PATH only.
 */
function listed(file: string, check: CheckReport): string[] {
  const sinks = check.interpreter.via === 'nix-ld' ? (['NIX_LD_LIBRARY_PATH', 'LD_LIBRARY_PATH'] as const) : check.interpreter.kind === 'nix' ? (['LD_LIBRARY_PATH'] as const) : undefined;
  const r = findLibraryLists(readFileSync(file, 'utf8'), file, sinks);
  return [...r.attrs, ...(r.driverPath ? [DRIVER_ELEMENT] : [])];
}

describe('check, doctor and fix agree on every corpus Nix file', () => {
  for (const c of loadCorpus()) {
    it(c.name, async () => {
      for (const n of ['flake.nix', 'shell.nix', 'default.nix', 'devenv.nix']) rmSync(join(dir, n), { force: true });
      const file = join(dir, c.fileName);
      writeFileSync(file, c.source);

      const check = JSON.parse((await run(['check', '--project', dir, '--json'])).out) as CheckReport;
      const doctor = JSON.parse((await run(['doctor', '--project', dir, '--json'])).out);
      const fixRun = await run(['fix', '--project', dir, '--json']);
      const fix = JSON.parse(fixRun.out) as FixReport;

      // The same additions everywhere.
      expect(fix.added).toEqual([...check.add, ...(check.driverPath ? [DRIVER_ELEMENT] : [])]);
      expect(doctor.patch?.add ?? []).toEqual(check.add);
      expect(doctor.patch?.driverPath ?? false).toBe(check.driverPath);

      // The report is the diff: the file gained exactly what fix says it added.
      const before = new Set(listed(c.path, check));
      const gained = listed(file, check).filter((a) => !before.has(a));
      expect(new Set(gained)).toEqual(new Set(fix.added));

      // And check, asked again, finds nothing fix could have placed.
      const after = JSON.parse((await run(['check', '--project', dir, '--json'])).out) as CheckReport;
      if (fix.unplaced.length === 0) {
        expect(after.add).toEqual([]);
        expect(after.missing.filter((m) => m.category !== 'unknown')).toEqual([]);
      }
    });
  }
});

describe('a patch that would not parse', () => {
  it('is refused with exit 2 and nothing written, by fix and doctor --fix alike', async () => {
    const { realEngine } = await import('../../src/plan/engine-real.js');
    const { runFix } = await import('../../src/plan/fix.js');
    const { runDoctor } = await import('../../src/plan/doctor.js');
    const { InputError } = await import('../../src/errors.js');
    for (const n of ['shell.nix', 'default.nix', 'devenv.nix']) rmSync(join(dir, n), { force: true });
    const file = join(dir, 'flake.nix');
    writeFileSync(file, loadCorpus().find((c) => c.name === 'flake-plain-let-libs')!.source);
    const before = readFileSync(file, 'utf8');
    const real = realEngine({ indexFile: undefined, env: {} });
    // A patcher bug, simulated: its text loses the closing brace.
    const broken = { ...real, patch: (s: string, f: string, add: readonly string[], d: boolean) => ({ ...real.patch(s, f, add, d), text: s.slice(0, -3) }) };
    const base = { cwd: dir, env: {}, project: dir, model: null, ldLibraryPath: undefined };
    await expect(runFix(broken, { ...base, add: ['zlib', 'libGL'], driver: false, dryRun: false })).rejects.toThrow(InputError);
    await expect(runFix(broken, { ...base, add: [], driver: false, dryRun: false })).rejects.toThrow(/would not parse .*nothing written/);
    await expect(
      runDoctor(broken, {
        ...base,
        fix: true,
        commandLine: 'nixpy doctor',
        input: { source: 'scan', text: '', command: null, exitCode: null },
        host: { nixosMarker: false, osRelease: null, env: {} },
      }),
    ).rejects.toThrow(/would not parse/);
    expect(readFileSync(file, 'utf8')).toBe(before);
  });
});
