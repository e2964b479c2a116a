/**
 * Endian- and class-aware integer access to a small byte range. 64-bit fields become numbers:
 * exact up to 2^53, and anything larger is far beyond any file size, so the range checks that
 * follow every read reject it.
 */
export class Fields {
  private readonly view: DataView;
  constructor(
    bytes: Uint8Array,
    readonly le: boolean,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  u8(at: number): number {
    return this.view.getUint8(at);
  }
  u16(at: number): number {
    return this.view.getUint16(at, this.le);
  }
  u32(at: number): number {
    return this.view.getUint32(at, this.le);
  }
  u64(at: number): number {
    const lo = this.view.getUint32(at + (this.le ? 0 : 4), this.le);
    const hi = this.view.getUint32(at + (this.le ? 4 : 0), this.le);
    return hi * 0x1_0000_0000 + lo;
  }
  /** Low 32 bits of a 64-bit field (flag words). */
  u64lo(at: number): number {
    return this.view.getUint32(at + (this.le ? 0 : 4), this.le);
  }
  /** An address-sized field: 4 bytes in ELF32, 8 in ELF64. */
  word(at: number, is64: boolean): number {
    return is64 ? this.u64(at) : this.u32(at);
  }
}
