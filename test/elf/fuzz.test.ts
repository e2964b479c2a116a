import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { bufferSource, ElfError, readElf } from '../../src/elf/index.js';
import { readHeader } from '../../src/elf/header.js';
import { PT_DYNAMIC, readProgramHeaders } from '../../src/elf/program-headers.js';
import { elfFixtureNames, fixture } from './fixtures.js';

/** mulberry32: a small seeded PRNG, so a failure names a reproducible case. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Outcome = 'info' | ElfError['code'];

/** Parses; anything but an ElfInfo or an ElfError fails the test with the case's name. */
function outcome(bytes: Uint8Array, label: string): Outcome {
  try {
    const info = readElf(bufferSource(bytes));
    expect(typeof info.elfClass, label).toBe('number');
    return 'info';
  } catch (err) {
    if (!(err instanceof ElfError)) throw new Error(`${label}: ${(err as Error).stack}`);
    expect(err.message, label).not.toContain('\n');
    return err.code;
  }
}

/** The byte ranges a mutation should hit: header, program headers, dynamic segment. */
function layout(bytes: Uint8Array): { header: [number, number]; phdrs: [number, number]; dynamic: [number, number] } {
  const src = bufferSource(bytes);
  const h = readHeader(src);
  const ph = readProgramHeaders(src, h);
  const phdrs: [number, number] = [h.phoff, h.phoff + h.phnum * h.phentsize];
  const dyn = ph.find((p) => p.type === PT_DYNAMIC);
  return {
    header: [0, h.is64 ? 64 : 52],
    phdrs,
    // A static executable has none: its program headers are then the last thing read.
    dynamic: dyn ? [dyn.offset, dyn.offset + dyn.filesz] : phdrs,
  };
}

const names = elfFixtureNames();

describe('fuzz: corrupted copies of real objects give an ElfInfo or an ElfError, nothing else', () => {
  it.each(names)('truncations of %s', (name) => {
    const bytes = new Uint8Array(readFileSync(fixture(name)));
    const l = layout(bytes);
    const cuts = new Set<number>();
    for (let i = 0; i <= 256; i++) cuts.add(i);
    for (let i = l.phdrs[0]; i <= l.phdrs[1]; i++) cuts.add(i);
    for (let i = l.dynamic[0]; i <= l.dynamic[1]; i++) cuts.add(i);
    for (let i = 0; i < bytes.length; i += 61) cuts.add(i);
    for (const cut of cuts) {
      const result = outcome(bytes.subarray(0, cut), `${name} cut at ${cut}`);
      // Everything up to the end of the dynamic segment (or of the program headers) is needed: a
      // shorter copy never parses.
      if (cut < Math.max(l.dynamic[1], l.phdrs[1])) expect(result, `${name} cut at ${cut}`).not.toBe('info');
    }
  });

  it.each(names)('random byte and word overwrites in the structures of %s', (name) => {
    const original = new Uint8Array(readFileSync(fixture(name)));
    const l = layout(original);
    const ranges = [l.header, l.phdrs, l.dynamic];
    const rand = prng(0xe1f + name.length * 7919 + original.length);
    const interesting = [0, 1, 0x7f, 0x80, 0xff, 0xfe];
    const counts: Record<string, number> = {};
    for (let i = 0; i < 1500; i++) {
      const bytes = original.slice();
      const edits = 1 + Math.floor(rand() * 4);
      const desc: string[] = [];
      for (let k = 0; k < edits; k++) {
        const [lo, hi] = ranges[Math.floor(rand() * ranges.length)]!;
        const at = lo + Math.floor(rand() * Math.max(1, hi - lo));
        if (rand() < 0.5) {
          const v = rand() < 0.5 ? interesting[Math.floor(rand() * interesting.length)]! : Math.floor(rand() * 256);
          bytes[at] = v;
          desc.push(`[${at}]=${v}`);
        } else {
          // A whole 4-byte field: absurd counts, offsets and addresses.
          const v = rand() < 0.5 ? 0xffffffff : Math.floor(rand() * 0x100000000);
          for (let b = 0; b < 4 && at + b < bytes.length; b++) bytes[at + b] = (v >>> (8 * b)) & 0xff;
          desc.push(`[${at}..+4]=0x${v.toString(16)}`);
        }
      }
      const r = outcome(bytes, `${name} ${desc.join(' ')}`);
      counts[r] = (counts[r] ?? 0) + 1;
    }
    // The mutations must actually reach the reader's checks, not only bounce off the magic.
    expect(Object.keys(counts).length).toBeGreaterThan(1);
  });

  it.each(names)('random bytes anywhere in %s', (name) => {
    const original = new Uint8Array(readFileSync(fixture(name)));
    const rand = prng(0x5eed ^ original.length);
    for (let i = 0; i < 300; i++) {
      const bytes = original.slice();
      const desc: string[] = [];
      for (let k = 0; k < 16; k++) {
        const at = Math.floor(rand() * bytes.length);
        bytes[at] = Math.floor(rand() * 256);
        desc.push(`[${at}]`);
      }
      outcome(bytes, `${name} ${desc.join('')}`);
    }
  });
});

