import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseLoaderErrors, type MissingVersionFinding } from '../../src/plan/error-text.js';
import { highestProvidedBy, toolchain } from '../../src/nixpkgs/toolchain.js';
import { compareNumbers, parseVersionName } from '../../src/elf/version-names.js';

/** Real error texts from public issue threads; SOURCES.md lists each one's URL. */
const dir = join(import.meta.dirname, '../../fixtures/doctor/version-errors');
const files = readdirSync(dir).filter((f) => f.endsWith('.txt'));
const read = (name: string): string => readFileSync(join(dir, name), 'utf8');
const versions = (name: string): MissingVersionFinding[] =>
  parseLoaderErrors(read(name)).filter((f): f is MissingVersionFinding => f.kind === 'missing-version');

/** What a reader of each paste sees in it, checked by hand against the thread. */
const expected: Record<string, Partial<MissingVersionFinding> & { count?: number }> = {
  'nixpkgs-94443-onnx.txt': {
    version: 'GLIBCXX_3.4.26',
    library: '/nix/store/6qx8ijrs82bnq60vp09pv46mdx4rnq9d-gcc-7.5.0-lib/lib/libstdc++.so.6',
    gccVersion: '7.5.0',
    requiredBy:
      '/nix/store/ln8r1m11ypy3a642g4vab9c06mqmpsdn-python3.7-onnx-1.7.0/lib/python3.7/site-packages/onnx/onnx_cpp2py_export.cpython-37m-x86_64-linux-gnu.so',
  },
  'chainsail-309-glibc-quoted.txt': {
    version: 'GLIBC_2.33',
    soname: 'libc.so.6',
    glibcVersion: '2.31',
    requiredBy: '/nix/store/l2516vxb7kznb9q7a0xmxcnqbq6818vh-gcc-10.3.0-lib/lib/libstdc++.so.6',
  },
  'pulumi-7754-terminal-wrapped.txt': {
    version: 'GLIBC_2.33',
    glibcVersion: '2.32',
    requiredBy: '/nix/store/lg104nh0szci8slz5z6494m457jm5y3p-gcc-10.3.0-lib/lib/libstdc++.so.6',
  },
  'nix-9203-arch-glibc.txt': { version: 'GLIBC_2.38', glibcVersion: '2.37', requiredBy: '/usr/lib/libstdc++.so.6' },
  'nix-8663-glibc.txt': { version: 'GLIBC_2.36', glibcVersion: '2.35', requiredBy: '/usr/lib64/libstdc++.so.6' },
  'nixpacks-1103-glibc-relative.txt': { version: 'GLIBC_2.38', glibcVersion: '2.37', requiredBy: 'nix-env' },
  'gambit-272-no-paren.txt': { version: 'GLIBC_2.33', glibcVersion: '2.32', requiredBy: '/usr/local/gambit/current/lib/libgambit.so' },
  'compucell3d-830-cxxabi-many.txt': {
    version: 'CXXABI_1.3.15',
    library: '/usr/lib/x86_64-linux-gnu/libstdc++.so.6',
    gccVersion: null,
    count: 4,
  },
  'pytorch-8318-cxxabi.txt': {
    version: 'CXXABI_1.3.8',
    library: '/usr/lib64/libstdc++.so.6',
    requiredBy: '/export/home/dyh/anaconda3/envs/pytorch/lib/python3.6/site-packages/torch/lib/libATen.so',
  },
  'nnabla-2-cmake-traceback.txt': { version: 'CXXABI_1.3.8', library: '/home/user/.anaconda/envs/py27/lib/libstdc++.so.6' },
  'optware-282-libgcc.txt': { version: 'GCC_7.0.0', soname: 'libgcc_s.so.1', library: '/usr/lib32/libgcc_s.so.1' },
  'wazuh-20916-solaris.txt': { version: 'GCC_4.2.0', soname: 'libgcc_s.so.1', requiredBy: '/var/ossec/lib/libstdc++.so.6' },
  'pytorch-38765-libm.txt': { version: 'GLIBC_2.23', soname: 'libm.so.6', requiredBy: '/home/centos/libtorch_cpu.so' },
  // A spack path names gcc-9.3.0, but only a Nix store path is read for a version.
  'deeplynx-210-grpc.txt': { version: 'GLIBCXX_3.4.30', gccVersion: null },
  'reticulate-1282-scipy.txt': { version: 'GLIBCXX_3.4.30', soname: 'libstdc++.so.6' },
  'hcflow-5-scipy.txt': { version: 'GLIBCXX_3.4.22', library: '/home/hbw/gcc-build-5.4.0/lib64/libstdc++.so.6' },
  'chai-lab-422-no-required-by.txt': { version: 'GLIBCXX_3.4.31', library: '/lib64/libstdc++.so.6', requiredBy: null },
  'grpc-7903-node.txt': {
    version: 'GLIBCXX_3.4.15',
    requiredBy: '/opt/app/node_modules/grpc/src/node/extension_binary/grpc_node.node',
  },
};

