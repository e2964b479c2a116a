import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, copyFileSync, readdirSync, realpathSync, rmSync, symlinkSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EM_AARCH64 } from '../../src/elf/index.js';
import { createLoaderEnv, createObjectCache, loadClosure, type Closure } from '../../src/loader/index.js';
import { classifySoname } from '../../src/nixpkgs/classify.js';
import { scanVenv } from '../../src/scan/index.js';
import { describeWithTool } from '../helpers/tools.js';
import { parseLdd, type LddLine } from './ldd-oracle.js';

/*
 * The aarch64 loader model against the real thing: Debian 12's arm64 ld.so (glibc 2.36), run
 * under qemu-aarch64-static, on Debian's arm64 builds of numpy and Pillow. .ci/arm64-root.sh
 * downloads and extracts them (outside the repository); CI fails when they are missing.
 */
const ROOT = process.env.NIXPY_ARM64_ROOT ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'nixpy/arm64-root');
const READY = existsSync(join(ROOT, '.complete'));
const RTLD = 'ld-linux-aarch64.so.1';
const classify = (soname: string, venvProviders: readonly string[]) => classifySoname(soname, { venvProviders });
const LIB = join(ROOT, 'lib/aarch64-linux-gnu');
const USRLIB = join(ROOT, 'usr/lib/aarch64-linux-gnu');
const CPUINFO = join(import.meta.dirname, '../../fixtures/cpuinfo');
const AARCH64_PYTHON = join(import.meta.dirname, '../../fixtures/interpreter/bin/python-nix-aarch64');

function extensionModules(): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile() && e.name.endsWith('.so')) out.push(p);
    }
  };
  walk(join(ROOT, 'usr/lib/python3/dist-packages'));
  return out.sort();
}

/**
 * ldd's trace as Debian's aarch64 loader prints it (LD_TRACE_LOADED_OBJECTS, as ldd sets it:
 * `--list` stops at the first missing library), the cache off and the library path given.
 */
