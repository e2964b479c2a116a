import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import type { Io } from '../../src/cli/io.js';
import { recordingIo, type RecordingIo } from '../helpers/io.js';
import { NIXOS_GLIBC_LIBDIR } from '../../src/loader/index.js';

const FIX = join(dirname(fileURLToPath(import.meta.url)), '../../fixtures/loader');

function fakeIo(over: Partial<Io> = {}): RecordingIo {
  return recordingIo({ env: {}, cwd: FIX, ...over });
}

describe('nixpy tree', () => {
  it('--json prints the contract document for one FILE and exits 0 when all resolve', async () => {
    const io = fakeIo();
    const code = await main(['tree', 'rpath_is_inherited_down_the_load_chain/libroot.so', '--json', '--env', 'host'], io);
    expect(io.err).toBe('');
    expect(code).toBe(0);
    const d = join(FIX, 'rpath_is_inherited_down_the_load_chain');
    expect(JSON.parse(io.out)).toEqual({
      path: join(d, 'libroot.so'),
      libraries: [
        { soname: 'liba.so', path: `${d}/a/liba.so`, via: 'rpath' },
        { soname: 'libb.so', path: `${d}/b/libb.so`, via: 'rpath' },
      ],
    });
  });

  it('--json with several FILEs prints an array in argument order; a missing library exits 1', async () => {
    const io = fakeIo();
    const files = ['missing_library_reported_not_found/libroot.so', 'hwcaps_subdir_preferred/libroot.so'];
    const code = await main(['tree', ...files, '--json', '--env', 'host'], io);
    expect(code).toBe(1);
    const docs = JSON.parse(io.out) as { path: string; libraries: unknown[] }[];
    expect(docs.map((x) => x.path)).toEqual(files.map((f) => join(FIX, f)));
    expect(docs[0]?.libraries).toEqual([{ soname: 'libnixpy-missing.so.1', path: null, via: null }]);
  });

  it('--ld-library-path overrides $LD_LIBRARY_PATH', async () => {
    const d = join(FIX, 'ld_library_path_before_runpath');
    const io = fakeIo({ env: { LD_LIBRARY_PATH: '/nonexistent' } });
    await main(['tree', join(d, 'libroot.so'), '--json', '--env', 'host', '--ld-library-path', join(d, 'llp')], io);
    expect(JSON.parse(io.out).libraries[0]).toEqual({ soname: 'libx.so', path: join(d, 'llp/libx.so'), via: 'ld_library_path' });
    const io2 = fakeIo({ env: { LD_LIBRARY_PATH: join(d, 'llp') } });
    await main(['tree', join(d, 'libroot.so'), '--json', '--env', 'host'], io2);
    expect(JSON.parse(io2.out).libraries[0].via).toBe('ld_library_path');
  });

  it('defaults to --env nixos: glibc from the virtual nixpkgs glibc, libz not found', async () => {
    const io = fakeIo();
    const code = await main(['tree', 'nodeflib_skips_default_dirs/mid/libmid.so', '--json'], io);
    expect(code).toBe(1);
    expect(JSON.parse(io.out).libraries).toEqual([{ soname: 'libz.so.1', path: null, via: null }]);
    const libz = fakeIo();
    await main(['tree', '/usr/lib/x86_64-linux-gnu/libz.so.1', '--json'], libz);
    expect(JSON.parse(libz.out).libraries).toEqual([
      { soname: 'libc.so.6', path: `${NIXOS_GLIBC_LIBDIR}/libc.so.6`, via: 'default' },
      { soname: 'ld-linux-x86-64.so.2', path: `${NIXOS_GLIBC_LIBDIR}/ld-linux-x86-64.so.2`, via: 'loaded' },
    ]);
  });

  it('human output: an indented tree, "not found" marked, exit 1', async () => {
    const io = fakeIo();
    const code = await main(['tree', 'runpath_is_not_inherited/libroot.so', '--env', 'host', '--no-color'], io);
    expect(code).toBe(1);
    const d = join(FIX, 'runpath_is_not_inherited');
    expect(io.out).toBe(`${d}/libroot.so\n└── liba.so => ${d}/a/liba.so [runpath]\n    └── libb.so => not found\n`);
  });

  it('colours "not found" red when colour is on', async () => {
    const io = fakeIo();
    await main(['tree', 'missing_library_reported_not_found/libroot.so', '--env', 'host', '--color'], io);
    expect(io.out).toContain('\u001b[31mnot found\u001b[39m');
  });

  it('a linker script under the right name: error shown, exit 1, JSON carries it', async () => {
    const io = fakeIo();
    const code = await main(['tree', 'linker_script_stops_search/libroot.so', '--env', 'host', '--json'], io);
    expect(code).toBe(1);
    expect(JSON.parse(io.out).libraries).toEqual([
      { soname: 'libls.so', path: join(FIX, 'linker_script_stops_search/script/libls.so'), via: 'runpath', error: 'invalid ELF header' },
    ]);
  });

  it('a missing, non-ELF or directory FILE is an input error: one line, exit 2', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'nixpy-tree-'));
    writeFileSync(join(tmp, 'script.so'), 'GROUP ( libc.so.6 )\n');
    for (const bad of [join(tmp, 'nope.so'), join(tmp, 'script.so'), tmp, join(FIX, 'wrong_class_candidate_is_skipped/32/libw.so')]) {
      const io = fakeIo();
      const code = await main(['tree', bad, '--json'], io);
      expect(code).toBe(2);
      expect(io.out).toBe('');
      expect(io.err.trim().split('\n')).toHaveLength(1);
      expect(io.err).toContain(bad);
    }
  });

  it('needs at least one FILE', async () => {
    const io = fakeIo();
    expect(await main(['tree'], io)).toBe(2);
  });
});

