import { Fields } from './bytes.js';
import type { ByteSource } from './source.js';
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

/**
 * Follows a chain of records linked by relative `next` offsets. Stops at next === 0 or after
 * `count` records (DT_*NUM, when present); a revisited offset is a cycle and an error.
 */
function* chain(
  start: number,
  count: number | null,
  cap: number,
  what: string,
  next: (at: number) => number,
): Generator<number> {
  const limit = count ?? cap;
  if (limit > cap) throw new ElfError('corrupt', `absurd ${what} count ${limit}`);
  const seen = new Set<number>();
  let at = start;
  for (let i = 0; i < limit; i++) {
    if (seen.has(at)) throw new ElfError('corrupt', `${what} chain loops back to offset ${at}`);
    seen.add(at);
    yield at;
    const step = next(at);
    if (step === 0) return;
    at += step;
  }
}

function fieldsAt(src: ByteSource, at: number, size: number, le: boolean): Fields {
  return new Fields(src.read(at, size), le);
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
  let nextOf = 0;
  for (const at of chain(offset, count, MAX_VERSION_ENTRIES, 'version need', () => nextOf)) {
    const f = fieldsAt(src, at, 16, le);
    const cnt = f.u16(2);
    const fileName = f.u32(4);
    const aux = f.u32(8);
    nextOf = f.u32(12);
    const file = readTableString(src, strings, fileName, 'version need file');
    const versions: string[] = [];
    let auxNext = 0;
    if (cnt > 0) {
      for (const a of chain(at + aux, cnt, MAX_VERSION_AUX, 'version need aux', () => auxNext)) {
        if (++names > MAX_VERSION_NAMES) throw new ElfError('corrupt', `more than ${MAX_VERSION_NAMES} needed versions`);
        const g = fieldsAt(src, a, 16, le);
        const name = g.u32(8);
        auxNext = g.u32(12);
        versions.push(readTableString(src, strings, name, 'needed version name'));
      }
    }
    out.push({ file, versions });
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
  let nextOf = 0;
  for (const at of chain(offset, count, MAX_VERSION_ENTRIES, 'version definition', () => nextOf)) {
    const f = fieldsAt(src, at, 20, le);
    const flags = f.u16(2);
    const cnt = f.u16(6);
    const aux = f.u32(12);
    nextOf = f.u32(16);
    // The base entry names the file itself (its soname), not a version.
    if ((flags & VER_FLG_BASE) !== 0 || cnt === 0) continue;
    const g = fieldsAt(src, at + aux, 8, le);
    out.push(readTableString(src, strings, g.u32(0), 'defined version name'));
  }
  return out;
}
