import { ElfError } from '../elf/types.js';
import { createLoaderEnv, loadClosure, RootObjectError } from '../loader/index.js';
import { createObjectCache } from '../loader/objects.js';
import type { Classify } from './missing.js';
import { scanWith, type ScanOptions, type ScanReport } from './scan.js';

export type { ScanOptions, ScanReport, ScannedObject } from './scan.js';
export type { Classify } from './missing.js';
export { walkVenv, SO_NAME, type Candidate, type WalkResult } from './walk.js';

/**
 * Scans a venv with the loader model of `opts.env`; the caller says how to classify what is
 * missing (nixpkgs knowledge: the scan itself knows only the loader). One ObjectCache serves the whole scan: the
 * scanner's own ELF reads and every closure share stats, directory listings and parsed objects.
 */
export async function scanVenv(root: string, opts: ScanOptions & { classify: Classify }): Promise<ScanReport> {
  const env = createLoaderEnv(opts.env, {
    ...(opts.ldLibraryPath === undefined ? {} : { ldLibraryPath: opts.ldLibraryPath }),
    ...(opts.machine === undefined ? {} : { machine: opts.machine }),
  });
  const cache = createObjectCache();
  return scanWith(root, opts, {
    readElf: (abs) => {
      const probe = cache.probe(abs);
      if (probe === null) throw new ElfError('io', 'cannot stat');
      if (probe.kind !== 'file') throw new ElfError('io', 'not a regular file');
      const elf = cache.elf(abs, probe.id);
      if (elf instanceof ElfError) throw elf;
      return elf;
    },
    closureOf: (abs) => {
      try {
        return loadClosure(abs, env, cache);
      } catch (err) {
        // The scanner judged the object loadable first; this is a backstop, not a path taken.
        if (err instanceof RootObjectError) return { refused: err.message };
        throw err;
      }
    },
    classify: opts.classify,
    target: { machine: env.machine, elfClass: env.elfClass },
  });
}
