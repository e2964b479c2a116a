/**
 * Endian- and class-aware integer access to a small byte range. Plain byte arithmetic rather
 * than a DataView: the reader makes a Fields for every record it touches, and constructing a
 * DataView each time showed up in scan profiles. Offsets are checked by the caller's read (the
 * bytes are exactly the record), so an out-of-range index here is a bug and reads as 0.
 * 64-bit fields become numbers: exact up to 2^53, and anything larger is far beyond any file
 * size, so the range checks that follow every read reject it.
 */
export class Fields {
  constructor(
    private readonly b: Uint8Array,
    readonly le: boolean,
  ) {}

  u8(at: number): number {
    return this.b[at] ?? 0;
  }
  u16(at: number): number {
    const b = this.b;
    return this.le ? ((b[at] ?? 0) | ((b[at + 1] ?? 0) << 8)) : (((b[at] ?? 0) << 8) | (b[at + 1] ?? 0));
  }
  u32(at: number): number {
    const b = this.b;
    return this.le
      ? ((b[at] ?? 0) | ((b[at + 1] ?? 0) << 8) | ((b[at + 2] ?? 0) << 16) | ((b[at + 3] ?? 0) << 24)) >>> 0
      : (((b[at] ?? 0) << 24) | ((b[at + 1] ?? 0) << 16) | ((b[at + 2] ?? 0) << 8) | (b[at + 3] ?? 0)) >>> 0;
  }
  u64(at: number): number {
    const lo = this.u32(at + (this.le ? 0 : 4));
    const hi = this.u32(at + (this.le ? 4 : 0));
    return hi * 0x1_0000_0000 + lo;
  }
  /** Low 32 bits of a 64-bit field (flag words). */
  u64lo(at: number): number {
    return this.u32(at + (this.le ? 0 : 4));
  }
  /** An address-sized field: 4 bytes in ELF32, 8 in ELF64. */
  word(at: number, is64: boolean): number {
    return is64 ? this.u64(at) : this.u32(at);
  }
}
