import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EM_AARCH64, EM_X86_64 } from '../../src/elf/index.js';
import { InputError } from '../../src/errors.js';
import { runtimeItems, runtimeOf, runtimeSetup } from '../../src/plan/runtime.js';
import { readDistIndex } from '../../src/project/dists-io.js';
import { EMPTY_CONFIG } from '../../src/project/pyproject.js';
import type { HostFacts } from '../../src/project/environment.js';

const FIXTURES = join(import.meta.dirname, '../../fixtures');
const host = (env: Record<string, string>): HostFacts => ({ nixosMarker: true, osRelease: null, env });

describe('runtimeSetup: the interpreter decides machine, library path and sinks', () => {
  it('a Nix-store Python: the given library path, LD_LIBRARY_PATH only', () => {
    const s = runtimeSetup(join(FIXTURES, 'interpreter/venvs/nix'), host({}), true, '/nix/store/a-zlib/lib');
    expect(s.scan).toEqual({ machine: EM_X86_64, ldLibraryPath: '/nix/store/a-zlib/lib' });
    expect(s.sinks).toEqual(['LD_LIBRARY_PATH']);
  });

  it("uv's Python under nix-ld: the given path, then nix-ld's; NIX_LD_LIBRARY_PATH first", () => {
    const env = { NIX_LD: '/run/current-system/sw/share/nix-ld/lib/ld.so', NIX_LD_LIBRARY_PATH: '/nix/store/b-portaudio/lib' };
    const s = runtimeSetup(join(FIXTURES, 'interpreter/venvs/uv'), host(env), true, '/some/lib');
    expect(s.scan.ldLibraryPath).toBe('/some/lib:/nix/store/b-portaudio/lib');
    expect(s.sinks).toEqual(['NIX_LD_LIBRARY_PATH', 'LD_LIBRARY_PATH']);
    expect(s.judgement.interpreter.via).toBe('nix-ld');
  });

  it('an aarch64 venv is modelled with the aarch64 loader', () => {
    expect(runtimeSetup(join(FIXTURES, 'interpreter/venvs/nix-aarch64'), host({}), true, undefined).scan.machine).toBe(EM_AARCH64);
  });

  describe('a machine the model does not cover', () => {
    const venv = mkdtempSync(join(tmpdir(), 'nixpy-i386-venv-'));
    afterAll(() => rmSync(venv, { recursive: true, force: true }));
    mkdirSync(join(venv, 'bin'));
    // A real ELF32 i386 object (fixtures/elf/build.sh) stands in for a 32-bit Python.
    symlinkSync(join(FIXTURES, 'elf/out/libsmall32.so'), join(venv, 'bin/python'));
    it('is refused with one clear line, not scanned into a silent pass', () => {
      expect(() => runtimeSetup(venv, host({}), false, undefined)).toThrow(InputError);
      expect(() => runtimeSetup(venv, host({}), false, undefined)).toThrow(/built for i386; nixpy models the x86_64 and aarch64 loaders only/);
    });
  });
});

describe('runtime loads as analysis items', () => {
  it('required loads count, grouped by soname with their distributions and find_library advice', async () => {
    const venv = join(FIXTURES, 'runtime/venv');
    const dists = readDistIndex(venv);
    const { runtime } = runtimeOf(venv, dists, { ...EMPTY_CONFIG, runtimeIgnore: ['acme-scanner'] });
    const items = runtimeItems(runtime);
    expect(items.map((i) => `${i.soname} ${i.category} ${i.distributions.join(',')}`)).toEqual([
      'libcudnn_graph.so.9 package nvidia-cudnn-cu12',
      'libcudnn_ops.so.9 package nvidia-cudnn-cu12',
      'libnvidia-ml.so.1 driver pynvml',
      'libGL.so.1 package PyOpenGL',
      'libmagic.so.1 package python-magic',
      'libusb-1.0.so.0 package pyusb',
      'libzbar.so.0 package pyzbar',
      'libsndfile.so.1 package soundfile',
    ]);
    // libcudnn_cnn.so.9 is in the wheel (nvidia/cudnn/lib): not reported.
    // PyOpenGL's GLU, GLUT and EGL are optional or conditional: reported, not counted.
    expect(runtime.filter((r) => r.dist === 'PyOpenGL').length).toBe(4);
    expect(items.find((i) => i.soname === 'libzbar.so.0')?.advice).toMatch(/find_library/);
    expect(items.find((i) => i.soname === 'libmagic.so.1')?.advice).toBeNull();
  });
});
