import { fieldsAt, type ByteSource } from './source.js';
import { ElfError } from './types.js';

export const ELF_MAGIC = [0x7f, 0x45, 0x4c, 0x46] as const;

export interface ElfHeader {
  is64: boolean;
  le: boolean;
  osabi: number;
  type: number;
  machine: number;
  phoff: number;
  phentsize: number;
  phnum: number;
}

/** True when the bytes start with \x7fELF. */
export function hasElfMagic(bytes: Uint8Array): boolean {
  return bytes[0] === ELF_MAGIC[0] && bytes[1] === ELF_MAGIC[1] && bytes[2] === ELF_MAGIC[2] && bytes[3] === ELF_MAGIC[3];
}

/** Elf32_Ehdr is 52 bytes, Elf64_Ehdr 64. */
const EHDR_SIZE = { 32: 52, 64: 64 } as const;

/** PN_XNUM: the real count lives in section header 0. ld.so does not support it either. */
const PN_XNUM = 0xffff;

export function readHeader(src: ByteSource): ElfHeader {
  const head = src.size >= 16 ? src.read(0, 16) : src.read(0, src.size);
  if (head.length < 4 || !hasElfMagic(head)) throw new ElfError('not-elf', 'not an ELF file (no \\x7fELF magic)');
  if (head.length < 16) throw new ElfError('truncated', `ELF identification cut short (${head.length} bytes)`);
  const cls = head[4];
  const data = head[5];
  if (cls !== 1 && cls !== 2) throw new ElfError('unsupported', `unknown ELF class ${cls}`);
  if (data !== 1 && data !== 2) throw new ElfError('unsupported', `unknown ELF byte order ${data}`);
  const is64 = cls === 2;
  const le = data === 1;
  const size = EHDR_SIZE[is64 ? 64 : 32];
  if (src.size < size) throw new ElfError('truncated', `ELF header cut short (${src.size} of ${size} bytes)`);
  const f = fieldsAt(src, 0, size, le);
  const osabi = f.u8(7);
  const type = f.u16(16);
  const machine = f.u16(18);
  const phoff = f.word(is64 ? 32 : 28, is64);
  const phentsize = f.u16(is64 ? 54 : 42);
  const phnum = f.u16(is64 ? 56 : 44);
  if (phnum === PN_XNUM) throw new ElfError('unsupported', 'more than 65534 program headers (PN_XNUM)');
  return { is64, le, osabi, type, machine, phoff, phentsize, phnum };
}
