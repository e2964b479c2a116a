import { readSync } from 'node:fs';
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
/** At most this many blocks stay cached per file: 128 KiB whatever the file's size. */
const MAX_BLOCKS = 32;

/** A ByteSource over a file that can hand its buffers back once the caller is done. */
export interface FileSource extends ByteSource {
  /** Returns the block buffers for reuse; bytes read earlier must not be used afterwards. */
  release(): void;
}

/**
 * Block buffers reused from one file to the next: a scan reads thousands of objects one after
 * the other, and fresh 4 KiB buffers for each would mostly feed the garbage collector.
 */
const spareBlocks: Buffer[] = [];

/**
 * A source over an open file descriptor using positioned reads. Reads that fit in one 4 KiB
 * block are served from a small block cache: the header, program headers, version tables and
 * most dynamic strings of a typical object share a handful of blocks, so one object costs a few
 * pread calls, not one per string.
 */
export function fdSource(fd: number, size: number): FileSource {
  const blocks = new Map<number, Buffer>();

  function preadInto(buf: Buffer, offset: number, length: number): void {
    let done = 0;
    while (done < length) {
      let n: number;
      try {
        n = readSync(fd, buf, done, length - done, offset + done);
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
  function block(index: number): Buffer {
    const cached = blocks.get(index);
    if (cached !== undefined) return cached;
    if (blocks.size >= MAX_BLOCKS) {
      // Dropped, not recycled: bytes handed out from it may still be in use until release().
      blocks.delete(blocks.keys().next().value as number);
    }
    const b = spareBlocks.pop() ?? Buffer.allocUnsafe(BLOCK);
    const start = index * BLOCK;
    try {
      preadInto(b, start, Math.min(BLOCK, size - start));
    } catch (err) {
      spareBlocks.push(b);
      throw err;
    }
    blocks.set(index, b);
    return b;
  }

  return {
    size,
    read(offset, length) {
      checkRange(size, offset, length);
      const first = Math.floor(offset / BLOCK);
      const last = Math.floor((offset + Math.max(length, 1) - 1) / BLOCK);
      if (first === last) {
        const at = offset - first * BLOCK;
        return block(first).subarray(at, at + length);
      }
      const buf = Buffer.allocUnsafe(length);
      preadInto(buf, offset, length);
      return buf;
    },
    release() {
      for (const b of blocks.values()) if (spareBlocks.length < MAX_BLOCKS * 2) spareBlocks.push(b);
      blocks.clear();
    },
  };
}
