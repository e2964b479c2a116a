import type { ElfHeader } from './header.js';
import type { ProgramHeader } from './program-headers.js';
import { fieldsAt, type ByteSource } from './source.js';
import { ElfError } from './types.js';

export const DT_NULL = 0;
export const DT_NEEDED = 1;
export const DT_STRTAB = 5;
export const DT_STRSZ = 10;
export const DT_SONAME = 14;
export const DT_RPATH = 15;
export const DT_FLAGS = 30;
export const DT_RUNPATH = 29;
export const DT_FLAGS_1 = 0x6ffffffb;
export const DT_VERDEF = 0x6ffffffc;
export const DT_VERDEFNUM = 0x6ffffffd;
export const DT_VERNEED = 0x6ffffffe;
export const DT_VERNEEDNUM = 0x6fffffff;

/** The raw dynamic entries nixpy uses; string fields are still string-table indexes. */
export interface DynamicEntries {
  needed: number[];
  soname: number | null;
  rpath: number | null;
  runpath: number | null;
  strtab: number | null;
  strsz: number | null;
  flags: number;
  flags1: number;
  verneed: number | null;
  verneednum: number | null;
  verdef: number | null;
  verdefnum: number | null;
}

/** Real objects have well under 200 entries; a bigger segment is corrupt, not read. */
export const MAX_DYN_ENTRIES = 4096;

export function readDynamic(src: ByteSource, h: ElfHeader, seg: ProgramHeader): DynamicEntries {
  const entsize = h.is64 ? 16 : 8;
  const count = Math.floor(seg.filesz / entsize);
  if (count > MAX_DYN_ENTRIES) throw new ElfError('corrupt', `absurd dynamic segment size ${seg.filesz}`);
  if (seg.offset >= src.size && count > 0) {
    throw new ElfError('truncated', `dynamic segment at ${seg.offset} lies past the end (${src.size} bytes)`);
  }
  const f = fieldsAt(src, seg.offset, count * entsize, h.le);
  const d: DynamicEntries = {
    needed: [],
    soname: null,
    rpath: null,
    runpath: null,
    strtab: null,
    strsz: null,
    flags: 0,
    flags1: 0,
    verneed: null,
    verneednum: null,
    verdef: null,
    verdefnum: null,
  };
  for (let i = 0; i < count; i++) {
    const at = i * entsize;
    // d_tag is signed but every tag nixpy reads fits in 32 bits; a 64-bit tag with high bits set
    // is simply some other tag.
    const tagHi = h.is64 ? f.u32(at + (h.le ? 4 : 0)) : 0;
    const tag = h.is64 ? f.u32(at + (h.le ? 0 : 4)) : f.u32(at);
    if (tagHi !== 0) continue;
    if (tag === DT_NULL) break;
    const valAt = at + (h.is64 ? 8 : 4);
    const val = f.word(valAt, h.is64);
    // Where a tag repeats, the last one wins, as in ld.so's l_info table.
    switch (tag) {
      case DT_NEEDED:
        d.needed.push(val);
        break;
      case DT_SONAME:
        d.soname = val;
        break;
      case DT_RPATH:
        d.rpath = val;
        break;
      case DT_RUNPATH:
        d.runpath = val;
        break;
      case DT_STRTAB:
        d.strtab = val;
        break;
      case DT_STRSZ:
        d.strsz = val;
        break;
      case DT_FLAGS:
        d.flags = h.is64 ? f.u64lo(valAt) : val;
        break;
      case DT_FLAGS_1:
        d.flags1 = h.is64 ? f.u64lo(valAt) : val;
        break;
      case DT_VERNEED:
        d.verneed = val;
        break;
      case DT_VERNEEDNUM:
        d.verneednum = val;
        break;
      case DT_VERDEF:
        d.verdef = val;
        break;
      case DT_VERDEFNUM:
        d.verdefnum = val;
        break;
    }
  }
  return d;
}
