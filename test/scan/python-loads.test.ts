import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findLoadCalls, sonameOfCall } from '../../src/scan/python-loads.js';
import { joinParts, listPythonSources, PASS_STATE_BYTES, readClaimed, sitePackagesHas, walkPythonLoads } from '../../src/scan/python-walk.js';
import { runtimeTable } from '../../src/nixpkgs/runtime.js';

const FIXTURES = join(import.meta.dirname, '../../fixtures/runtime');


describe('findLoadCalls', () => {
  it('reads the literal of each loading form, with its line', () => {
    const src = [
      'import ctypes',
      'a = ctypes.CDLL("libfoo.so.1")',
      "b = ctypes.cdll.LoadLibrary('libbar.so.2')",
      'c = ctypes.util.find_library("baz")',
      "d = _ffi.dlopen('qux')",
      'e = ct.CDLL(ctypes.util.find_library("usb-1.0"))',
      "f = ctypes.PyDLL(r'libraw.so')",
    ].join('\n');
    expect(findLoadCalls(src)).toEqual([
      { kind: 'ctypes', name: 'libfoo.so.1', line: 2 },
      { kind: 'ctypes', name: 'libbar.so.2', line: 3 },
      { kind: 'find_library', name: 'baz', line: 4 },
      { kind: 'cffi', name: 'qux', line: 5 },
      { kind: 'find_library', name: 'usb-1.0', line: 6 },
      { kind: 'ctypes', name: 'libraw.so', line: 7 },
    ]);
  });

  it('skips comments, names computed at run time, and calls inside a string before a #', () => {
    expect(findLoadCalls('# ctypes.CDLL("libnope.so.1")\nx = ctypes.CDLL(name)\nctypes.CDLL(f"lib{x}.so")')).toEqual([]);
    // The # is inside the string: the call after it is code.
    expect(findLoadCalls('s = "#"; ctypes.CDLL("libyes.so.1")')).toEqual([{ kind: 'ctypes', name: 'libyes.so.1', line: 1 }]);
  });

  it('stays linear on a megabyte-long line and on files without a trigger word', () => {
    expect(findLoadCalls('x = "' + 'a'.repeat(1 << 20) + '" ; ctypes.CDLL("libbig.so")')).toEqual([]);
    expect(findLoadCalls('print("hello")\n'.repeat(10_000))).toEqual([]);
  });
});

describe('sonameOfCall', () => {
  it('maps each form to the name the loader looks for', () => {
    expect(sonameOfCall({ kind: 'ctypes', name: 'libfoo.so.1', line: 1 })).toEqual({ soname: 'libfoo.so.1', bare: false });
    expect(sonameOfCall({ kind: 'ctypes', name: '/usr/lib/x86_64-linux-gnu/libzbar.so.0', line: 1 })).toEqual({ soname: 'libzbar.so.0', bare: false });
    expect(sonameOfCall({ kind: 'find_library', name: 'magic', line: 1 })).toEqual({ soname: 'libmagic.so', bare: true });
    expect(sonameOfCall({ kind: 'cffi', name: 'sndfile', line: 1 })).toEqual({ soname: 'libsndfile.so', bare: true });
    expect(sonameOfCall({ kind: 'ctypes', name: 'acme64.dll', line: 1 })).toBeNull();
    expect(sonameOfCall({ kind: 'ctypes', name: 'libcairo.2.dylib', line: 1 })).toBeNull();
    // dlopen("foo") looks for a file named foo: nothing on Linux is named like that.
    expect(sonameOfCall({ kind: 'ctypes', name: 'foo', line: 1 })).toBeNull();
  });
});

describe('walkPythonLoads', () => {
  it('reads site-packages Python files (not tests/), with each call and its file', () => {
    const w = walkPythonLoads(join(FIXTURES, 'venv'));
    expect(w.pass).toEqual({ files: 6, bytes: expect.any(Number), truncated: null });
    expect(w.calls.some((c) => c.file.endsWith('tests/test_x.py'))).toBe(false);
    expect(w.calls.find((c) => c.call.name === 'libacme.so.3')).toMatchObject({ file: expect.stringMatching(/acme_scanner\/_native\.py$/), call: { line: 8 } });
    expect([...w.soFiles.keys()]).toEqual(['libcudnn_cnn.so.9']);
  });

  it('reads a venv whose lib64 links to lib once', () => {
    const venv = mkdtempSync(join(tmpdir(), 'nixpy-lib64-'));
    try {
      cpSync(join(FIXTURES, 'venv'), venv, { recursive: true });
      symlinkSync('lib', join(venv, 'lib64'));
      const w = walkPythonLoads(venv);
      expect(w.pass.files).toBe(6);
      expect(w.calls.every((c) => c.file.startsWith('lib/'))).toBe(true);
    } finally {
      rmSync(venv, { recursive: true, force: true });
    }
  });

  it('stops at its bounds and says so', () => {
    const venv = join(FIXTURES, 'venv');
    expect(walkPythonLoads(venv, { maxFiles: 2 }).pass).toMatchObject({ files: 2, truncated: expect.stringMatching(/limit 2/) });
    let t = 0;
    const clock = (): number => (t += 1000);
    expect(walkPythonLoads(venv, { timeBudgetMs: 2500, now: clock }).pass.truncated).toMatch(/time budget/);
    expect(walkPythonLoads(venv, { maxBytes: 10 }).pass.truncated).toMatch(/bytes/);
  });

  it('skips what it is told to skip', () => {
    const w = walkPythonLoads(join(FIXTURES, 'venv'), { skip: (rel) => rel.includes('acme_scanner') });
    expect(w.calls.some((c) => c.file.includes('acme_scanner'))).toBe(false);
    expect(w.pass.files).toBe(5);
  });
});

