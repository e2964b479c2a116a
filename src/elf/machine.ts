/** e_machine values nixpy names in messages (elf.h). */
export const EM_386 = 3;
export const EM_PPC = 20;
export const EM_PPC64 = 21;
export const EM_S390 = 22;
export const EM_ARM = 40;
export const EM_X86_64 = 62;
export const EM_AARCH64 = 183;
export const EM_RISCV = 243;

const NAMES: Record<number, string> = {
  [EM_386]: 'i386',
  [EM_PPC]: 'powerpc',
  [EM_PPC64]: 'powerpc64',
  [EM_S390]: 's390',
  [EM_ARM]: 'arm',
  [EM_X86_64]: 'x86_64',
  [EM_AARCH64]: 'aarch64',
  [EM_RISCV]: 'riscv',
};

export function describeMachine(machine: number): string {
  return NAMES[machine] ?? `machine ${machine}`;
}

/** The e_machine of objects this Node process could load, or null for an unknown arch. */
export function hostMachine(arch: string = process.arch): number | null {
  switch (arch) {
    case 'x64':
      return EM_X86_64;
    case 'arm64':
      return EM_AARCH64;
    case 'ia32':
      return EM_386;
    case 'arm':
      return EM_ARM;
    case 'ppc64':
      return EM_PPC64;
    case 's390x':
      return EM_S390;
    case 'riscv64':
      return EM_RISCV;
    default:
      return null;
  }
}
