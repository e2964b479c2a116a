import { fieldsAt, type ByteSource } from './source.js';
import { readTableString, type StringTable } from './strings.js';
import { ElfError, type VersionNeed } from './types.js';

/**
 * Caps on version chains: real objects need a few files and a few dozen versions (libstdc++
 * defines about 50). The total cap keeps many entries sharing one long aux chain from adding up.
 */
export const MAX_VERSION_ENTRIES = 1024;
export const MAX_VERSION_AUX = 1024;
export const MAX_VERSION_NAMES = 4096;

const VER_FLG_BASE = 1;
/** A weak version need: ld.so only warns when the library lacks it (dl-version.c match_symbol). */
const VER_FLG_WEAK = 2;

/**
 * A chain of records linked by relative `next` offsets (plain loops below, not a generator: a
 * scan reads thousands of these, and generators are slow before the JIT warms up). The walk stops
 * at next === 0 or after `count` records (DT_*NUM, when present; capped). The `next` fields
 * (vn_next, vna_next, vd_next) are unsigned, so a chain only ever moves forward through the file:
 * it cannot loop, and no record is visited twice.
 */
function chainLimit(count: number | null, cap: number, what: string): number {
  const limit = count ?? cap;
  if (limit > cap) throw new ElfError('corrupt', `absurd ${what} count ${limit}`);
  return limit;
}

/** DT_VERNEED: Elf_Verneed (16 bytes) records, each with a chain of Elf_Vernaux (16 bytes). */
export function readVerneed(
  src: ByteSource,
  le: boolean,
  offset: number,
  count: number | null,
  strings: StringTable,
): VersionNeed[] {
  const out: VersionNeed[] = [];
  let names = 0;
  const limit = chainLimit(count, MAX_VERSION_ENTRIES, 'version need');
  let at = offset;
  for (let i = 0; i < limit; i++) {
    const f = fieldsAt(src, at, 16, le);
    const cnt = f.u16(2);
    const fileName = f.u32(4);
    const aux = f.u32(8);
    const next = f.u32(12);
    const file = readTableString(src, strings, fileName, 'version need file');
    const versions: string[] = [];
    const weak: string[] = [];
    if (cnt > 0) {
      const auxLimit = chainLimit(cnt, MAX_VERSION_AUX, 'version need aux');
      let a = at + aux;
      for (let j = 0; j < auxLimit; j++) {
        if (++names > MAX_VERSION_NAMES) throw new ElfError('corrupt', `more than ${MAX_VERSION_NAMES} needed versions`);
        // Elf_Vernaux: vna_hash, vna_flags, vna_other, vna_name, vna_next.
        const g = fieldsAt(src, a, 16, le);
        const name = readTableString(src, strings, g.u32(8), 'needed version name');
        const auxNext = g.u32(12);
        versions.push(name);
        if ((g.u16(4) & VER_FLG_WEAK) !== 0) weak.push(name);
        if (auxNext === 0) break;
        a += auxNext;
      }
    }
    out.push(weak.length > 0 ? { file, versions, weak } : { file, versions });
    if (next === 0) break;
    at += next;
  }
  return out;
}

/** DT_VERDEF: Elf_Verdef (20 bytes) records; the first Elf_Verdaux names the version. */
export function readVerdef(
  src: ByteSource,
  le: boolean,
  offset: number,
  count: number | null,
  strings: StringTable,
): string[] {
  const out: string[] = [];
  const limit = chainLimit(count, MAX_VERSION_ENTRIES, 'version definition');
  let at = offset;
  for (let i = 0; i < limit; i++) {
    const f = fieldsAt(src, at, 20, le);
    const flags = f.u16(2);
    const cnt = f.u16(6);
    const aux = f.u32(12);
    const next = f.u32(16);
    // The base entry names the file itself (its soname), not a version.
    if ((flags & VER_FLG_BASE) === 0 && cnt !== 0) {
      const g = fieldsAt(src, at + aux, 8, le);
      out.push(readTableString(src, strings, g.u32(0), 'defined version name'));
    }
    if (next === 0) break;
    at += next;
  }
  return out;
}
