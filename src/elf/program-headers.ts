import type { ElfHeader } from './header.js';
import { fieldsAt, type ByteSource } from './source.js';
import { ElfError } from './types.js';

export const PT_LOAD = 1;
export const PT_DYNAMIC = 2;
export const PT_INTERP = 3;

export interface ProgramHeader {
  type: number;
  offset: number;
  vaddr: number;
  filesz: number;
  memsz: number;
}

/** Real objects have about a dozen; anything near this is a corrupt count. */
export const MAX_PHNUM = 512;
const PHDR_SIZE = { 32: 32, 64: 56 } as const;

export function readProgramHeaders(src: ByteSource, h: ElfHeader): ProgramHeader[] {
  if (h.phnum === 0) return [];
  const min = PHDR_SIZE[h.is64 ? 64 : 32];
  if (h.phentsize < min || h.phentsize > 1024) {
    throw new ElfError('corrupt', `program header entry size ${h.phentsize} (expected ${min})`);
  }
  if (h.phnum > MAX_PHNUM) throw new ElfError('corrupt', `absurd program header count ${h.phnum}`);
  if (h.phoff >= src.size) throw new ElfError('truncated', `program headers at ${h.phoff} lie past the end (${src.size} bytes)`);
  const f = fieldsAt(src, h.phoff, h.phnum * h.phentsize, h.le);
  const out: ProgramHeader[] = [];
  for (let i = 0; i < h.phnum; i++) {
    const at = i * h.phentsize;
    // Elf64_Phdr: type, flags, offset, vaddr, paddr, filesz, memsz, align.
    // Elf32_Phdr: type, offset, vaddr, paddr, filesz, memsz, flags, align.
    out.push(
      h.is64
        ? { type: f.u32(at), offset: f.u64(at + 8), vaddr: f.u64(at + 16), filesz: f.u64(at + 32), memsz: f.u64(at + 40) }
        : { type: f.u32(at), offset: f.u32(at + 4), vaddr: f.u32(at + 8), filesz: f.u32(at + 16), memsz: f.u32(at + 20) },
    );
  }
  return out;
}

/** Maps a virtual address to a file offset through the PT_LOAD segment that holds it. */
export function vaddrToOffset(loads: readonly ProgramHeader[], addr: number, what: string): number {
  for (const p of loads) {
    if (addr >= p.vaddr && addr < p.vaddr + p.filesz) return p.offset + (addr - p.vaddr);
  }
  throw new ElfError('corrupt', `${what} address 0x${addr.toString(16)} is in no loaded segment`);
}