describe('absurd counts are refused, not allocated or looped over', () => {
  const original = new Uint8Array(readFileSync(fixture('libcxx.so')));

  function patched(at: number, width: 2 | 4 | 8, value: number): Uint8Array {
    const b = original.slice();
    const dv = new DataView(b.buffer);
    if (width === 2) dv.setUint16(at, value, true);
    else if (width === 4) dv.setUint32(at, value, true);
    else dv.setBigUint64(at, BigInt(value), true);
    return b;
  }

  it('e_phnum = 0xfffe', () => {
    expect(outcome(patched(56, 2, 0xfffe), 'phnum')).toBe('corrupt');
  });

  it('e_phnum = PN_XNUM', () => {
    expect(outcome(patched(56, 2, 0xffff), 'phnum')).toBe('unsupported');
  });

  it('a dynamic segment claiming 2^40 bytes', () => {
    const src = bufferSource(original);
    const ph = readProgramHeaders(src, readHeader(src));
    const i = ph.findIndex((p) => p.type === PT_DYNAMIC);
    const phoff = readHeader(src).phoff;
    expect(outcome(patched(phoff + i * 56 + 32, 8, 2 ** 40), 'dyn filesz')).toBe('corrupt');
  });

  it('DT_VERNEEDNUM = 2^32-1', () => {
    const l = layout(original);
    const dv = new DataView(original.buffer, original.byteOffset);
    let at = -1;
    for (let p = l.dynamic[0]; p < l.dynamic[1]; p += 16) if (dv.getUint32(p, true) === 0x6fffffff) at = p + 8;
    expect(at).toBeGreaterThan(0);
    expect(outcome(patched(at, 8, 0xffffffff), 'verneednum')).toBe('corrupt');
  });

  it('many version-need entries sharing one long aux chain hit the total cap', () => {
    // A hand-made table: 1024 Verneed records, each claiming 1024 aux records in one shared
    // chain of 1024 Vernaux. Per-chain caps alone would allow a million reads.
    const b = original.slice();
    const l = layout(b);
    const dv = new DataView(b.buffer, b.byteOffset);
    let verneedAddr = -1;
    let numAt = -1;
    for (let p = l.dynamic[0]; p < l.dynamic[1]; p += 16) {
      if (dv.getUint32(p, true) === 0x6ffffffe) verneedAddr = Number(dv.getBigUint64(p + 8, true));
      if (dv.getUint32(p, true) === 0x6fffffff) numAt = p + 8;
    }
    expect(verneedAddr).toBeGreaterThan(0);
    // The fixture maps its first segment at vaddr 0 = offset 0, so the address is the offset.
    const big = new Uint8Array(b.length + 1024 * 16 + 1024 * 16);
    big.set(b);
    const bv = new DataView(big.buffer);
    const needAt = b.length;
    const auxAt = needAt + 1024 * 16;
    for (let i = 0; i < 1024; i++) {
      const at = needAt + i * 16;
      bv.setUint16(at, 1, true);
      bv.setUint16(at + 2, 1024, true); // vn_cnt
      bv.setUint32(at + 4, 1, true); // vn_file: some string
      bv.setUint32(at + 8, auxAt - at, true); // vn_aux
      bv.setUint32(at + 12, i === 1023 ? 0 : 16, true); // vn_next
    }
    for (let j = 0; j < 1024; j++) {
      const at = auxAt + j * 16;
      bv.setUint32(at + 8, 1, true); // vna_name
      bv.setUint32(at + 12, j === 1023 ? 0 : 16, true); // vna_next
    }
    // Point DT_VERNEED at the new table through a PT_LOAD that covers it: stretch the first one.
    const src = bufferSource(big);
    const h = readHeader(src);
    const ph = readProgramHeaders(src, h);
    const first = ph.findIndex((p) => p.type === 1);
    expect(ph[first]!.vaddr).toBe(0);
    expect(ph[first]!.offset).toBe(0);
    bv.setBigUint64(h.phoff + first * 56 + 32, BigInt(big.length), true); // p_filesz
    for (let p = l.dynamic[0]; p < l.dynamic[1]; p += 16) {
      if (bv.getUint32(p, true) === 0x6ffffffe) bv.setBigUint64(p + 8, BigInt(needAt), true);
    }
    bv.setBigUint64(numAt, 1024n, true);
    let err: unknown = null;
    try {
      readElf(bufferSource(big));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ElfError);
    expect((err as ElfError).message).toContain('needed versions');
  });
});
