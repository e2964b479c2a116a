import { readSync } from 'node:fs';
import { Fields, fieldsOver } from './bytes.js';
import { ElfError } from './types.js';

/**
 * Random access to an object's bytes. The reader only asks for small ranges (headers, the
 * dynamic segment, single strings), so a source never has to hold the whole file.
 */
export interface ByteSource {
  readonly size: number;
  /** Exactly `length` bytes at `offset`; throws ElfError('truncated') past the end. */
  read(offset: number, length: number): Uint8Array;
}

function checkRange(size: number, offset: number, length: number): void {
  if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0) {
    throw new ElfError('corrupt', `bad file range (offset ${offset}, length ${length})`);
  }
  if (offset + length > size) {
    throw new ElfError('truncated', `needs bytes ${offset}..${offset + length} but the file has ${size}`);
  }
}

/**
 * Fields over the record of `length` bytes at `offset`; throws as read() does. A file source
 * serves it straight from a cached block: no bytes are copied or sliced per record.
 */
export function fieldsAt(src: ByteSource, offset: number, length: number, le: boolean): Fields {
  return src instanceof FdSource ? src.fields(offset, length, le) : fieldsOver(src.read(offset, length), le);
}

/** A source over bytes already in memory (tests, fuzzing). */
export function bufferSource(bytes: Uint8Array): ByteSource {
  return {
    size: bytes.length,
    read(offset, length) {
      checkRange(bytes.length, offset, length);
      return bytes.subarray(offset, offset + length);
    },
  };
}

const BLOCK = 4096;

const typedIndexOf = Uint8Array.prototype.indexOf;
/** At most this many blocks stay cached per file: 128 KiB whatever the file's size. */
const MAX_BLOCKS = 32;

/** A ByteSource over a file that can hand its buffers back once the caller is done. */
export interface FileSource extends ByteSource {
  /** Returns the block buffers for reuse; bytes read earlier must not be used afterwards. */
  release(): void;
}

/** A cached block of a file, with the DataView that Fields read it through. */
interface Block {
  buf: Buffer;
  view: DataView;
}

/**
 * Block buffers reused from one file to the next: a scan reads thousands of objects one after
 * the other, and fresh 4 KiB buffers for each would mostly feed the garbage collector.
 */
const spareBlocks: Block[] = [];

function newBlock(): Block {
  const buf = Buffer.allocUnsafe(BLOCK);
  return { buf, view: new DataView(buf.buffer, buf.byteOffset, BLOCK) };
}

/**
 * A source over an open file descriptor using positioned reads. Reads that fit in one 4 KiB
 * block are served from a small block cache: the header, program headers, version tables and
 * most dynamic strings of a typical object share a handful of blocks, so one object costs a few
 * pread calls, not one per string.
 */
export function fdSource(fd: number, size: number): FileSource {
  return new FdSource(fd, size);
}

/**
 * A class rather than closures: a scan makes one source per object, and shared prototype
 * methods cost less to create and warm up than fresh closures each time. The block cache is two
 * parallel arrays (a typical object touches 3 or 4 blocks: a linear search beats a Map).
 */
export class FdSource implements FileSource {
  private readonly indexes: number[] = [];
  private readonly blocks: Block[] = [];

  constructor(
    private readonly fd: number,
    readonly size: number,
  ) {}

  private preadInto(buf: Buffer, offset: number, length: number): void {
    let done = 0;
    while (done < length) {
      let n: number;
      try {
        n = readSync(this.fd, buf, done, length - done, offset + done);
      } catch (err) {
        const e = err as NodeJS.ErrnoException;
        throw new ElfError('io', `read failed: ${e.code ?? e.message}`);
      }
      if (n === 0) throw new ElfError('truncated', `file ended at ${offset + done} (changed while reading?)`);
      done += n;
    }
  }

  // One 4 KiB block per pread: measured against fetching 8 and 16 KiB at a time, single blocks
  // cost the least CPU over a scan (larger copies outweigh the saved calls).
  private block(index: number): Block {
    const { indexes, blocks } = this;
    for (let i = 0; i < indexes.length; i++) if (indexes[i] === index) return blocks[i] as Block;
    if (indexes.length >= MAX_BLOCKS) {
      // The oldest is dropped, not recycled: bytes handed out from it may still be in use until
      // release().
      indexes.shift();
      blocks.shift();
    }
    const b = spareBlocks.pop() ?? newBlock();
    const start = index * BLOCK;
    try {
      this.preadInto(b.buf, start, Math.min(BLOCK, this.size - start));
    } catch (err) {
      spareBlocks.push(b);
      throw err;
    }
    indexes.push(index);
    blocks.push(b);
    return b;
  }

  read(offset: number, length: number): Uint8Array {
    const first = this.singleBlock(offset, length);
    if (first === null) {
      const buf = Buffer.allocUnsafe(length);
      this.preadInto(buf, offset, length);
      return buf;
    }
    const at = offset - first * BLOCK;
    return this.block(first).buf.subarray(at, at + length);
  }

  /** See fieldsAt. */
  fields(offset: number, length: number, le: boolean): Fields {
    const first = this.singleBlock(offset, length);
    return first === null ? fieldsOver(this.read(offset, length), le) : new Fields(this.block(first).view, offset - first * BLOCK, le);
  }

  /** The block that holds the whole range, or null when it spans several; throws as read() does. */
  private singleBlock(offset: number, length: number): number | null {
    checkRange(this.size, offset, length);
    const first = Math.floor(offset / BLOCK);
    return first === Math.floor((offset + Math.max(length, 1) - 1) / BLOCK) ? first : null;
  }

  /**
   * The NUL-terminated string at `offset` when it ends inside offset's block and before `end`,
   * else null (the caller then takes the general path). Most dynamic strings are served here,
   * straight from the cached block, without a subarray per string.
   */
  cStringInBlock(offset: number, end: number): string | null {
    const index = Math.floor(offset / BLOCK);
    const b = this.block(index).buf;
    const at = offset - index * BLOCK;
    // The engine's own search, not Buffer's JavaScript wrapper around a native call; and no
    // encoding argument, which spares toString its encoding lookup (UTF-8 is the default).
    const nul = typedIndexOf.call(b, 0, at);
    if (nul < 0 || nul - at >= end - offset || nul >= Math.min(BLOCK, this.size - index * BLOCK)) return null;
    return b.toString(undefined, at, nul);
  }

  release(): void {
    for (const b of this.blocks) if (spareBlocks.length < MAX_BLOCKS * 2) spareBlocks.push(b);
    this.indexes.length = 0;
    this.blocks.length = 0;
  }
}
