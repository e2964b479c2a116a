import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { focusSonames, parseLoaderErrors, sonameForVersionFamily } from '../../src/plan/error-text.js';

const dir = join(import.meta.dirname, '../../fixtures/doctor/errors');
const read = (name: string): string => readFileSync(join(dir, name), 'utf8');

describe('parseLoaderErrors on recorded error texts', () => {
  it('numpy: libstdc++ missing, reported once although the traceback repeats it', () => {
    const f = parseLoaderErrors(read('numpy-libstdcxx.txt'));
    expect(f).toEqual([
      {
        kind: 'missing-library',
        soname: 'libstdc++.so.6',
        path: null,
        line: 'ImportError: libstdc++.so.6: cannot open shared object file: No such file or directory',
      },
    ]);
  });

  it('opencv: libGL.so.1', () => {
    expect(focusSonames(parseLoaderErrors(read('cv2-libgl.txt')))).toEqual(['libGL.so.1']);
  });

  it('ctypes OSError for the driver library', () => {
    const [f] = parseLoaderErrors(read('ctypes-libcuda.txt'));
    expect(f).toMatchObject({ kind: 'missing-library', soname: 'libcuda.so.1', path: null });
    expect(f?.line.startsWith('OSError:')).toBe(true);
  });

  it('a dlopen of an absolute path keeps the path and names the file', () => {
    const [f] = parseLoaderErrors(read('dlopen-path.txt'));
    expect(f).toMatchObject({
      kind: 'missing-library',
      soname: 'libonnxruntime_providers_cuda.so',
      path: '/home/alice/proj/.venv/lib/python3.12/site-packages/onnxruntime/capi/libonnxruntime_providers_cuda.so',
    });
  });

  it('an executable that cannot start', () => {
    expect(focusSonames(parseLoaderErrors(read('executable-libcrypt.txt')))).toEqual(['libcrypt.so.1']);
  });

  it('pytest output with colour codes', () => {
    expect(focusSonames(parseLoaderErrors(read('pytest-ansi-libgl.txt')))).toEqual(['libX11.so.6']);
  });

  it('GLIBCXX version error in the old `quote\' style', () => {
    expect(parseLoaderErrors(read('pyarrow-glibcxx.txt'))).toEqual([
      expect.objectContaining({
        kind: 'missing-version',
        version: 'GLIBCXX_3.4.32',
        library: '/nix/store/bn7pnigb0f8874m6riiw6dngsmdyic1g-gcc-12.3.0-lib/lib/libstdc++.so.6',
        soname: 'libstdc++.so.6',
        requiredBy: '/home/alice/proj/.venv/lib/python3.12/site-packages/pyarrow/libarrow.so.1800',
      }),
    ]);
  });

  it("GLIBC version error in the new 'quote' style", () => {
    expect(parseLoaderErrors(read('glibc-version-new-quotes.txt'))).toEqual([
      expect.objectContaining({
        kind: 'missing-version',
        version: 'GLIBC_2.38',
        soname: 'libc.so.6',
        requiredBy:
          '/home/alice/proj/.venv/lib/python3.12/site-packages/_cffi_backend.cpython-312-x86_64-linux-gnu.so',
      }),
    ]);
  });

  it('a bare "GLIBC_2.38 not found" infers the library from the version family', () => {
    expect(parseLoaderErrors(read('bare-glibc.txt'))).toEqual([
      expect.objectContaining({ kind: 'missing-version', version: 'GLIBC_2.38', library: null, soname: 'libc.so.6' }),
    ]);
  });

  it('real ld.so output captured on this machine (ctypes, version and missing file)', () => {
    expect(parseLoaderErrors(read('real-ctypes-vers.txt'))).toEqual([
      expect.objectContaining({
        kind: 'missing-version',
        version: 'VERS_2.0',
        soname: 'libvers.so.1',
        requiredBy: 'verspkg/_ext.cpython-312-x86_64-linux-gnu.so',
      }),
    ]);
    expect(focusSonames(parseLoaderErrors(read('real-ctypes-libacme.txt')))).toEqual(['libacme.so.2']);
  });

  it('every recorded error text yields at least one finding', () => {
    for (const name of readdirSync(dir)) {
      expect(parseLoaderErrors(read(name)).length, name).toBeGreaterThan(0);
    }
  });
});

