import { cpSync, existsSync, mkdtempSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { scanRuntimeLoads, type DistView } from '../../src/plan/runtime-loads.js';

/*
 * The runtime pass on the real sources of the libraries it is about: Debian 12's packages of
 * soundfile, python-magic, pyzbar, cairocffi, PyOpenGL, pyusb, python-vlc, pyglet and PyGObject,
 * which .ci/python-sources.sh downloads and extracts outside the repository (CI fails without
 * them). Their files are laid out as a venv's site-packages for the pass.
 */
const ROOT = process.env.NIXPY_PYTHON_SOURCES ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'nixpy/python-sources');
const READY = existsSync(join(ROOT, '.complete'));
const SITE = 'lib/python3.11/site-packages';

/**
 * Debian installs egg-info (PKG-INFO, top_level.txt), not the dist-info RECORD a venv has: the
 * distribution of a file is read from top_level.txt here.
 */
function eggInfoView(site: string): DistView {
  const names: string[] = [];
  const top = new Map<string, string>();
  for (const d of readdirSync(site).filter((n) => n.endsWith('.egg-info'))) {
    const name = /^Name: (.*)$/m.exec(readFileSync(join(site, d, 'PKG-INFO'), 'utf8'))![1]!;
    names.push(name);
    const tl = join(site, d, 'top_level.txt');
    if (existsSync(tl)) for (const t of readFileSync(tl, 'utf8').split('\n').filter(Boolean)) top.set(t, name);
  }
  return {
    names,
    distributionOf: (rel) => {
      const first = rel.slice(SITE.length + 1).split('/')[0]!.replace(/\.py$/, '');
      return top.get(first) ?? first;
    },
  };
}

const run = READY ? describe : process.env.CI ? describe : describe.skip;

run('runtime pass on the real sources (Debian 12 packages)', () => {
  if (!READY) {
    it('has the packages', () => expect.fail(`${ROOT} is missing: .ci/python-sources.sh makes it`));
    return;
  }
  const venv = mkdtempSync(join(tmpdir(), 'nixpy-runtime-real-'));
  afterAll(() => rmSync(venv, { recursive: true, force: true }));
  mkdirSync(join(venv, 'lib/python3.11'), { recursive: true });
  cpSync(join(ROOT, 'usr/lib/python3/dist-packages'), join(venv, SITE), { recursive: true });
  const view = eggInfoView(join(venv, SITE));

  it('the static pass alone finds the literal calls, each on a line that makes it, and no macOS code', () => {
    const { runtime, pass } = scanRuntimeLoads(venv, { names: [], distributionOf: view.distributionOf });
    expect(pass.files).toBeGreaterThan(2000);
    expect(runtime.map((r) => `${r.dist} ${r.soname} ${r.source} ${r.category} ${r.lookup.join('+')}`)).toEqual([
      'python-magic libmagic.so.1 ctypes package find_library',
      'python-vlc libvlc.so.5 ctypes package find_library+name',
      'pyzbar libzbar.so.0 ctypes package find_library',
      'soundfile libsndfile.so.1 ctypes package find_library',
    ]);
    for (const r of runtime) {
      const line = readFileSync(join(venv, r.file!), 'utf8').split('\n')[r.line! - 1]!;
      expect(line, `${r.file}:${r.line}`).toMatch(/find_library\(|CDLL\(|LoadLibrary\(|dlopen\(/);
    }
  });

  it('with the curated table, every library of these distributions is reported, and PyGObject needs typelibs', () => {
    const { runtime, typelibs } = scanRuntimeLoads(venv, view);
    const byDist = new Map<string, string[]>();
    for (const r of runtime) byDist.set(r.dist, [...(byDist.get(r.dist) ?? []), r.soname]);
    expect(Object.fromEntries(byDist)).toEqual({
      cairocffi: ['libcairo.so.2'],
      pyglet: ['libEGL.so.1', 'libGL.so.1', 'libX11.so.6', 'libXext.so.6', 'libXi.so.6', 'libXinerama.so.1', 'libXrandr.so.2', 'libXrender.so.1', 'libXxf86vm.so.1'],
      PyOpenGL: ['libEGL.so.1', 'libGL.so.1', 'libGLU.so.1', 'libglut.so.3'],
      'python-magic': ['libmagic.so.1'],
      'python-vlc': ['libvlc.so.5'],
      pyusb: ['libusb-1.0.so.0'],
      pyzbar: ['libzbar.so.0'],
      soundfile: ['libsndfile.so.1'],
    });
    expect(runtime.every((r) => r.category === 'package')).toBe(true);
    expect(typelibs.map((t) => t.dist)).toEqual(['PyGObject']);
  });
});
