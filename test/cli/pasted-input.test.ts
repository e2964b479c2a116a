import { describe, expect, it } from 'vitest';
import { MAX_ANCHOR_LINES, PastedCollector, TAIL_BYTES } from '../../src/cli/pasted-input.js';
import { parseLoaderErrors } from '../../src/plan/error-text.js';

const NOISE = (i: number): string => `INFO step ${i}: compiling module number ${i} of the project, nothing to see here\n`;

describe('the pasted error text, read with bounded memory', () => {
  it('keeps all of a small input as it was', () => {
    const c = new PastedCollector();
    const text = 'Traceback (most recent call last):\n  File "x.py", line 1\nImportError: libGL.so.1: cannot open shared object file: No such file or directory\n';
    for (const part of [text.slice(0, 7), text.slice(7, 50), text.slice(50)]) c.push(Buffer.from(part));
    const r = c.finish();
    expect(r).toEqual({ text: text.replace(/\n$/, ''), bytes: Buffer.byteLength(text), dropped: false });
  });

  it('a 64 MB log keeps its tail and the loader errors from anywhere in it, within the bound', () => {
    const c = new PastedCollector();
    c.push('OSError: libfoo.so.3: cannot open shared object file: No such file or directory\n');
    let chunk = '';
    for (let i = 0; i < 8000; i++) chunk += NOISE(i);
    const buf = Buffer.from(chunk);
    let bytes = 0;
    while (bytes < 64 * 1024 * 1024) {
      c.push(buf);
      bytes += buf.length;
    }
    c.push("ImportError: /nix/store/abc-gcc-12.3.0-lib/lib/libstdc++.so.6: version `GLIBCXX_3.4.32' not found (required by /x/_core.so)\n");
    const r = c.finish();
    expect(r.dropped).toBe(true);
    expect(r.bytes).toBeGreaterThan(64 * 1024 * 1024);
    // The bound: the tail, plus at most MAX_ANCHOR_LINES lines of at most 16 KiB.
    expect(r.text.length).toBeLessThanOrEqual(TAIL_BYTES + MAX_ANCHOR_LINES * 16 * 1024);
    const found = parseLoaderErrors(r.text).map((f) => (f.kind === 'missing-library' ? f.soname : f.version));
    expect(found).toEqual(['libfoo.so.3', 'GLIBCXX_3.4.32']);
  });

  it('cuts a line without newlines (a base64 blob) instead of holding all of it', () => {
    const c = new PastedCollector();
    const blob = 'A'.repeat(8 * 1024 * 1024);
    c.push(blob);
    c.push('\nImportError: libX11.so.6: cannot open shared object file\n');
    const r = c.finish();
    expect(r.text.length).toBeLessThanOrEqual(TAIL_BYTES + 1);
    expect(r.text.endsWith('ImportError: libX11.so.6: cannot open shared object file')).toBe(true);
  });

  it('decodes UTF-8 split across chunks', () => {
    const c = new PastedCollector();
    const b = Buffer.from('fehler: „libGL.so.1“: cannot open shared object file');
    c.push(b.subarray(0, 10));
    c.push(b.subarray(10, 11));
    c.push(b.subarray(11));
    expect(c.finish().text).toBe('fehler: „libGL.so.1“: cannot open shared object file');
  });
});
