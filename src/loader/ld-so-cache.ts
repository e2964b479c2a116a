import { readFileSync } from 'node:fs';
import type { LdSoCacheEntry } from './types.js';

/*
 * /etc/ld.so.cache, as glibc's elf/dl-cache.c reads it. Three layouts exist: the new format
 * alone ("glibc-ld.so.cache1.1"), the old libc5 format ("ld.so-1.7.0") alone, or the old format
 * followed (8-byte aligned) by the new one. ld.so prefers the new part when present.
 */

const MAGIC_OLD = 'ld.so-1.7.0';
const MAGIC_NEW = 'glibc-ld.so.cache1.1';
/** struct cache_file: 11-byte magic padded to 12, uint32 nlibs. */
const OLD_HEADER = 16;
const OLD_ENTRY = 12;
/** struct cache_file_new: magic+version 20, nlibs, len_strings, flags, 3 pad, extension_offset, 3 unused. */
const NEW_HEADER = 48;
const NEW_ENTRY = 24;
const EXTENSION_MAGIC = 0xeaa42174; // (uint32_t) -358342284
const TAG_GLIBC_HWCAPS = 1;
/** Bit 62 alone in the upper half marks "lower 32 bits index the glibc-hwcaps section". */
const HWCAP_EXTENSION = 1n << 62n;

export class LdSoCacheError extends Error {
  override name = 'LdSoCacheError';
}

export interface LdSoCache {
  /** The layout found, for diagnostics. */
  format: 'new' | 'old' | 'old+new';
  /** Entries in file order (the order ld.so walks among equal names). */
  entries: LdSoCacheEntry[];
}

/** x86-64 ld.so accepts only entries flagged (FLAG_X8664_LIB64 | FLAG_ELF_LIBC6). */
export const X86_64_CACHE_FLAGS = 0x0303;
/** aarch64 ld.so: (FLAG_AARCH64_LIB64 | FLAG_ELF_LIBC6), as Debian 12's arm64 ldconfig writes them. */
export const AARCH64_CACHE_FLAGS = 0x0a03;

function cString(buf: Buffer, at: number): string | null {
  if (at < 0 || at >= buf.length) return null;
  const end = buf.indexOf(0, at);
  if (end < 0) return null;
  return buf.toString('latin1', at, end);
}

/** Parses a cache image. Throws LdSoCacheError on anything ld.so would also refuse. */
export function parseLdSoCache(buf: Buffer): LdSoCache {
  const head = buf.toString('latin1', 0, Math.min(buf.length, MAGIC_NEW.length));
  if (head === MAGIC_NEW) return { format: 'new', entries: parseNew(buf, 0) };
  if (buf.toString('latin1', 0, MAGIC_OLD.length) !== MAGIC_OLD || buf.length < OLD_HEADER) {
    throw new LdSoCacheError('not an ld.so cache (bad magic)');
  }
  const nlibs = buf.readUInt32LE(12);
  if ((buf.length - OLD_HEADER) / OLD_ENTRY < nlibs) throw new LdSoCacheError('old cache part is cut short');
  const newAt = align8(OLD_HEADER + nlibs * OLD_ENTRY);
  if (newAt + NEW_HEADER <= buf.length && buf.toString('latin1', newAt, newAt + MAGIC_NEW.length) === MAGIC_NEW) {
    return { format: 'old+new', entries: parseNew(buf, newAt) };
  }
  // Old format only: string offsets are relative to the end of the entry array.
  const strings = OLD_HEADER + nlibs * OLD_ENTRY;
  const entries: LdSoCacheEntry[] = [];
  for (let i = 0; i < nlibs; i++) {
    const at = OLD_HEADER + i * OLD_ENTRY;
    const key = cString(buf, strings + buf.readUInt32LE(at + 4));
    const value = cString(buf, strings + buf.readUInt32LE(at + 8));
    if (key === null || value === null) continue;
    entries.push({ key, value, flags: buf.readInt32LE(at), hwcap: 0n, hwcapsName: null });
  }
  return { format: 'old', entries };
}

function align8(n: number): number {
  return (n + 7) & ~7;
}