describe('real symbol-version errors', () => {
  it('every recorded text has its expectation and its source', () => {
    const sources = read('SOURCES.md');
    expect(files.sort()).toEqual(Object.keys(expected).sort());
    for (const f of files) expect(sources, f).toMatch(new RegExp(`\`${f.replace(/\./g, '\\.')}\` \\| https://github\\.com/`));
  });

  for (const [file, want] of Object.entries(expected)) {
    it(file, () => {
      const { count = 1, ...fields } = want;
      const found = versions(file);
      expect(found).toHaveLength(count);
      for (const f of found) expect(f).toMatchObject(fields);
    });
  }

  it("each store path's gcc or glibc really lacks the version the error asks for", () => {
    // The errors confirm the facts: the libstdc++ of gcc-7.5.0 stops below GLIBCXX_3.4.26, a
    // glibc-2.37 below GLIBC_2.38. A wrong table row would contradict a real loader here.
    let checked = 0;
    for (const file of files) {
      for (const f of versions(file)) {
        const need = parseVersionName(f.version)!;
        if (f.gccVersion) {
          const have = highestProvidedBy(toolchain(), f.gccVersion, need.family);
          expect(have, file).not.toBeNull();
          expect(compareNumbers(parseVersionName(have!)!.numbers, need.numbers), file).toBeLessThan(0);
          checked++;
        }
        if (f.glibcVersion) {
          expect(compareNumbers(f.glibcVersion.split('.').map(Number), need.numbers), file).toBeLessThan(0);
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThanOrEqual(7);
  });
});

describe("the issue's own text (issue 10), hashes shortened to `…`", () => {
  it('still reads the gcc version from the store path', () => {
    const text =
      "ImportError: /nix/store/…-gcc-12.3.0-lib/lib/libstdc++.so.6: version `GLIBCXX_3.4.32' not found (required by /home/u/p/.venv/lib/python3.12/site-packages/foo/_ext.so)";
    expect(parseLoaderErrors(text)).toEqual([
      expect.objectContaining({
        version: 'GLIBCXX_3.4.32',
        library: '/nix/store/…-gcc-12.3.0-lib/lib/libstdc++.so.6',
        gccVersion: '12.3.0',
        requiredBy: '/home/u/p/.venv/lib/python3.12/site-packages/foo/_ext.so',
      }),
    ]);
    expect(parseLoaderErrors('x: /nix/store/...-glibc-2.37-45/lib/libc.so.6: version `GLIBC_2.38\' not found (required by …)')[0]).toMatchObject({
      glibcVersion: '2.37',
      requiredBy: '…',
    });
  });
});

describe('terminal-wrapped lines', () => {
  const line =
    "ImportError: /nix/store/bn7pnigb0f8874m6riiw6dngsmdyic1g-gcc-12.3.0-lib/lib/libstdc++.so.6: version `GLIBCXX_3.4.32' not found (required by /p/.venv/x.so)";
  it('are joined wherever inside `not found` the terminal broke them, with or without a border', () => {
    const at = line.indexOf('not found');
    for (let cut = at + 1; cut < at + 'not found'.length; cut++) {
      for (const border of ['', '│', '│  ', '|']) {
        const text = `${line.slice(0, cut)}${border}\n${line.slice(cut)}\n`;
        expect(parseLoaderErrors(text), `${cut} ${JSON.stringify(border)}`).toEqual([
          expect.objectContaining({ version: 'GLIBCXX_3.4.32', requiredBy: '/p/.venv/x.so', gccVersion: '12.3.0' }),
        ]);
      }
    }
  });

  it('are not joined when the seam does not make `not found`', () => {
    expect(parseLoaderErrors('version `GLIBCXX_3.4.32\' not\nfoundation (required by /x.so)\n')).toEqual([]);
    expect(parseLoaderErrors('GLIBC_2.38 is fine\nnot found: nothing\n')).toEqual([]);
  });
});
