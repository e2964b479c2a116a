import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const ELF_FIXTURES = join(import.meta.dirname, '../../fixtures/elf/out');

export function fixture(name: string): string {
  return join(ELF_FIXTURES, name);
}

/** Every built fixture that is an ELF file (the linker script is excluded). */
export function elfFixtureNames(): string[] {
  return readdirSync(ELF_FIXTURES)
    .filter((n) => {
      const b = readFileSync(join(ELF_FIXTURES, n));
      return b[0] === 0x7f && b[1] === 0x45 && b[2] === 0x4c && b[3] === 0x46;
    })
    .sort();
}
