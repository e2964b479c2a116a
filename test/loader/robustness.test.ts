import fc from 'fast-check';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createLoaderEnv, createObjectCache, loadClosure } from '../../src/loader/index.js';

const FIX = join(dirname(fileURLToPath(import.meta.url)), '../../fixtures/loader');

describe('loadClosure on corrupted candidates', () => {
  // libroot.so (RUNPATH $ORIGIN/runpath) needs libx.so; libx.so is a damaged copy of a real library.
  const tmp = mkdtempSync(join(tmpdir(), 'nixpy-loader-fuzz-'));
  copyFileSync(join(FIX, 'ld_library_path_before_runpath/libroot.so'), join(tmp, 'libroot.so'));
  mkdirSync(join(tmp, 'runpath'));
  const good = readFileSync(join(FIX, 'ld_library_path_before_runpath/runpath/libx.so'));
  const env = createLoaderEnv('host');

  it('always returns a closure: found, skipped (not found), or stopped with an error', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: good.length }),
        fc.array(fc.record({ at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }), { maxLength: 8 }),
        (cut, flips) => {
          const bytes = Buffer.from(good.subarray(0, cut));
          for (const f of flips) if (bytes.length > 0) bytes[f.at % Math.min(bytes.length, 256)] = f.byte;
          writeFileSync(join(tmp, 'runpath/libx.so'), bytes);
          const c = loadClosure(join(tmp, 'libroot.so'), env, createObjectCache());
          const x = c.libraries.find((l) => l.soname === 'libx.so');
          expect(x).toBeDefined();
          if (c.error) expect(x?.error).toBe(c.error.message);
          else expect(x?.path === null || x?.path === join(tmp, 'runpath/libx.so')).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('an intact copy is found; anything shorter than an ELF header stops the load, ELF or not', () => {
    writeFileSync(join(tmp, 'runpath/libx.so'), good);
    expect(loadClosure(join(tmp, 'libroot.so'), env).libraries[0]).toMatchObject({ via: 'runpath', path: join(tmp, 'runpath/libx.so') });
    for (const stub of [good.subarray(0, 3), good.subarray(0, 63), Buffer.from('GROUP ( libx.so.1 )\n')]) {
      writeFileSync(join(tmp, 'runpath/libx.so'), stub);
      expect(loadClosure(join(tmp, 'libroot.so'), env).error?.message).toBe('file too short');
    }
    writeFileSync(join(tmp, 'runpath/libx.so'), Buffer.concat([Buffer.from('/* GNU ld script */\n'), Buffer.alloc(64, 0x20)]));
    expect(loadClosure(join(tmp, 'libroot.so'), env).error?.message).toBe('invalid ELF header');
  });
});
