import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import * as realFs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * writeFileAtomic when the system fails under it: the original must stay byte-for-byte and the
 * temporary file must be gone, whichever step fails.
 */

const failures = vi.hoisted(() => ({ step: null as null | 'writeSync' | 'fsyncSync' | 'renameSync' | 'chmodSync' }));

vi.mock('node:fs', async (importOriginal) => {
  const orig = await importOriginal<typeof import('node:fs')>();
  const failing =
    <K extends 'writeSync' | 'fsyncSync' | 'renameSync' | 'chmodSync'>(name: K) =>
    (...args: unknown[]): unknown => {
      if (failures.step === name) {
        const e = new Error(`${name} failed`) as NodeJS.ErrnoException;
        e.code = name === 'writeSync' ? 'ENOSPC' : 'EIO';
        throw e;
      }
      return (orig[name] as (...a: unknown[]) => unknown)(...args);
    };
  return {
    ...orig,
    writeSync: failing('writeSync'),
    fsyncSync: failing('fsyncSync'),
    renameSync: failing('renameSync'),
    chmodSync: failing('chmodSync'),
  };
});

const { writeFileAtomic } = await import('../../src/nix/files.js');
const { InputError } = await import('../../src/errors.js');

let dir: string;
beforeEach(() => {
  dir = realFs.mkdtempSync(join(tmpdir(), 'nixpy-atomic-'));
});
afterEach(() => {
  failures.step = null;
  realFs.rmSync(dir, { recursive: true, force: true });
});

describe('writeFileAtomic under failure', () => {
  for (const step of ['writeSync', 'fsyncSync', 'chmodSync', 'renameSync'] as const) {
    it(`${step} fails: original intact, no temporary file, one-line InputError`, () => {
      const f = join(dir, 'flake.nix');
      realFs.writeFileSync(f, 'original\n');
      failures.step = step;
      let err: unknown;
      try {
        writeFileAtomic(f, 'replacement\n', { expectCurrent: 'original\n' });
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(InputError);
      expect((err as Error).message).toMatch(/flake\.nix: cannot write: (no space left on device|EIO)$/);
      failures.step = null;
      expect(realFs.readFileSync(f, 'utf8')).toBe('original\n');
      expect(realFs.readdirSync(dir)).toEqual(['flake.nix']);
    });
  }

  it('succeeds once nothing fails', () => {
    const f = join(dir, 'flake.nix');
    realFs.writeFileSync(f, 'original\n');
    writeFileAtomic(f, 'replacement\n');
    expect(realFs.readFileSync(f, 'utf8')).toBe('replacement\n');
  });
});