function realList(file: string, libraryPath: string): LddLine[] {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH ?? '', LC_ALL: 'C', LD_TRACE_LOADED_OBJECTS: '1' };
  let stdout = '';
  let status = 0;
  try {
    stdout = execFileSync('qemu-aarch64-static', ['-L', ROOT, join(ROOT, 'lib', RTLD), '--inhibit-cache', '--library-path', libraryPath, file], {
      env,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (err) {
    const e = err as { stdout?: string; status?: number };
    stdout = e.stdout ?? '';
    status = e.status ?? 1;
  }
  const r = parseLdd(stdout, '', status);
  if (r.kind !== 'listed') throw new Error(`${file}: ${JSON.stringify(r)}`);
  return r.lines;
}

const real = (p: string): string => realpathSync.native(p);

/** soname -> real path, or null when not found; the loader itself left out on both sides. */
function fromReal(lines: LddLine[]): Map<string, string | null> {
  const m = new Map<string, string | null>();
  for (const l of lines) if (l.arrow && l.name !== RTLD) m.set(l.name, l.path === null ? (m.get(l.name) ?? null) : real(l.path));
  return m;
}
function fromModel(c: Closure): Map<string, string | null> {
  const m = new Map<string, string | null>();
  for (const l of c.libraries) if (l.soname !== RTLD) m.set(l.soname, l.path === null ? null : real(l.path));
  return m;
}
const sorted = (m: Map<string, string | null>): [string, string | null][] => [...m.entries()].sort(([a], [b]) => (a < b ? -1 : 1));

function suite(name: string, fn: () => void): void {
  if (READY) describeWithTool('qemu-aarch64-static', name, fn);
  else if (process.env.CI) describe(name, () => it('has the arm64 packages', () => expect.fail(`${ROOT} is missing: .ci/arm64-root.sh makes it`)));
  else describe.skip(`${name} (run .ci/arm64-root.sh)`, fn);
}

suite('aarch64 loader model vs Debian arm64 ld.so under qemu', () => {
  const cases = [
    { label: 'with OpenBLAS on the path', path: [LIB, USRLIB, join(USRLIB, 'openblas-pthread')] },
    { label: 'without BLAS and LAPACK', path: [LIB, USRLIB] },
  ];
  for (const c of cases) {
    it(`resolves every numpy and Pillow module as ld.so does (${c.label})`, () => {
      const modules = extensionModules();
      expect(modules.length).toBeGreaterThan(20);
      const env = createLoaderEnv('nixos', { machine: EM_AARCH64, ldLibraryPath: c.path.join(':') });
      const objects = createObjectCache();
      let missing = 0;
      for (const file of modules) {
        const model = fromModel(loadClosure(file, env, objects));
        const ldso = fromReal(realList(file, c.path.join(':')));
        expect(sorted(model), basename(file)).toEqual(sorted(ldso));
        missing += [...model.values()].filter((v) => v === null).length;
      }
      // Pillow misses lcms2, webp and freetype in both cases; numpy its BLAS without OpenBLAS.
      expect(missing).toBeGreaterThan(c.path.length === 2 ? 3 : 2);
    });
  }
});

suite("aarch64 host model: the subdirectories Debian's aarch64 ld.so tries", () => {
  it('legacy tls/PLATFORM/HWCAP subdirectories with "atomics", in the order LD_DEBUG=libs prints', () => {
    const dir = '/nonexistent-dir';
    const r = spawnSync('qemu-aarch64-static', ['-L', ROOT, join(ROOT, 'lib', RTLD), '--inhibit-cache', '--library-path', dir, extensionModules()[0]!], {
      env: { PATH: process.env.PATH ?? '', LC_ALL: 'C', LD_TRACE_LOADED_OBJECTS: '1', LD_DEBUG: 'libs' },
      encoding: 'utf8',
    });
    const line = /search path=(\/nonexistent-dir\/[^\t]*)\t/.exec(r.stderr);
    expect(line).not.toBeNull();
    const real = line![1]!.split(':').map((p) => p.slice(dir.length + 1));
    // qemu's CPU has atomics, as Neoverse N1 does; a Cortex-A53 has none.
    const n1 = createLoaderEnv('host', { machine: EM_AARCH64, cpuinfoPath: join(CPUINFO, 'aarch64-neoverse-n1.txt') });
    expect(n1.subdirs.map((s) => s.replace(/\/$/, ''))).toEqual(real);
    const a53 = createLoaderEnv('host', { machine: EM_AARCH64, cpuinfoPath: join(CPUINFO, 'aarch64-cortex-a53.txt') });
    expect(a53.subdirs).toEqual(['tls/aarch64/', 'tls/', 'aarch64/', '']);
    expect(n1.dstPlatform).toBe('aarch64');
    expect(n1.rtld).toEqual({ path: '/lib/ld-linux-aarch64.so.1', soname: RTLD });
  });
});

suite('an aarch64 venv is scanned, not skipped', () => {
  const venv = mkdtempSync(join(tmpdir(), 'nixpy-aarch64-venv-'));
  afterAll(() => rmSync(venv, { recursive: true, force: true }));
  const site = join(venv, 'lib/python3.11/site-packages');
  const copied: string[] = [];
  if (READY) {
    for (const f of extensionModules()) {
      const rel = f.slice(join(ROOT, 'usr/lib/python3/dist-packages').length + 1);
      mkdirSync(join(site, rel, '..'), { recursive: true });
      copyFileSync(f, join(site, rel));
      copied.push(rel);
    }
    mkdirSync(join(venv, 'bin'));
    symlinkSync(AARCH64_PYTHON, join(venv, 'bin/python'));
  }

  it('every module is judged with the aarch64 loader, and what it misses is what ld.so misses', async () => {
    const path = [LIB, USRLIB].join(':');
    const { result } = await scanVenv(venv, { classify, env: 'nixos', machine: EM_AARCH64, ldLibraryPath: path });
    expect(result.objects).toBe(copied.length);
    expect(result.skipped.filter((s) => /another machine/.test(s.reason))).toEqual([]);
    const missing = result.missing.map((m) => m.soname);
    expect(missing).toEqual(expect.arrayContaining(['libblas.so.3', 'liblapack.so.3', 'liblcms2.so.2']));
    for (const m of result.missing) {
      for (const by of m.neededBy) {
        const lines = realList(join(venv, by), path);
        expect(lines.some((l) => l.path === null), `${by} should miss ${m.soname}`).toBe(true);
      }
    }
  });

  it('judged as x86-64 (the model before), every module would be skipped: the silent pass', async () => {
    const { result } = await scanVenv(venv, { classify, env: 'nixos' });
    expect(result.objects).toBe(0);
    expect(result.missing).toEqual([]);
    expect(result.skipped.every((s) => /another machine \(aarch64, venv is x86_64\)/.test(s.reason))).toBe(true);
  });
});
