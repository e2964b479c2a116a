import { describeMachine } from '../elf/machine.js';
import { ET_DYN, ET_EXEC, ElfError, describeType, type ElfInfo } from '../elf/types.js';
import type { LoaderEnv, ObjectCache } from './types.js';
import { onDisk } from './verify.js';

/** Thrown for a root object the model cannot load (not ELF, other architecture, ...). */
export class RootObjectError extends Error {
  override name = 'RootObjectError';
  constructor(
    message: string,
    /** `foreign`: a valid ELF object of another class or machine than the environment's. */
    readonly reason: 'missing' | 'not-file' | 'not-elf' | 'foreign' | 'not-dynamic',
  ) {
    super(message);
  }
}

/** The object ld.so (or dlopen) is asked to load, checked as rtld --verify would. */
export function readRoot(env: LoaderEnv, objects: ObjectCache, path: string): { info: ElfInfo; id: string } {
  const disk = onDisk(env, path);
  const probe = objects.probe(disk);
  if (probe === null) throw new RootObjectError(`${path}: no such file`, 'missing');
  // Checked before any open(): a FIFO would block it.
  if (probe.kind === 'fifo') throw new RootObjectError(`${path}: a FIFO (named pipe), not an ELF object`, 'not-file');
  if (probe.kind !== 'file') throw new RootObjectError(`${path}: not a regular file`, 'not-file');
  const info = objects.elf(disk, probe.id);
  if (info instanceof ElfError) throw new RootObjectError(`${path}: ${info.message}`, 'not-elf');
  if (info.type !== ET_DYN && info.type !== ET_EXEC) {
    throw new RootObjectError(`${path}: not a shared library or executable (${describeType(info.type)})`, 'not-elf');
  }
  if (info.elfClass !== env.elfClass || info.machine !== env.machine) {
    throw new RootObjectError(
      `${path}: ELF${info.elfClass} ${describeMachine(info.machine)} object; this loader is ${describeMachine(env.machine)}'s`,
      'foreign',
    );
  }
  // rtld --verify (ldd's first step) exits 1 for a main object without a dynamic section (a
  // static executable, separate debuginfo): ldd says "not a dynamic executable", lists nothing.
  if (!info.dynamic) throw new RootObjectError(`${path}: not a dynamic executable (no dynamic section)`, 'not-dynamic');
  return { info, id: probe.id };
}
