import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { describeWithTool } from '../helpers/tools.js';
import { createLoaderEnv, loadClosure, LdSoCacheError, loadLdSoCache, makeCacheLookup, parseLdSoCache, X86_64_CACHE_FLAGS, type LdSoCache } from '../../src/loader/index.js';

const FIX = join(dirname(fileURLToPath(import.meta.url)), '../../fixtures/loader');
// Debian keeps ldconfig in /sbin, which a non-root PATH lacks.
const LDCONFIG = existsSync('/sbin/ldconfig') ? '/sbin/ldconfig' : 'ldconfig';

/** `ldconfig -p` reduced to (key, flags, hwcaps subdirectory, value), in cache order. */
function ldconfigList(cacheFile?: string): { key: string; flags: number; hwcaps: string | null; value: string }[] {
  const args = cacheFile ? ['-p', '-C', cacheFile] : ['-p'];
  const out = execFileSync(LDCONFIG, args, { encoding: 'utf8', env: { ...process.env, LC_ALL: 'C' } });
  const TYPES: Record<string, number> = { libc4: 0x0000, ELF: 0x0001, libc5: 0x0002, libc6: 0x0003, 'libc6,x86-64': 0x0303, 'libc6,x32': 0x0803 };
  const rows = [];
  for (const line of out.split('\n')) {
    const m = /^\t(\S+) \((.*)\) => (.*)$/.exec(line);
    if (!m) continue;
    const parts = (m[2] as string).split(', ');
    const flags = TYPES[parts[0] as string];
    if (flags === undefined) throw new Error(`unknown cache entry type in: ${line}`);
    const hw = parts.slice(1).find((p) => p.startsWith('hwcap: "'));
    rows.push({ key: m[1] as string, flags, hwcaps: hw ? hw.slice(8, -1) : null, value: m[3] as string });
  }
  return rows;
}

const ours = (c: LdSoCache) => c.entries.map((e) => ({ key: e.key, flags: e.flags, hwcaps: e.hwcapsName, value: e.value }));

describeWithTool(LDCONFIG, 'ld.so.cache reader vs ldconfig -p', () => {
  it("reads this machine's /etc/ld.so.cache entry for entry", () => {
    const cache = loadLdSoCache('/etc/ld.so.cache');
    expect(cache).not.toBeNull();
    const expected = ldconfigList();
    expect(expected.length).toBeGreaterThan(10);
    expect(ours(cache as LdSoCache)).toEqual(expected);
  });

  it('the lookup takes x86-64 entries only and the first one of a name', () => {
    const cache = loadLdSoCache('/etc/ld.so.cache') as LdSoCache;
    const lookup = makeCacheLookup(cache, X86_64_CACHE_FLAGS, new Map());
    const rows = ldconfigList().filter((r) => r.hwcaps === null);
    const firstX86 = new Map<string, string>();
    for (const r of rows) if (r.flags === 0x0303 && !firstX86.has(r.key)) firstX86.set(r.key, r.value);
    for (const [key, value] of firstX86) expect(lookup(key)).toBe(value);
    // A name present only for other ABIs (32-bit, x32) is not an x86-64 hit.
    const others = rows.filter((r) => r.flags !== 0x0303 && !firstX86.has(r.key));
    for (const r of others) expect(lookup(r.key)).toBeNull();
  });

  it('prefers the best supported glibc-hwcaps entry of a cache ldconfig built', () => {
    const tmp = mkdtempSync(join(tmpdir(), 'nixpy-ldcache-'));
    const lib = join(tmp, 'lib');
    const src = join(FIX, 'hwcaps_subdir_preferred/lib/libh.so');
    for (const sub of ['', 'glibc-hwcaps/x86-64-v2', 'glibc-hwcaps/x86-64-v3']) {
      mkdirSync(join(lib, sub), { recursive: true });
      copyFileSync(src, join(lib, sub, 'libh.so'));
    }
    writeFileSync(join(tmp, 'ld.so.conf'), `${lib}\n`);
    execFileSync(LDCONFIG, ['-X', '-C', join(tmp, 'cache'), '-f', join(tmp, 'ld.so.conf')]);
    const cache = loadLdSoCache(join(tmp, 'cache')) as LdSoCache;
    expect(ours(cache)).toEqual(ldconfigList(join(tmp, 'cache')));
    const names = cache.entries.filter((e) => e.key === 'libh.so').map((e) => e.hwcapsName);
    expect(names).toEqual(['x86-64-v2', 'x86-64-v3', null]);
    const at = (levels: string[]) => makeCacheLookup(cache, X86_64_CACHE_FLAGS, new Map(levels.map((l, i) => [l, i + 1])))('libh.so');
    expect(at(['x86-64-v4', 'x86-64-v3', 'x86-64-v2'])).toBe(join(lib, 'glibc-hwcaps/x86-64-v3/libh.so'));
    expect(at(['x86-64-v2'])).toBe(join(lib, 'glibc-hwcaps/x86-64-v2/libh.so'));
    expect(at([])).toBe(join(lib, 'libh.so'));
  });

  it('a NODEFLIB object still takes cache entries outside the system directories', () => {
    const d = join(FIX, 'nodeflib_still_uses_cache_outside_system_dirs');
    const tmp = mkdtempSync(join(tmpdir(), 'nixpy-ldcache-'));
    writeFileSync(join(tmp, 'ld.so.conf'), `${join(d, 'lib')}\n`);
    execFileSync(LDCONFIG, ['-X', '-C', join(tmp, 'cache'), '-f', join(tmp, 'ld.so.conf')]);
    const withCache = createLoaderEnv('host', { ldSoCachePath: join(tmp, 'cache') });
    expect(loadClosure(join(d, 'libroot.so'), withCache).libraries).toEqual([
      expect.objectContaining({ soname: 'libnixpy-cached.so', path: join(d, 'lib/libnixpy-cached.so'), via: 'cache' }),
    ]);
    // The system cache has no such entry, and NODEFLIB forbids the default directories.
    expect(loadClosure(join(d, 'libroot.so'), createLoaderEnv('host')).libraries[0]?.path).toBeNull();
  });
});

