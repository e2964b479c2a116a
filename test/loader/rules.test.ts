import { existsSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readElfFile } from '../../src/elf/index.js';
import {
  createLoaderEnv,
  createObjectCache,
  loadClosure,
  NIXOS_GLIBC_LIBDIR,
  type Closure,
  type LoadedLibrary,
  type LoaderEnv,
} from '../../src/loader/index.js';

const FIX = join(dirname(fileURLToPath(import.meta.url)), '../../fixtures/loader');
const hostEnv = (ldLibraryPath?: string, cwd?: string): LoaderEnv => createLoaderEnv('host', { ldLibraryPath, cwd });
const load = (rel: string, env: LoaderEnv = hostEnv()): Closure => loadClosure(join(FIX, rel), env, createObjectCache());
const lib = (c: Closure, soname: string): LoadedLibrary => {
  const l = c.libraries.find((x) => x.soname === soname);
  if (!l) throw new Error(`${soname} not in closure of ${c.path}: ${c.libraries.map((x) => x.soname).join(', ')}`);
  return l;
};
// realpathSync.native: the JS realpathSync folds '..' lexically before resolving links.
const real = (p: string | null): string | null => (p === null ? null : realpathSync.native(p));

describe('loader rules on linker-built fixtures (env host)', () => {
  it('runpath_is_not_inherited: liba cannot use the root RUNPATH to find libb', () => {
    const c = load('runpath_is_not_inherited/libroot.so');
    expect(lib(c, 'liba.so')).toMatchObject({ via: 'runpath', path: join(FIX, 'runpath_is_not_inherited/a/liba.so') });
    expect(lib(c, 'libb.so')).toMatchObject({ path: null, via: null, requiredBy: join(FIX, 'runpath_is_not_inherited/a/liba.so') });
  });

  it('rpath_is_inherited_down_the_load_chain: the root RPATH serves liba', () => {
    const c = load('rpath_is_inherited_down_the_load_chain/libroot.so');
    expect(lib(c, 'libb.so')).toMatchObject({ via: 'rpath', path: join(FIX, 'rpath_is_inherited_down_the_load_chain/b/libb.so') });
  });

  it('rpath_ignored_when_runpath_present: an object with DT_RUNPATH does not use the RPATH chain', () => {
    const c = load('rpath_ignored_when_runpath_present/libroot.so');
    expect(lib(c, 'liba.so').via).toBe('rpath');
    expect(lib(c, 'libb.so').path).toBeNull();
    expect(lib(c, 'libb.so').tried).toEqual([join(FIX, 'rpath_ignored_when_runpath_present/a') + '/../empty', '/lib/x86_64-linux-gnu', '/usr/lib/x86_64-linux-gnu', '/lib', '/usr/lib']);
  });

  it('rpath_before_ld_library_path', () => {
    const d = join(FIX, 'rpath_before_ld_library_path');
    const c = loadClosure(join(d, 'libroot.so'), hostEnv(join(d, 'llp')));
    expect(lib(c, 'libx.so')).toMatchObject({ via: 'rpath', path: join(d, 'rpath/libx.so') });
  });

  it('ld_library_path_before_runpath, and without LD_LIBRARY_PATH the RUNPATH copy', () => {
    const d = join(FIX, 'ld_library_path_before_runpath');
    expect(lib(loadClosure(join(d, 'libroot.so'), hostEnv(join(d, 'llp'))), 'libx.so')).toMatchObject({
      via: 'ld_library_path',
      path: join(d, 'llp/libx.so'),
    });
    expect(lib(loadClosure(join(d, 'libroot.so'), hostEnv()), 'libx.so')).toMatchObject({ via: 'runpath', path: join(d, 'runpath/libx.so') });
  });

  it('LD_LIBRARY_PATH splits on ";" too, and an empty element is the current directory', () => {
    const d = join(FIX, 'ld_library_path_before_runpath');
    const semi = loadClosure(join(d, 'libroot.so'), hostEnv(`/nonexistent;${join(d, 'llp')}`));
    expect(lib(semi, 'libx.so').via).toBe('ld_library_path');
    const empty = loadClosure(join(d, 'libroot.so'), hostEnv('/nonexistent:', join(d, 'llp')));
    expect(lib(empty, 'libx.so')).toMatchObject({ via: 'ld_library_path', path: 'libx.so' });
  });

  it("$ORIGIN in LD_LIBRARY_PATH is the root object's directory", () => {
    const d = join(FIX, 'ld_library_path_before_runpath');
    expect(lib(loadClosure(join(d, 'libroot.so'), hostEnv('$ORIGIN/llp')), 'libx.so')).toMatchObject({ via: 'ld_library_path', path: join(d, 'llp/libx.so') });
  });

  it('origin_is_relative_to_symlink_location_not_realpath (file link and directory link)', () => {
    const d = 'origin_is_relative_to_symlink_location_not_realpath';
    expect(lib(load(`${d}/link/libroot.so`), 'libd.so')).toMatchObject({ via: 'runpath', path: join(FIX, d, 'link/deps/libd.so') });
    expect(lib(load(`${d}/real/libroot.so`), 'libd.so').path).toBeNull();
    // Through the directory link the found path keeps the link's spelling.
    const viaDir = lib(load(`${d}/linkdir/libroot.so`), 'libd.so');
    expect(viaDir.path).toBeNull(); // linkdir -> real, and real/deps has no libd.so
  });

  it('origin_is_not_normalised_lexically: $ORIGIN/.. goes through the symlink', () => {
    const d = 'origin_is_not_normalised_lexically';
    const l = lib(load(`${d}/app/bin/libroot.so`), 'libd.so');
    expect(l.path).toBe(join(FIX, d, 'app/bin') + '/../lib/libd.so');
    expect(real(l.path)).toBe(realpathSync.native(join(FIX, d, 'store/pkg/lib/libd.so')));
  });

  it('nodeflib_skips_default_dirs, but only for the object that carries NODEFLIB', () => {
    const c = load('nodeflib_skips_default_dirs/libroot.so');
    const z = lib(c, 'libz.so.1');
    // The root's own search failed; libmid (no NODEFLIB) then found it in the cache.
    expect(z.via).toBe('cache');
    expect(z.requiredBy).toBe(join(FIX, 'nodeflib_skips_default_dirs/mid/libmid.so'));
    expect(z.notFoundFor).toEqual([join(FIX, 'nodeflib_skips_default_dirs/libroot.so')]);
    expect(c.libraries.map((l) => l.soname)).toEqual(['libmid.so', 'libz.so.1', 'libc.so.6', 'ld-linux-x86-64.so.2']);
  });

  it('already_loaded_soname_satisfies_need', () => {
    const c = load('already_loaded_soname_satisfies_need/libroot.so');
    expect(lib(c, 'libfoo.so.1')).toMatchObject({
      via: 'loaded',
      path: join(FIX, 'already_loaded_soname_satisfies_need/a/libfoo-impl.so'),
      requiredBy: join(FIX, 'already_loaded_soname_satisfies_need/a/libuser.so'),
    });
  });

  it('same_file_under_two_names_loaded_once (dev+ino identity)', () => {
    const c = load('same_file_under_two_names_loaded_once/libroot.so');
    expect(lib(c, 'libid.so').via).toBe('runpath');
    expect(lib(c, 'libid-alias.so')).toMatchObject({ via: 'loaded', path: join(FIX, 'same_file_under_two_names_loaded_once/a/libid.so') });
  });

  it('wrong_class_candidate_is_skipped', () => {
    expect(readElfFile(join(FIX, 'wrong_class_candidate_is_skipped/32/libw.so')).elfClass).toBe(32);
    const c = load('wrong_class_candidate_is_skipped/libroot.so');
    expect(lib(c, 'libw.so')).toMatchObject({ via: 'runpath', path: join(FIX, 'wrong_class_candidate_is_skipped/64/libw.so') });
  });

  it('missing_library_reported_not_found, with the directories tried', () => {
    const c = load('missing_library_reported_not_found/libroot.so');
    const m = lib(c, 'libnixpy-missing.so.1');
    expect(m).toMatchObject({ path: null, via: null });
    expect(m.tried?.[0]).toBe(join(FIX, 'missing_library_reported_not_found/gone'));
    expect(m.tried).toContain('/usr/lib/x86_64-linux-gnu');
  });

  it('not_found_name_is_searched_again, and lands where ld.so maps it', () => {
    const c = load('not_found_name_is_searched_again/libroot.so');
    expect(c.libraries.map((l) => l.soname)).toEqual(['liba.so', 'liba2.so', 'libb.so', 'libq.so']);
    expect(lib(c, 'libq.so')).toMatchObject({
      via: 'runpath',
      requiredBy: join(FIX, 'not_found_name_is_searched_again/a/libb.so'),
      notFoundFor: [join(FIX, 'not_found_name_is_searched_again/a/liba.so'), join(FIX, 'not_found_name_is_searched_again/a/liba2.so')],
    });
  });

  it('linker_script_stops_search with an error', () => {
    const c = load('linker_script_stops_search/libroot.so');
    expect(c.error).toEqual({ soname: 'libls.so', message: 'invalid ELF header' });
    expect(c.libraries.at(-1)).toMatchObject({ soname: 'libls.so', path: join(FIX, 'linker_script_stops_search/script/libls.so'), error: 'invalid ELF header' });
  });

  it.each([
    ['short', 'file too short'],
    ['rel', 'only ET_DYN and ET_EXEC can be loaded'],
    ['exe', 'cannot dynamically load executable'],
    ['pie', 'cannot dynamically load position-independent executable'],
  ])('unloadable_candidate_stops_search (%s): %s', (kind, message) => {
    const c = load(`unloadable_candidate_stops_search/${kind}/libroot.so`);
    expect(c.error).toEqual({ soname: 'libx.so', message });
    expect(c.libraries).toEqual([
      expect.objectContaining({ soname: 'libx.so', path: join(FIX, 'unloadable_candidate_stops_search', kind, 'x/libx.so'), via: 'runpath', error: message }),
    ]);
  });

  it('no_dynamic_section_is_not_loadable: separate debuginfo under a library name stops ld.so', () => {
    const c = load('no_dynamic_section_is_not_loadable/debug/libroot.so');
    const message = 'object file has no dynamic section';
    expect(c.error).toEqual({ soname: 'libx.so', message });
    expect(c.libraries).toEqual([
      expect.objectContaining({ soname: 'libx.so', path: join(FIX, 'no_dynamic_section_is_not_loadable/debug/x/libx.so'), via: 'runpath', error: message }),
    ]);
  });

  it.each(['debug/x/libx.so', 'static/prog'])('no_dynamic_section_is_not_loadable: %s is no root (ldd: not a dynamic executable)', (rel) => {
    expect(readElfFile(join(FIX, 'no_dynamic_section_is_not_loadable', rel)).dynamic).toBe(false);
    expect(() => load(`no_dynamic_section_is_not_loadable/${rel}`)).toThrow(
      expect.objectContaining({ name: 'RootObjectError', reason: 'not-dynamic' }),
    );
  });

  it('hwcaps_subdir_preferred when the CPU has x86-64-v2', () => {
    const c = load('hwcaps_subdir_preferred/libroot.so');
    const v2 = hostEnv().subdirs.includes('glibc-hwcaps/x86-64-v2/');
    expect(lib(c, 'libh.so').path).toBe(join(FIX, 'hwcaps_subdir_preferred/lib', v2 ? 'glibc-hwcaps/x86-64-v2/libh.so' : 'libh.so'));
  });

  it('symbol_version_need: the need is recorded and the library resolves', () => {
    const info = readElfFile(join(FIX, 'symbol_version_need/libroot.so'));
    expect(info.verneed).toEqual([{ file: 'libv.so', versions: ['NIXPY_2.0'] }]);
    expect(readElfFile(join(FIX, 'symbol_version_need/lib/libv.so')).verdef).toEqual(expect.arrayContaining(['NIXPY_2.0']));
    expect(lib(load('symbol_version_need/libroot.so'), 'libv.so').via).toBe('runpath');
  });

  it('missing_symbol_version_is_refused: per root, and for a dependency, from one shared walk', () => {
    const d = join(FIX, 'missing_symbol_version_is_refused');
    const objects = createObjectCache();
    const env = hostEnv();
    // libok.so first: its closure is shared with libroot.so (same DT_NEEDED and RUNPATH), whose
    // own DT_VERNEED must still be checked.
    const ok = loadClosure(join(d, 'libok.so'), env, objects);
    const root = loadClosure(join(d, 'libroot.so'), env, objects);
    expect(ok.versionErrors).toBeUndefined();
    expect(lib(root, 'libvers.so')).toMatchObject({ via: 'runpath', path: join(d, 'lib/libvers.so') });
    expect(root.versionErrors).toEqual([{ soname: 'libvers.so', version: 'VERS_2', neededBy: join(d, 'libroot.so'), path: join(d, 'lib/libvers.so'), defined: ['VERS_1'] }]);
    expect(loadClosure(join(d, 'libviamid.so'), env, objects).versionErrors).toEqual([
      { soname: 'libvers.so', version: 'VERS_2', neededBy: join(d, 'lib/libmid.so'), path: join(d, 'lib/libvers.so'), defined: ['VERS_1'] },
    ]);
    // The version check reads nothing new: the verdef came with the library's first read.
    expect(readElfFile(join(d, 'lib/libvers.so')).verdef).toEqual(['VERS_1']);
  });

  it('needed_with_slash_is_a_path, relative to the current directory', () => {
    const d = join(FIX, 'needed_with_slash_is_a_path');
    expect(lib(loadClosure(join(d, 'libroot.so'), hostEnv(undefined, d)), 'sub/libp.so')).toMatchObject({ via: 'path', path: 'sub/libp.so' });
    expect(lib(loadClosure(join(d, 'libroot.so'), hostEnv(undefined, FIX)), 'sub/libp.so').path).toBeNull();
  });

  it('lib_and_platform_tokens_expand ($LIB = lib/x86_64-linux-gnu, ${PLATFORM} = haswell or x86_64)', () => {
    const c = load('lib_and_platform_tokens_expand/libroot.so');
    expect(lib(c, 'libl.so').path).toBe(join(FIX, 'lib_and_platform_tokens_expand/lib/x86_64-linux-gnu/libl.so'));
    const platform = hostEnv().dstPlatform;
    expect(['haswell', 'x86_64', 'xeon_phi']).toContain(platform);
    const p = join(FIX, 'lib_and_platform_tokens_expand', platform, 'libp.so');
    expect(lib(c, 'libp.so').path).toBe(existsSync(p) ? p : null);
  });

  it('a relative root keeps a non-normalised $ORIGIN (cwd + "/./")', () => {
    const c = loadClosure('./libroot.so', hostEnv(undefined, join(FIX, 'runpath_is_not_inherited')));
    expect(lib(c, 'liba.so').path).toBe(join(FIX, 'runpath_is_not_inherited') + '/./a/liba.so');
  });
});