describe('nixpy tree, a name found only after failing for an earlier object', () => {
  it('exits 1 and says for whom it was not found', async () => {
    const io = fakeIo();
    const code = await main(['tree', 'nodeflib_skips_default_dirs/libroot.so', '--env', 'host', '--json'], io);
    expect(code).toBe(1);
    const z = (JSON.parse(io.out).libraries as { soname: string; notFoundFor?: string[] }[]).find((l) => l.soname === 'libz.so.1');
    expect(z?.notFoundFor).toEqual([join(FIX, 'nodeflib_skips_default_dirs/libroot.so')]);
    const human = fakeIo();
    await main(['tree', 'nodeflib_skips_default_dirs/libroot.so', '--env', 'host', '--no-color'], human);
    expect(human.out).toContain(`(not found for ${join(FIX, 'nodeflib_skips_default_dirs/libroot.so')})`);
  });
});

describe('nixpy tree paths are absolute', () => {
  it('a relative FILE and a relative DT_NEEDED path come out absolute, "." segments dropped', async () => {
    const d = join(FIX, 'needed_with_slash_is_a_path');
    const io = fakeIo({ cwd: d });
    expect(await main(['tree', './libroot.so', '--json', '--env', 'host'], io)).toBe(0);
    expect(JSON.parse(io.out)).toEqual({ path: join(d, 'libroot.so'), libraries: [{ soname: 'sub/libp.so', path: join(d, 'sub/libp.so'), via: 'path' }] });
  });
});

describe('nixpy tree with several FILEs, some bad', () => {
  it('prints every good tree, an entry { path, error } per bad FILE, exit 2 (JSON)', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'nixpy-tree-'));
    writeFileSync(join(tmp, 'script.so'), 'GROUP ( libc.so.6 )\n');
    const io = fakeIo();
    const files = ['rpath_is_inherited_down_the_load_chain/libroot.so', join(tmp, 'script.so'), join(tmp, 'nope.so'), 'runpath_is_not_inherited/libroot.so'];
    expect(await main(['tree', ...files, '--json', '--env', 'host'], io)).toBe(2);
    const docs = JSON.parse(io.out) as { path: string; error?: string; libraries?: unknown[] }[];
    expect(docs.map((d) => d.path)).toEqual([join(FIX, files[0]!), files[1], files[2], join(FIX, files[3]!)]);
    expect(docs[0]?.libraries).toHaveLength(2);
    expect(docs[1]).toEqual({ path: files[1], error: expect.stringContaining('not an ELF file') });
    expect(docs[2]).toEqual({ path: files[2], error: `${files[2]}: no such file` });
    expect(docs[3]?.libraries).toHaveLength(2);
  });

  it('human: the good trees on stdout, one clear line per bad FILE on stderr, exit 2', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'nixpy-tree-'));
    const io = fakeIo();
    const code = await main(['tree', join(tmp, 'nope.so'), 'runpath_is_not_inherited/libroot.so', tmp, '--env', 'host', '--no-color'], io);
    expect(code).toBe(2);
    expect(io.out).toContain(`${join(FIX, 'runpath_is_not_inherited')}/libroot.so\n└── liba.so`);
    expect(io.err.trim().split('\n')).toEqual([`nixpy: ${join(tmp, 'nope.so')}: no such file`, `nixpy: ${tmp}: not a regular file`]);
  });
});

describe('nixpy tree: what ld.so refuses besides a missing library', () => {
  const d = join(FIX, 'missing_symbol_version_is_refused');
  it('a found library without a needed version: versionErrors in JSON, exit 1', async () => {
    const io = fakeIo();
    expect(await main(['tree', join(d, 'libviamid.so'), join(d, 'libok.so'), '--json', '--env', 'host'], io)).toBe(1);
    const [viamid, ok] = JSON.parse(io.out) as { versionErrors?: unknown }[];
    expect(viamid?.versionErrors).toEqual([{ soname: 'libvers.so', version: 'VERS_2', neededBy: join(d, 'lib/libmid.so') }]);
    expect(ok).not.toHaveProperty('versionErrors');
    const alone = fakeIo();
    expect(await main(['tree', join(d, 'libok.so'), '--env', 'host'], alone)).toBe(0);
  });

  it("human: ld.so's own words", async () => {
    const io = fakeIo();
    expect(await main(['tree', 'missing_symbol_version_is_refused/libroot.so', '--env', 'host', '--no-color'], io)).toBe(1);
    expect(io.out).toContain(`${d}/lib/libvers.so: version \`VERS_2' not found (required by ${d}/libroot.so)`);
  });

  it('a closure ld.so stops in says plainly that it is truncated', async () => {
    const io = fakeIo();
    expect(await main(['tree', 'linker_script_stops_search/libroot.so', '--env', 'host', '--no-color'], io)).toBe(1);
    expect(io.out).toContain('truncated: ld.so stops at libls.so (invalid ELF header)');
    const json = fakeIo();
    await main(['tree', 'linker_script_stops_search/libroot.so', '--env', 'host', '--json'], json);
    expect(JSON.parse(json.out).truncated).toBe(true);
  });
});
