/**
 * Endian- and class-aware integer access to one record of the file: a DataView over the bytes
 * that hold it (a cached block of the file, or the record itself) and the record's offset in
 * it. DataView's getters are engine built-ins, so a field costs one call; the reader makes a
 * Fields for every record it touches and reads thousands of fields per scan, mostly before the
 * JIT has compiled any of it. Offsets are checked by the caller's read (the record lies within
 * the bytes), and the parsers read only inside their records.
 * 64-bit fields become numbers: exact up to 2^53, and anything larger is far beyond any file
 * size, so the range checks that follow every read reject it.
 */
export class Fields {
  constructor(
    private readonly dv: DataView,
    private readonly base: number,
    readonly le: boolean,
  ) {}

  u8(at: number): number {
    return this.dv.getUint8(this.base + at);
  }
  u16(at: number): number {
    return this.dv.getUint16(this.base + at, this.le);
  }
  u32(at: number): number {
    return this.dv.getUint32(this.base + at, this.le);
  }
  u64(at: number): number {
    const p = this.base + at;
    const lo = this.dv.getUint32(this.le ? p : p + 4, this.le);
    const hi = this.dv.getUint32(this.le ? p + 4 : p, this.le);
    return hi * 0x1_0000_0000 + lo;
  }
  /** Low 32 bits of a 64-bit field (flag words). */
  u64lo(at: number): number {
    const p = this.base + at;
    return this.dv.getUint32(this.le ? p : p + 4, this.le);
  }
  /** An address-sized field: 4 bytes in ELF32, 8 in ELF64. */
  word(at: number, is64: boolean): number {
    return is64 ? this.u64(at) : this.u32(at);
  }
}

/** Fields over bytes already read (exactly the record). */
export function fieldsOver(bytes: Uint8Array, le: boolean): Fields {
  return new Fields(new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), 0, le);
}
