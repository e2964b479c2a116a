import { describe, expect, it, vi, beforeEach } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

// Run main() with only this commands registered, so these tests exercise resolve/index
// through the real yargs wiring without depending on the state of other commands.
vi.mock('../../src/cli/commands/all.js', async () => {
  const { resolveCommand } = await import('../../src/cli/commands/resolve.js');
  const { indexCommand } = await import('../../src/cli/commands/index-build.js');
  return { commands: [resolveCommand, indexCommand] };
});
const { main } = await import('../../src/cli/main.js');
import { fakeIo } from './cli-helpers.js';

const FIXTURES = resolve(__dirname, '../../fixtures/nix-locate');
const DUMP = join(FIXTURES, 'dump.txt');

let cache: string;
let env: NodeJS.ProcessEnv;
beforeEach(() => {
  cache = mkdtempSync(join(tmpdir(), 'nixpy-idx-'));
  env = { HOME: cache, XDG_CACHE_HOME: cache, PATH: process.env.PATH };
});

describe('nixpy resolve', () => {
  it('prints the contract JSON with the embedded pick first', async () => {
    const io = fakeIo(env);
    const code = await main(['resolve', 'libz.so.1', 'libstdc++.so.6', '--json'], io);
    expect(code).toBe(0);
    const doc = JSON.parse(io.out.join('')) as { results: { soname: string; category: string; candidates: { attr: string; output: string; path: string; source: string; why: string }[] }[] };
    expect(doc.results.map((r) => r.soname)).toEqual(['libz.so.1', 'libstdc++.so.6']);
    const z = doc.results[0]!;
    expect(z.category).toBe('package');
    expect(z.candidates[0]).toMatchObject({ attr: 'zlib', output: 'out', path: 'lib/libz.so.1', source: 'embedded' });
    expect(z.candidates[0]!.why).toMatch(/curated/);
    expect(doc.results[1]!.candidates[0]!.attr).toBe('stdenv.cc.cc.lib');
    expect((doc as unknown as { index: { local: unknown; embedded: number } }).index).toMatchObject({ local: null });
  });

  it('exits 1 when a soname is unknown, 0 for glibc and driver advice', async () => {
    const io = fakeIo(env);
    expect(await main(['resolve', 'libc.so.6', 'libcuda.so.1', '--json'], io)).toBe(0);
    const doc = JSON.parse(io.out.join('')) as { results: { category: string; candidates: unknown[]; note?: string }[] };
    expect(doc.results.map((r) => r.category)).toEqual(['glibc', 'driver']);
    expect(doc.results[1]!.candidates).toEqual([]);
    expect(doc.results[1]!.note).toMatch(/addDriverRunpath\.driverLink/);
    expect(doc.results[1]!.note).not.toMatch(/pkgs\.linuxPackages/);
    const io2 = fakeIo(env);
    expect(await main(['resolve', 'libz.so.1', 'libdefinitelynotreal.so.9'], io2)).toBe(1);
    expect(io2.out.join('')).toMatch(/pkgs\.zlib/);
    expect(io2.out.join('')).toMatch(/no candidate/);
  });

  it('rejects an empty name and a path with exit 2 and one line', async () => {
    for (const bad of ['', '/usr/lib/libz.so.1']) {
      const io = fakeIo(env);
      expect(await main(['resolve', bad], io)).toBe(2);
      expect(io.err.join('').trim().split('\n')).toHaveLength(1);
      expect(io.out.join('')).toBe('');
    }
  });

  it('rejects a corrupt --index file with exit 2 and a one-line error', async () => {
    const bad = join(cache, 'bad.bin');
    writeFileSync(bad, 'NIXPYIDX\x01\x00\x00\x00garbage');
    const io = fakeIo(env);
    expect(await main(['resolve', 'libz.so.1', '--index', bad], io)).toBe(2);
    const err = io.err.join('');
    expect(err.trim().split('\n')).toHaveLength(1);
    expect(err).toMatch(/corrupt index/);
  });

  it('a corrupt default cache is also exit 2', async () => {
    const file = join(cache, 'nixpy', 'index.bin');
    await main(['index', 'build', '--from', DUMP], fakeIo(env));
    const buf = readFileSync(file);
    writeFileSync(file, buf.subarray(0, buf.length - 7)); // truncated
    const io = fakeIo(env);
    expect(await main(['resolve', 'libz.so.1'], io)).toBe(2);
    expect(io.err.join('')).toMatch(/corrupt index \(truncated/);
  });
});

describe('nixpy index build', () => {
  it('builds the cache from a saved dump and resolve then uses it', async () => {
    const io = fakeIo(env);
    expect(await main(['index', 'build', '--from', DUMP, '--json'], io)).toBe(0);
    const summary = JSON.parse(io.out.join('')) as { file: string; provenance: { source: string; entries: number; date: string } };
    expect(summary.file).toBe(join(cache, 'nixpy', 'index.bin'));
    expect(summary.provenance.source).toBe(DUMP);
    // 27 lines, all library files; the directory-less duplicates are kept per attr/output/path.
    expect(summary.provenance.entries).toBe(readFileSync(DUMP, 'utf8').trim().split('\n').length);
    expect(Number.isNaN(Date.parse(summary.provenance.date))).toBe(false);
    expect(readdirSync(join(cache, 'nixpy'))).toEqual(['index.bin']); // no temp file left behind

    const io2 = fakeIo(env);
    expect(await main(['resolve', 'libfoo.so.3', 'libz.so.1', '--json'], io2)).toBe(0);
    const doc = JSON.parse(io2.out.join('')) as { results: { category: string; candidates: { attr: string; source: string; why: string }[] }[] };
    expect(doc.results[0]!.category).toBe('package');
    expect(doc.results[0]!.candidates[0]).toMatchObject({ attr: 'libfoo', source: 'nix-locate' });
    expect((doc as unknown as { index: { local: { source: string; file: string } } }).index.local).toMatchObject({ source: DUMP, file: join(cache, 'nixpy', 'index.bin') });
    const z = doc.results[1]!.candidates;
    expect(z[0]).toMatchObject({ attr: 'zlib', source: 'embedded' });
    expect(z[0]!.why).toMatch(/confirmed by nix-locate/);
    const order = z.map((c) => c.attr);
    // bundling apps and other package sets are ranked below the clean provider
    expect(order.indexOf('zlib')).toBeLessThan(order.indexOf('steam-run'));
    expect(order.indexOf('zlib')).toBeLessThan(order.indexOf('pkgsi686Linux.zlib'));
  });

  it('--index FILE names where to write, and resolve --index reads it', async () => {
    const target = join(cache, 'elsewhere', 'my.idx');
    expect(await main(['index', 'build', '--from', DUMP, '--index', target], fakeIo(env))).toBe(0);
    expect(existsSync(target)).toBe(true);
    expect(existsSync(join(cache, 'nixpy', 'index.bin'))).toBe(false);
    const io = fakeIo(env);
    expect(await main(['resolve', 'libfoo.so.3', '--index', target], io)).toBe(0);
    expect(io.out.join('')).toMatch(/pkgs\.libfoo/);
    // without --index and without a default cache, only the embedded index answers
    expect(await main(['resolve', 'libfoo.so.3'], fakeIo(env))).toBe(1);
    const missing = fakeIo(env);
    expect(await main(['resolve', 'libz.so.1', '--index', join(cache, 'nope.idx')], missing)).toBe(2);
    expect(missing.err.join('')).toMatch(/: cannot read: no such file or directory\n$/);
  });

  it('rejects an unknown action and a missing --from value with exit 2', async () => {
    for (const argv of [['index', 'rebuild'], ['index', 'build', '--from']]) {
      const io = fakeIo(env);
      expect(await main(argv, io)).toBe(2);
      expect(io.out.join('')).toBe('');
    }
  });

  it('reads a dump from stdin with --from -', async () => {
    const io = fakeIo(env, readFileSync(DUMP, 'utf8'));
    expect(await main(['index', 'build', '--from', '-'], io), io.err.join('')).toBe(0);
    expect(io.out.join('')).toMatch(/indexed \d+ library files/);
    expect(existsSync(join(cache, 'nixpy', 'index.bin'))).toBe(true);
  });

  it('runs nix-locate exactly once with one regex', async () => {
    const log = join(cache, 'calls.log');
    const e = { ...env, PATH: `${join(FIXTURES, 'bin')}:${process.env.PATH}`, NIXPY_FAKE_LOCATE_LOG: log };
    const io = fakeIo(e);
    expect(await main(['index', 'build'], io)).toBe(0);
    const calls = readFileSync(log, 'utf8').trim().split('\n');
    expect(calls).toHaveLength(1);
    const args = calls[0]!.split('\t');
    expect(args).toContain('--regex');
    const regex = args[args.length - 1]!;
    const re = new RegExp(regex);
    expect(re.test('/nix/store/x-zlib/lib/libz.so.1')).toBe(true);
    expect(re.test('/nix/store/x-zlib/lib/python3.13/site-packages/a/libfoo.so')).toBe(true);
    expect(re.test('/nix/store/x-zlib/bin/zcat')).toBe(false);
    expect(args.filter((a) => !a.startsWith('-') && !['r', 'x', 's'].includes(a))).toHaveLength(1);
    expect(io.out.join('')).toMatch(/from nix-locate/);
  });

  it('missing nix-locate: clear message, exit 2, cache untouched', async () => {
    const io = fakeIo({ ...env, PATH: join(cache, 'empty-bin') });
    expect(await main(['index', 'build'], io)).toBe(2);
    const err = io.err.join('');
    expect(err).toMatch(/nix-locate not found/);
    expect(err).toMatch(/embedded index still serves/);
    expect(err.trim().split('\n')).toHaveLength(1);
    expect(existsSync(join(cache, 'nixpy'))).toBe(false);
  });

  it('missing database: nix-locate error reported, exit 2', async () => {
    const e = { ...env, PATH: `${join(FIXTURES, 'bin')}:${process.env.PATH}`, NIXPY_FAKE_LOCATE_FAIL: '1' };
    const io = fakeIo(e);
    expect(await main(['index', 'build'], io)).toBe(2);
    expect(io.err.join('')).toMatch(/nix-locate failed: error: reading from the database/);
    expect(io.err.join('')).toMatch(/embedded index still serves/);
  });

  it('an unreadable or empty dump is exit 2 and leaves the old cache', async () => {
    await main(['index', 'build', '--from', DUMP], fakeIo(env));
    const before = readFileSync(join(cache, 'nixpy', 'index.bin'));
    const empty = join(cache, 'empty.txt');
    writeFileSync(empty, 'warning: something\n\n');
    for (const from of [empty, join(cache, 'nope.txt')]) {
      const io = fakeIo(env);
      expect(await main(['index', 'build', '--from', from], io)).toBe(2);
      expect(io.err.join('').trim().split('\n')).toHaveLength(1);
    }
    expect(readFileSync(join(cache, 'nixpy', 'index.bin')).equals(before)).toBe(true);
  });
});
