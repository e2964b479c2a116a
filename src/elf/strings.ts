import { FdSource, type ByteSource } from './source.js';
import { ElfError } from './types.js';

/** Longer than any real soname or search path (Nix RUNPATHs reach a few KiB). */
export const MAX_STRING = 64 * 1024;
const FIRST_CHUNK = 256;

const utf8 = new TextDecoder('utf-8');

/** Buffer's own UTF-8 slice is much faster than TextDecoder for the short ASCII names here. */
function decode(bytes: Uint8Array, end: number): string {
  return Buffer.isBuffer(bytes) ? bytes.toString('utf8', 0, end) : utf8.decode(bytes.subarray(0, end));
}

/**
 * Reads a NUL-terminated string at `offset`, never past `limit` (end of its table or segment)
 * nor past MAX_STRING. Reads grow geometrically so a short string costs one small read.
 */
export function readCString(src: ByteSource, offset: number, limit: number, what: string): string {
  if (offset < 0 || offset >= limit) throw new ElfError('corrupt', `${what} at offset ${offset} is outside its table`);
  if (offset >= src.size) throw new ElfError('truncated', `${what} at ${offset} lies past the end of the file`);
  const capped = offset + MAX_STRING + 1 < limit;
  const windowEnd = Math.min(limit, offset + MAX_STRING + 1);
  const end = Math.min(windowEnd, src.size);
  if (src instanceof FdSource) {
    const s = src.cStringInBlock(offset, end);
    if (s !== null) return s;
  }
  let chunk = FIRST_CHUNK;
  for (;;) {
    const len = Math.min(chunk, end - offset);
    const bytes = src.read(offset, len);
    const nul = bytes.indexOf(0);
    if (nul >= 0) return decode(bytes, nul);
    if (offset + len >= end) {
      if (end < windowEnd) throw new ElfError('truncated', `${what} runs past the end of the file`);
      if (capped) throw new ElfError('corrupt', `${what} is longer than ${MAX_STRING} bytes`);
      throw new ElfError('corrupt', `${what} is not NUL-terminated`);
    }
    chunk *= 4;
  }
}

/** The dynamic string table: DT_STRTAB's file offset and DT_STRSZ. */
export interface StringTable {
  offset: number;
  size: number;
}

export function readTableString(src: ByteSource, table: StringTable, index: number, what: string): string {
  if (index >= table.size) throw new ElfError('corrupt', `${what} string index ${index} is past the string table (${table.size} bytes)`);
  return readCString(src, table.offset + index, table.offset + table.size, what);
}
