import { describeMachine } from '../elf/machine.js';
import { DF_1_PIE, ET_DYN, ElfError, describeType, type ElfInfo } from '../elf/types.js';

/** What objects this venv can load: its Python's machine and ELF class. */
export interface Target {
  machine: number;
  elfClass: 32 | 64;
}


/** musl's loader and libc as they appear in musllinux wheels and Alpine builds. */
function isMuslLinked(elf: ElfInfo): boolean {
  if (elf.interp !== null && elf.interp.slice(elf.interp.lastIndexOf('/') + 1).startsWith('ld-musl-')) return true;
  for (const n of elf.needed) if (n.startsWith('libc.musl-') || n.startsWith('ld-musl-')) return true;
  return false;
}

/** Why a readable ELF object cannot be loaded into this venv's Python, or null when it can. */
export function unloadableReason(elf: ElfInfo, target: Target): string | null {
  if (elf.elfClass !== target.elfClass) {
    return `ELF${elf.elfClass} object in a ${target.elfClass}-bit venv (${describeMachine(elf.machine)})`;
  }
  if (elf.machine !== target.machine) {
    return `built for another machine (${describeMachine(elf.machine)}, venv is ${describeMachine(target.machine)})`;
  }
  if (elf.type !== ET_DYN) return `not a shared object (${describeType(elf.type)})`;
  // Separate debuginfo (`objcopy --only-keep-debug`) keeps the .so name but not the dynamic section.
  if (!elf.dynamic) return 'no dynamic section (separate debug info?)';
  if (isMuslLinked(elf)) return 'linked against musl, not glibc';
  if ((elf.flags1 & DF_1_PIE) !== 0) return 'a position-independent executable, not a shared library';
  return null;
}

/** The skipped-file reason for a file the ELF reader rejected. */
export function elfErrorReason(err: ElfError): string {
  switch (err.code) {
    case 'not-elf':
      return 'not an ELF file';
    case 'truncated':
      return `truncated ELF file: ${err.message}`;
    case 'corrupt':
      return `corrupt ELF file: ${err.message}`;
    case 'unsupported':
      return `unsupported ELF file: ${err.message}`;
    case 'io':
      return `unreadable: ${err.message}`;
  }
}