describe('reading a file larger than the shared first-read buffer (64 KiB)', () => {
  it('finds a call past the first 64 KiB and counts every byte, up to the per-file limit', () => {
    const venv = mkdtempSync(join(tmpdir(), 'nixpy-big-'));
    try {
      const pkg = join(venv, 'lib/python3.12/site-packages/big');
      mkdirSync(pkg, { recursive: true });
      const filler = '# padding line of a generated module\n'.repeat(5000);
      const text = `import ctypes\n${filler}lib = ctypes.CDLL("libbig.so.7")\n`;
      writeFileSync(join(pkg, '__init__.py'), text);
      const w = walkPythonLoads(venv);
      expect(Buffer.byteLength(text)).toBeGreaterThan(64 * 1024);
      expect(w.pass.bytes).toBe(Buffer.byteLength(text));
      expect(w.calls.map((c) => [c.call.name, c.call.line])).toEqual([['libbig.so.7', 5002]]);
      // Cut at the limit: the call beyond it is not read.
      const cut = walkPythonLoads(venv, { maxFileBytes: 70 * 1024 });
      expect(cut.pass.bytes).toBe(70 * 1024);
      expect(cut.calls).toEqual([]);
    } finally {
      rmSync(venv, { recursive: true, force: true });
    }
  });
});

describe('sitePackagesHas (the runtime table\'s bundled copies)', () => {
  it('matches a wildcard in the file name, under any site-packages, files only', () => {
    const venv = join(FIXTURES, 'venv-bundled');
    expect(sitePackagesHas(venv, '_soundfile_data/libsndfile_*.so')).toBe(true);
    expect(sitePackagesHas(venv, '_soundfile_data/libsndfile_x86_6?.so')).toBe(true);
    expect(sitePackagesHas(venv, '_soundfile_data/libsndfile_*.so.1')).toBe(false);
    expect(sitePackagesHas(venv, '_soundfile_data/libsndfile.so')).toBe(false);
    expect(sitePackagesHas(venv, '_soundfile_dat*')).toBe(false);
    expect(sitePackagesHas(join(FIXTURES, 'venv'), '_soundfile_data/libsndfile_*.so')).toBe(false);
  });

  it('takes every glob of the table, and refuses glob syntax it does not support', () => {
    const globs = [...runtimeTable().values()].flat().flatMap((e) => (e.bundled === null ? [] : [e.bundled]));
    expect(globs.length).toBeGreaterThan(0);
    for (const g of globs) expect(() => sitePackagesHas(join(FIXTURES, 'venv'), g)).not.toThrow();
    expect(() => sitePackagesHas(join(FIXTURES, 'venv'), 'nvidia/*/lib/libcudnn.so.9')).toThrow(/only in the file name/);
    expect(() => sitePackagesHas(join(FIXTURES, 'venv'), 'libfoo.so.{1,2}')).toThrow(/supported/);
  });
});

describe('a pass read by several threads (readClaimed, joinParts)', () => {
  it('puts the calls back in the order of the list, each file\'s calls in their own order', () => {
    const sources = { py: ['a.py', 'b.py', 'c.py', 'd.py'], soFiles: new Map<string, string[]>() };
    const call = (name: string, line: number) => ({ kind: 'ctypes' as const, name, line });
    const state = new Int32Array(PASS_STATE_BYTES / 4);
    const walk = joinParts(
      sources,
      [
        { calls: [{ index: 3, call: call('libd.so', 1) }, { index: 1, call: call('libb1.so', 2) }, { index: 1, call: call('libb2.so', 9) }], files: 2, truncated: null },
        { calls: [{ index: 0, call: call('liba.so', 4) }], files: 2, truncated: null },
      ],
      state,
    );
    expect(walk.calls.map((c) => [c.file, c.call.name])).toEqual([
      ['a.py', 'liba.so'],
      ['b.py', 'libb1.so'],
      ['b.py', 'libb2.so'],
      ['d.py', 'libd.so'],
    ]);
  });

  it('two readers of one list read each file once, and together read what one reader does', () => {
    // 40 files, a call in every third: more than one batch (16) each side.
    const venv = mkdtempSync(join(tmpdir(), 'nixpy-two-readers-'));
    try {
      const pkg = join(venv, 'lib/python3.12/site-packages/many');
      mkdirSync(pkg, { recursive: true });
      for (let i = 0; i < 40; i++) {
        const body = i % 3 === 0 ? `import ctypes\nlib = ctypes.CDLL("libmany${i}.so.1")\nalso = ctypes.CDLL("libtwo${i}.so.2")\n` : '# nothing here\n';
        writeFileSync(join(pkg, `m${String(i).padStart(2, '0')}.py`), body);
      }
      const sources = listPythonSources(venv);
      expect(sources.py.length).toBe(40);
      const state = new Int32Array(PASS_STATE_BYTES / 4);
      // Another reader has claimed the first batch: this one reads the rest.
      Atomics.store(state, 0, 16);
      const rest = readClaimed(venv, sources.py, state);
      const firstBatch = readClaimed(venv, sources.py.slice(0, 16), new Int32Array(PASS_STATE_BYTES / 4));
      expect([firstBatch.files, rest.files]).toEqual([16, 24]);
      const alone = walkPythonLoads(venv);
      const joined = joinParts(sources, [rest, firstBatch], state);
      expect(joined.calls).toEqual(alone.calls);
      expect(joined.calls.slice(0, 2).map((c) => c.call.name)).toEqual(['libmany0.so.1', 'libtwo0.so.2']);
    } finally {
      rmSync(venv, { recursive: true, force: true });
    }
  });
});