describe('parseLoaderErrors edge cases', () => {
  it('finds nothing in text without loader errors', () => {
    expect(parseLoaderErrors('ModuleNotFoundError: No module named "cv2"\nsegfault at 0x0\n')).toEqual([]);
    expect(parseLoaderErrors('')).toEqual([]);
  });

  it('keeps several libraries in order of appearance, deduplicated', () => {
    const text = [
      'OSError: libnvrtc.so.12: cannot open shared object file: No such file or directory',
      'ImportError: libGL.so.1: cannot open shared object file: No such file or directory',
      'OSError: libnvrtc.so.12: cannot open shared object file: No such file or directory',
    ].join('\n');
    expect(focusSonames(parseLoaderErrors(text))).toEqual(['libnvrtc.so.12', 'libGL.so.1']);
  });

  it('handles CRLF line ends and a quoted exception repr', () => {
    const text = 'Error: OSError("libsndfile.so.1: cannot open shared object file: No such file or directory")\r\n';
    expect(focusSonames(parseLoaderErrors(text))).toEqual(['libsndfile.so.1']);
  });

  it('a version message and its bare echo are one finding', () => {
    const text =
      "/usr/lib/libstdc++.so.6: version `CXXABI_1.3.15' not found (required by /x/y.so)\n" +
      'summary: CXXABI_1.3.15 not found\n';
    const f = parseLoaderErrors(text);
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ version: 'CXXABI_1.3.15', requiredBy: '/x/y.so', soname: 'libstdc++.so.6' });
  });

  it('maps version families to their libraries', () => {
    expect(sonameForVersionFamily('GLIBCXX_3.4.30')).toBe('libstdc++.so.6');
    expect(sonameForVersionFamily('CXXABI_1.3.13')).toBe('libstdc++.so.6');
    expect(sonameForVersionFamily('GLIBC_2.34')).toBe('libc.so.6');
    expect(sonameForVersionFamily('GCC_12.0.0')).toBe('libgcc_s.so.1');
    expect(sonameForVersionFamily('OPENSSL_3.0.0')).toBeNull();
  });
});

describe('parseLoaderErrors on arbitrary text', () => {
  it('never throws, and finds a loader line wherever it is embedded', async () => {
    const fc = await import('fast-check');
    const soname = fc.stringMatching(/^lib[a-z][a-z0-9_+-]{0,12}\.so\.[0-9]{1,2}$/);
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), soname, fc.string({ maxLength: 200 }), (before, name, after) => {
        const text = `${before}\nOSError: ${name}: cannot open shared object file: No such file or directory\n${after}`;
        const found = parseLoaderErrors(text);
        return found.some((f) => f.kind === 'missing-library' && f.soname === name);
      }),
      { numRuns: 300 },
    );
    fc.assert(
      fc.property(fc.string({ maxLength: 500 }), (t) => {
        parseLoaderErrors(t);
        return true;
      }),
      { numRuns: 300 },
    );
  });
});

describe('parseLoaderErrors on huge pasted logs', () => {
  it('reads loader lines next to megabyte-long tokens (no backtracking blow-up)', () => {
    const blob = 'A'.repeat(1_000_000);
    const text = [
      `payload=${blob}.so${'.1'.repeat(500)}: cannot open shared object file`,
      `${'x.so.'.repeat(100_000)}`,
      `version ${'A_1'.repeat(30_000)} not found`,
      'ImportError: libGL.so.1: cannot open shared object file: No such file or directory',
    ].join('\n');
    const found = parseLoaderErrors(text);
    expect(found.map((f) => f.soname)).toEqual([expect.stringMatching(/^A{1000,}\.so(\.1)+$/), 'libGL.so.1']);
  });
});