describe('loader env nixos', () => {
  const env = createLoaderEnv('nixos');
  it('serves glibc sonames from the virtual nixpkgs glibc and nothing else from the system', () => {
    const c = loadClosure(join(FIX, 'nodeflib_skips_default_dirs/mid/libmid.so'), env);
    expect(c.libraries).toEqual([
      expect.objectContaining({ soname: 'libz.so.1', path: null, via: null }),
    ]);
    const host = '/usr/lib/x86_64-linux-gnu/libz.so.1';
    if (existsSync(host)) {
      const z = loadClosure(host, env);
      expect(z.libraries).toEqual([
        expect.objectContaining({ soname: 'libc.so.6', path: `${NIXOS_GLIBC_LIBDIR}/libc.so.6`, via: 'default', requiredBy: host }),
        // nixpkgs' libc.so.6 needs the loader, as ld.so lists it after libc in a NixOS root.
        expect.objectContaining({ soname: 'ld-linux-x86-64.so.2', path: `${NIXOS_GLIBC_LIBDIR}/ld-linux-x86-64.so.2`, via: 'loaded', requiredBy: `${NIXOS_GLIBC_LIBDIR}/libc.so.6` }),
      ]);
    }
  });
  it('the dynamic loader counts as already loaded', () => {
    const libc = '/usr/lib/x86_64-linux-gnu/libc.so.6';
    if (!existsSync(libc)) return;
    expect(loadClosure(libc, env).libraries).toEqual([
      expect.objectContaining({ soname: 'ld-linux-x86-64.so.2', path: `${NIXOS_GLIBC_LIBDIR}/ld-linux-x86-64.so.2`, via: 'loaded' }),
    ]);
  });
  it('RUNPATH still works under nixos', () => {
    const c = loadClosure(join(FIX, 'ld_library_path_before_runpath/libroot.so'), env);
    expect(c.libraries[0]).toMatchObject({ soname: 'libx.so', via: 'runpath' });
  });
});
