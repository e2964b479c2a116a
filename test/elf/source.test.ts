import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ElfError, fdSource } from '../../src/elf/index.js';

describe('fdSource', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nixpy-src-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const bytes = Buffer.alloc(300 * 1024);
  for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 2654435761) >>> 24;
  const path = join(dir, 'data');
  writeFileSync(path, bytes);

  it('serves exact ranges within a block, across blocks and at the end of the file', () => {
    const fd = openSync(path, 'r');
    try {
      const src = fdSource(fd, bytes.length);
      for (const [off, len] of [[0, 16], [4090, 12], [8192, 4096], [bytes.length - 5, 5], [100, 20000]] as const) {
        expect(Buffer.from(src.read(off, len)).equals(bytes.subarray(off, off + len)), `${off}+${len}`).toBe(true);
      }
      expect(() => src.read(bytes.length - 4, 8)).toThrow(ElfError);
    } finally {
      closeSync(fd);
    }
  });

  it('bytes handed out stay intact while many other blocks are read', () => {
    const fd = openSync(path, 'r');
    try {
      const src = fdSource(fd, bytes.length);
      const first = src.read(10, 64);
      const copy = Buffer.from(first);
      for (let b = 1; b < 70; b++) src.read(b * 4096 + 7, 32);
      expect(Buffer.from(first).equals(copy)).toBe(true);
      src.release();
      // A new source reusing the released buffers still reads correctly.
      const again = fdSource(fd, bytes.length);
      expect(Buffer.from(again.read(123 * 1024, 100)).equals(bytes.subarray(123 * 1024, 123 * 1024 + 100))).toBe(true);
      again.release();
    } finally {
      closeSync(fd);
    }
  });

  it('reports a file that shrank under it as truncated', () => {
    const p = join(dir, 'shrinks');
    writeFileSync(p, bytes.subarray(0, 1000));
    const fd = openSync(p, 'r');
    try {
      const e = (() => {
        try {
          fdSource(fd, 8000).read(5000, 10);
        } catch (err) {
          return err;
        }
        return null;
      })();
      expect(e).toBeInstanceOf(ElfError);
      expect((e as ElfError).code).toBe('truncated');
    } finally {
      closeSync(fd);
    }
  });
});