function parseNew(buf: Buffer, base: number): LdSoCacheEntry[] {
  if (buf.length - base < NEW_HEADER) throw new LdSoCacheError('cache header cut short');
  const flags = buf.readUInt8(base + 28);
  // cache_file_new_flags_endian_big = 3; 0 ("unset") and 2 (little) are fine on x86.
  if ((flags & 3) === 3) throw new LdSoCacheError('big-endian ld.so cache');
  const nlibs = buf.readUInt32LE(base + 20);
  if ((buf.length - base - NEW_HEADER) / NEW_ENTRY < nlibs) throw new LdSoCacheError('cache entries cut short');
  // String indices in the new format count from the start of the new header.
  const str = (off: number): string | null => cString(buf, base + off);
  const hwcapsNames = readHwcapsSection(buf, base, buf.readUInt32LE(base + 32));
  const entries: LdSoCacheEntry[] = [];
  for (let i = 0; i < nlibs; i++) {
    const at = base + NEW_HEADER + i * NEW_ENTRY;
    const key = str(buf.readUInt32LE(at + 4));
    const value = str(buf.readUInt32LE(at + 8));
    if (key === null || value === null) continue; // ld.so skips bogus indices too
    const hwcap = buf.readBigUInt64LE(at + 16);
    let hwcapsName: string | null = null;
    if (hwcap >> 32n === HWCAP_EXTENSION >> 32n) {
      hwcapsName = hwcapsNames[Number(hwcap & 0xffffffffn)] ?? '';
    }
    entries.push({ key, value, flags: buf.readInt32LE(at), hwcap, hwcapsName });
  }
  return entries;
}

/** The glibc-hwcaps extension section: an array of string offsets (subdirectory names). */
function readHwcapsSection(buf: Buffer, base: number, extOffset: number): string[] {
  if (extOffset === 0) return [];
  const at = base + extOffset;
  if (at + 8 > buf.length || buf.readUInt32LE(at) !== EXTENSION_MAGIC) return [];
  const count = buf.readUInt32LE(at + 4);
  for (let i = 0; i < count && at + 8 + (i + 1) * 16 <= buf.length; i++) {
    const s = at + 8 + i * 16;
    if (buf.readUInt32LE(s) !== TAG_GLIBC_HWCAPS) continue;
    const offset = buf.readUInt32LE(s + 8);
    const size = buf.readUInt32LE(s + 12);
    const names: string[] = [];
    for (let j = 0; j + 4 <= size && base + offset + j + 4 <= buf.length; j += 4) {
      names.push(cString(buf, base + buf.readUInt32LE(base + offset + j)) ?? '');
    }
    return names;
  }
  return [];
}

/**
 * glibc's search_cache for one name: among entries with this key and the right flags, a
 * glibc-hwcaps entry of the best supported level wins (those are listed first), else the first
 * plain entry. Legacy hwcap-bit entries are taken only when they carry no hwcap bits: this
 * loader does not model the legacy AT_HWCAP mask (Debian's cache has none).
 * `hwcapsPriority` ranks supported subdirectory names, lower is better, absent = unusable.
 */
export function makeCacheLookup(
  cache: LdSoCache,
  flags: number,
  hwcapsPriority: ReadonlyMap<string, number>,
): (name: string) => string | null {
  const byKey = new Map<string, LdSoCacheEntry[]>();
  for (const e of cache.entries) {
    if (e.flags !== flags) continue;
    const list = byKey.get(e.key);
    if (list) list.push(e);
    else byKey.set(e.key, [e]);
  }
  // Pure in `name`, and a scan asks for libc.so.6 and friends thousands of times.
  const answers = new Map<string, string | null>();
  return (name) => {
    let answer = answers.get(name);
    if (answer === undefined) answers.set(name, (answer = search(name)));
    return answer;
  };

  function search(name: string): string | null {
    const list = byKey.get(name);
    if (!list) return null;
    let best: string | null = null;
    let bestPriority = Infinity;
    for (const e of list) {
      if (e.hwcapsName !== null) {
        const p = hwcapsPriority.get(e.hwcapsName);
        if (p === undefined || p >= bestPriority) continue;
        bestPriority = p;
        best = e.value;
        continue;
      }
      if (best !== null) break;
      if ((e.hwcap & 0xffffffffn) !== 0n) continue;
      return e.value;
    }
    return best;
  }
}

/** Reads and parses a cache file; null when it is absent or unusable (ld.so then skips the cache). */
export function loadLdSoCache(path = '/etc/ld.so.cache'): LdSoCache | null {
  let buf: Buffer;
  try {
    buf = readFileSync(path);
  } catch {
    return null;
  }
  try {
    return parseLdSoCache(buf);
  } catch {
    return null;
  }
}
