/** What nixpy needs to know about one ELF object; everything else in the file is never read. */
export interface ElfInfo {
  elfClass: 32 | 64;
  endian: 'little' | 'big';
  /** e_machine, e.g. 62 = EM_X86_64, 183 = EM_AARCH64, 3 = EM_386. */
  machine: number;
  /** e_ident[EI_OSABI]. */
  osabi: number;
  /** e_type: 2 = ET_EXEC, 3 = ET_DYN. */
  type: number;
  /** PT_INTERP contents, e.g. /lib64/ld-linux-x86-64.so.2 or /lib/ld-musl-x86_64.so.1. */
  interp: string | null;
  /** False when the object has no PT_DYNAMIC (static executable, relocatable object) or an empty
   * one (separate debuginfo): ld.so sees no dynamic section. */
  dynamic: boolean;
  /** DT_NEEDED, in file order. */
  needed: string[];
  soname: string | null;
  rpath: string | null;
  runpath: string | null;
  /** DT_FLAGS and DT_FLAGS_1 (0 when absent). */
  flags: number;
  flags1: number;
  /** DT_VERNEED: per needed file, the version names required of it (GLIBCXX_3.4.30, ...). */
  verneed: VersionNeed[];
  /** DT_VERDEF: version names this object defines, base (soname) entry excluded. */
  verdef: string[];
}

export interface VersionNeed {
  file: string;
  versions: string[];
  /** Those of `versions` marked VER_FLG_WEAK (only when there are any): a library lacking them
   * is no error to ld.so. */
  weak?: string[];
}

/** e_type values (elf.h). */
const ET_NONE = 0;
export const ET_REL = 1;
export const ET_EXEC = 2;
export const ET_DYN = 3;
const ET_CORE = 4;
const ET_NAMES: Record<number, string> = { [ET_NONE]: 'ET_NONE', [ET_REL]: 'ET_REL', [ET_EXEC]: 'ET_EXEC', [ET_DYN]: 'ET_DYN', [ET_CORE]: 'ET_CORE' };

/** "ET_EXEC", or "e_type N" for a value elf.h does not name. */
export function describeType(type: number): string {
  return ET_NAMES[type] ?? `e_type ${type}`;
}

export const DF_1_NODEFLIB = 0x800;
/** Set on position-independent executables: dlopen refuses them (glibc >= 2.30). */
export const DF_1_PIE = 0x08000000;

export type ElfErrorCode = 'not-elf' | 'truncated' | 'corrupt' | 'unsupported' | 'io';

/** Every malformed input becomes one of these, with a one-line reason. */
export class ElfError extends Error {
  constructor(
    readonly code: ElfErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ElfError';
  }
}
