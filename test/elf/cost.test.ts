import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { bufferSource, readElf, type ByteSource } from '../../src/elf/index.js';
import { elfFixtureNames, fixture } from './fixtures.js';

/** A source that counts what the reader asks for. */
function counting(bytes: Uint8Array): { src: ByteSource; reads: () => number; bytes: () => number } {
  const inner = bufferSource(bytes);
  let reads = 0;
  let total = 0;
  return {
    src: {
      size: inner.size,
      read(offset, length) {
        reads++;
        total += length;
        return inner.read(offset, length);
      },
    },
    reads: () => reads,
    bytes: () => total,
  };
}

describe('what the reader reads does not grow with the file', () => {
  it.each(elfFixtureNames())('%s padded with 16 MiB reads exactly what the original does', (name) => {
    const original = new Uint8Array(readFileSync(fixture(name)));
    const padded = new Uint8Array(original.length + 16 * 1024 * 1024);
    padded.set(original);
    const a = counting(original);
    const b = counting(padded);
    expect(readElf(b.src)).toEqual(readElf(a.src));
    expect(b.reads()).toBe(a.reads());
    expect(b.bytes()).toBe(a.bytes());
    // Header, program headers, dynamic segment, a few names: a few KiB at most.
    expect(a.bytes()).toBeLessThan(16 * 1024);
  });
});