/** An old-format ("ld.so-1.7.0") cache image, optionally followed by an empty new-format part. */
function oldCache(entries: { flags: number; key: string; value: string }[]): Buffer {
  const head = Buffer.alloc(16);
  head.write('ld.so-1.7.0', 0, 'latin1');
  head.writeUInt32LE(entries.length, 12);
  let strings = '';
  const table = Buffer.alloc(entries.length * 12);
  entries.forEach((e, i) => {
    table.writeInt32LE(e.flags, i * 12);
    table.writeUInt32LE(strings.length, i * 12 + 4);
    strings += e.key + '\0';
    table.writeUInt32LE(strings.length, i * 12 + 8);
    strings += e.value + '\0';
  });
  return Buffer.concat([head, table, Buffer.from(strings, 'latin1')]);
}

describe('ld.so.cache reader on hand-made images', () => {
  it('reads the old libc5-era format', () => {
    const c = parseLdSoCache(oldCache([{ flags: 0x0303, key: 'libz.so.1', value: '/lib/libz.so.1' }]));
    expect(c.format).toBe('old');
    expect(makeCacheLookup(c, X86_64_CACHE_FLAGS, new Map())('libz.so.1')).toBe('/lib/libz.so.1');
  });

  it('rejects bad magic and cut-short images with a typed error; a missing file is no cache', () => {
    expect(() => parseLdSoCache(Buffer.from('hello world, not a cache'))).toThrow(LdSoCacheError);
    const real = loadLdSoCache('/etc/ld.so.cache');
    if (real) {
      const bytes = execFileSync('head', ['-c', '100', '/etc/ld.so.cache']);
      expect(() => parseLdSoCache(bytes)).toThrow(LdSoCacheError);
    }
    const old = oldCache([{ flags: 3, key: 'a', value: 'b' }]);
    expect(() => parseLdSoCache(old.subarray(0, 20))).toThrow(LdSoCacheError);
    expect(loadLdSoCache('/nonexistent/ld.so.cache')).toBeNull();
  });

  it('survives string offsets past the end (entries skipped, never a throw)', () => {
    const img = oldCache([{ flags: 0x0303, key: 'libok.so', value: '/ok' }, { flags: 0x0303, key: 'libbad.so', value: '/bad' }]);
    img.writeUInt32LE(0xfffffff0, 16 + 12 + 8); // second entry's value offset
    const c = parseLdSoCache(img);
    expect(c.entries.map((e) => e.key)).toEqual(['libok.so']);
  });
});