describe('libraries opened at run time: real texts from public issue threads (URL on the first line)', () => {
  const libs = (name: string): string[] => focusSonames(parseLoaderErrors(read(name)));

  it("soundfile through cffi: a link-time name stands for libsndfile's soname", () => {
    const [f, g] = parseLoaderErrors(read('soundfile-libsndfile-so.txt'));
    expect(f).toMatchObject({ kind: 'missing-library', soname: 'libsndfile.so.1', name: 'libsndfile.so' });
    // "sndfile library not found using ctypes.util.find_library": the same library, said again.
    expect(g).toBeUndefined();
    expect(libs('soundfile-nixos-replit.txt')).toEqual(['libsndfile.so.1']);
    const [h] = parseLoaderErrors(read('soundfile-cffi-find-library.txt'));
    expect(h).toMatchObject({ kind: 'missing-library', soname: 'libsndfile.so.1', name: 'sndfile' });
  });

  it('cairocffi: library names, and the one shared-object name among Windows and macOS ones', () => {
    expect(libs('cairocffi-no-library-called.txt')).toEqual(['libcairo.so.2']);
    const f = parseLoaderErrors(read('cairocffi-names-only.txt'));
    expect(f.map((x) => x.soname)).toEqual(['libcairo.so.2']);
    expect(f[0]).toMatchObject({ name: 'cairo-2' });
  });

  it('cuDNN 8: the library, or the dependency that stopped it', () => {
    expect(libs('cudnn8-ops-infer.txt')).toEqual(['libcudnn_ops_infer.so.8']);
    expect(libs('cudnn8-library-path.txt')).toEqual(['libcudnn_ops_infer.so.8']);
    expect(libs('cudnn8-needs-cublas.txt')).toEqual(['libcublas.so.11']);
  });

  it('cuDNN 9: "Unable to load any of {...}" focuses on the soname', () => {
    expect(libs('cudnn9-cnn.txt')).toEqual(['libcudnn_cnn.so.9']);
    expect(libs('cudnn9-engines.txt')).toEqual(['libcudnn_engines_precompiled.so.9']);
  });

  it("torch's and llama.cpp's CUDA libraries", () => {
    expect(libs('torch-global-deps-cudart.txt')).toEqual(['libcudart.so.12']);
    expect(libs('libcuda-nix-store.txt')).toEqual(['libcuda.so.1']);
  });

  it('PyOpenGL names the library without lib and .so', () => {
    expect(libs('pyopengl-osmesa.txt')).toEqual(['libOSMesa.so']);
    expect(libs('pyopengl-egl.txt')).toEqual(['libEGL.so.1']);
    expect(focusSonames(parseLoaderErrors('ImportError: Unable to find an OpenGL or GL library'))).toEqual(['libGL.so.1']);
  });

  it('PyGObject: a missing typelib, which names no library', () => {
    expect(parseLoaderErrors(read('gi-namespace-gtk.txt'))).toEqual([
      { kind: 'missing-typelib', namespace: 'Gtk', version: null, soname: null, line: 'ValueError: Namespace Gtk not available' },
    ]);
    expect(parseLoaderErrors(read('gi-namespace-version.txt'))).toEqual([
      expect.objectContaining({ kind: 'missing-typelib', namespace: 'Gtk', version: '3.0' }),
    ]);
    expect(libs('gi-namespace-gtk.txt')).toEqual([]);
  });

  it('does not read a library into a message about something else', () => {
    const text = [
      "cannot load library 'libfoo.so.1': /x/libfoo.so.1: undefined symbol: bar",
      'a library of functions',
      "no library called \"\" was found",
      "Could not load library libcudnn_cnn_train.so.8. Error: /x/libcudnn_ops_train.so.8: undefined symbol: _Z22cudnn",
    ].join('\n');
    // The last one: the library was found and refused, not missing; its name still is the focus.
    expect(focusSonames(parseLoaderErrors(text))).toEqual(['libcudnn_cnn_train.so.8']);
  });
});
