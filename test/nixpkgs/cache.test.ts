import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { encodeIndex, decodeIndex, storeNameOf } from '../../src/nixpkgs/cache.js';
import { parseLocateLine, sonameOfPath, type LocateHit } from '../../src/nixpkgs/nix-locate.js';
import { InputError } from '../../src/errors.js';

const DUMP = readFileSync(resolve(__dirname, '../../fixtures/nix-locate/dump.txt'), 'utf8')
  .split('\n')
  .map(parseLocateLine)
  .filter((h): h is LocateHit => h !== null);

describe('local index file format', () => {
  it('round-trips the recorded dump: every hit is found under its file name', () => {
    const idx = decodeIndex(encodeIndex(DUMP, 'test', new Date('2026-01-02T03:04:05Z')), 'mem');
    expect(idx.provenance).toEqual({ date: '2026-01-02T03:04:05.000Z', source: 'test', entries: DUMP.length });
    for (const h of DUMP) {
      const name = sonameOfPath(h.path)!;
      expect(idx.lookup(name)).toContainEqual({ attr: h.attr, output: h.output, path: h.path, topLevel: h.topLevel, type: h.type, storeName: storeNameOf(h.storePath) });
    }
    expect(idx.lookup('libz.so.1').map((h) => h.attr).sort()).toEqual(['pkgsStatic.zlib', 'pkgsi686Linux.zlib', 'steam-run', 'zlib', 'zulip']);
    expect(idx.lookup('libnothere.so.1')).toEqual([]);
    expect(idx.lookup('')).toEqual([]);
    expect(idx.lookup('libz.so.1').find((h) => h.attr === 'zulip')?.storeName).toBe('zulip-5.12.0-extracted');
  });

  it('still loads an index written before store names were recorded', () => {
    // Rebuild the file without the stores/rowStores sections, as version 1 files were written.
    const buf = encodeIndex(DUMP, 'test');
    const headerLen = buf.readUInt32LE(12);
    const header = JSON.parse(buf.toString('utf8', 16, 16 + headerLen)) as { provenance: unknown; sections: { name: string; bytes: number }[] };
    const align = (n: number) => n + ((4 - (n % 4)) % 4);
    let pos = align(16 + headerLen);
    const kept: { name: string; bytes: number; data: Buffer }[] = [];
    for (const sec of header.sections) {
      if (!/^(stores\.|rowStores)/.test(sec.name)) kept.push({ ...sec, data: buf.subarray(pos, pos + sec.bytes) });
      pos = align(pos + sec.bytes);
    }
    const newHeader = Buffer.from(JSON.stringify({ provenance: header.provenance, sections: kept.map(({ name, bytes }) => ({ name, bytes })) }));
    const parts: Buffer[] = [Buffer.from(buf.subarray(0, 16)), newHeader];
    parts[0]!.writeUInt32LE(newHeader.length, 12);
    let len = 16 + newHeader.length;
    const pad = () => { const p = align(len) - len; if (p) { parts.push(Buffer.alloc(p)); len += p; } };
    pad();
    for (const k of kept) { parts.push(k.data); len += k.data.length; pad(); }
    const idx = decodeIndex(Buffer.concat(parts), 'old');
    const hit = idx.lookup('libz.so.1').find((h) => h.attr === 'zlib');
    expect(hit).toMatchObject({ attr: 'zlib', output: 'out', path: 'lib/libz.so.1' });
    expect(hit!.storeName).toBeUndefined();
  });

  it('round-trips arbitrary hits (property)', () => {
    const seg = fc.stringMatching(/^[A-Za-z0-9_+-][A-Za-z0-9_+.-]{0,12}$/);
    const hitArb = fc.record({
      attr: fc.array(seg, { minLength: 1, maxLength: 3 }).map((a) => a.join('.')),
      output: fc.constantFrom('out', 'lib', 'dev', 'bin'),
      size: fc.nat(),
      type: fc.constantFrom('r' as const, 'x' as const, 's' as const),
      storePath: fc.constant('/nix/store/' + 'a'.repeat(32) + '-p'),
      dir: fc.array(seg, { maxLength: 3 }).map((d) => ['lib', ...d].join('/')),
      name: fc.stringMatching(/^lib[a-zA-Z0-9_+é-]{1,8}\.so(\.[0-9]{1,2}){0,2}$/),
      topLevel: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(hitArb, { maxLength: 40 }), (raw) => {
        const hits: LocateHit[] = raw.map(({ dir, name, ...h }) => ({ ...h, path: `${dir}/${name}` }));
        const idx = decodeIndex(encodeIndex(hits, 's'), 'mem');
        const expected = new Map<string, Set<string>>();
        for (const h of hits) {
          const k = sonameOfPath(h.path)!;
          if (!expected.has(k)) expected.set(k, new Set());
          expected.get(k)!.add(JSON.stringify([h.attr, h.output, h.path, h.topLevel, h.type]));
        }
        expect(idx.size).toBe(expected.size);
        for (const [name, set] of expected) {
          const got = new Set(idx.lookup(name).map((h) => JSON.stringify([h.attr, h.output, h.path, h.topLevel, h.type])));
          // Every hit is found under its file name (duplicates may repeat; resolve merges them).
          expect([...got].every((g) => set.has(g))).toBe(true);
          const paths = (s: Set<string>) => new Set([...s].map((x) => JSON.stringify((JSON.parse(x) as unknown[]).slice(0, 3))));
          expect(paths(got)).toEqual(paths(set));
        }
      }),
      { numRuns: 100 },
    );
  });

  it('never crashes on damaged files: either a valid index or an InputError', () => {
    const good = encodeIndex(DUMP, 'test');
    fc.assert(
      fc.property(fc.nat({ max: good.length - 1 }), fc.integer({ min: 1, max: 255 }), fc.boolean(), (pos, xor, truncate) => {
        const bad = Buffer.from(truncate ? good.subarray(0, pos) : good);
        if (!truncate) bad[pos] = bad[pos]! ^ xor;
        try {
          const idx = decodeIndex(bad, 'f');
          for (const h of DUMP) idx.lookup(sonameOfPath(h.path)!);
        } catch (err) {
          expect(err).toBeInstanceOf(InputError);
          expect((err as Error).message).not.toContain('\n');
        }
      }),
      { numRuns: 300 },
    );
    expect(() => decodeIndex(Buffer.from('{"json":"no"}'), 'f')).toThrow(/f: corrupt index \(not a nixpy index/);
    expect(() => decodeIndex(Buffer.alloc(0), 'f')).toThrow(InputError);
  });
});
