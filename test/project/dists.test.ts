import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  buildDistIndex,
  distributionOf,
  groupByDistribution,
  parseMetadata,
  parseRecordPaths,
  versionOf,
} from '../../src/project/dists.js';
import { readDistIndex } from '../../src/project/dists-io.js';

const SP = 'lib/python3.12/site-packages';

describe('RECORD parsing', () => {
  it('takes the first CSV field, unquoting "" escapes', () => {
    const text = [
      'numpy/__init__.py,sha256=abc,123',
      '"odd,name/with ""quotes"".so",sha256=def,4',
      'numpy-2.1.3.dist-info/RECORD,,',
      '',
    ].join('\r\n');
    expect(parseRecordPaths(text)).toEqual(['numpy/__init__.py', 'odd,name/with "quotes".so', 'numpy-2.1.3.dist-info/RECORD']);
  });

  it('reads Name and Version from the METADATA headers only', () => {
    expect(parseMetadata('Metadata-Version: 2.1\nName: opencv-python\nVersion: 4.10.0.84\n\nName: not this\n')).toEqual({
      name: 'opencv-python',
      version: '4.10.0.84',
    });
  });
});

describe('distributionOf', () => {
  const index = buildDistIndex([
    {
      distInfo: `${SP}/opencv_python-4.10.0.84.dist-info`,
      record: 'cv2/cv2.abi3.so,sha256=x,1\nopencv_python.libs/libavcodec-abc.so.59,sha256=y,2\n../../../bin/cv2-tool,sha256=z,3\n',
      metadata: 'Name: opencv-python\nVersion: 4.10.0.84\n',
    },
    { distInfo: `${SP}/pillow-11.0.0.dist-info`, record: 'PIL/_imaging.cpython-312-x86_64-linux-gnu.so,,\n', metadata: null },
  ]);

  it('uses the RECORD owner and its METADATA name', () => {
    expect(distributionOf(`${SP}/cv2/cv2.abi3.so`, index)).toBe('opencv-python');
    expect(distributionOf(`${SP}/opencv_python.libs/libavcodec-abc.so.59`, index)).toBe('opencv-python');
    expect(versionOf('opencv-python', index)).toBe('4.10.0.84');
  });

  it('maps RECORD entries that leave site-packages to their venv-relative path', () => {
    expect(distributionOf('bin/cv2-tool', index)).toBe('opencv-python');
  });

  it('falls back to the dist-info directory name without METADATA', () => {
    expect(distributionOf(`${SP}/PIL/_imaging.cpython-312-x86_64-linux-gnu.so`, index)).toBe('pillow');
  });

  it('falls back to the top-level directory when no RECORD lists the file', () => {
    expect(distributionOf(`${SP}/scipy/linalg/_flapack.so`, index)).toBe('scipy');
    expect(distributionOf(`${SP}/scipy.libs/libgfortran-abc.so.5`, index)).toBe('scipy');
    expect(distributionOf(`${SP}/_cffi_backend.cpython-312-x86_64-linux-gnu.so`, index)).toBe('_cffi_backend');
    expect(distributionOf('lib/libpython3.12.so.1.0', index)).toBe('(venv)');
  });

  it('groups and sorts', () => {
    const groups = groupByDistribution(
      [`${SP}/scipy/b.so`, `${SP}/cv2/cv2.abi3.so`, `${SP}/scipy/a.so`, `${SP}/scipy/a.so`],
      index,
    );
    expect([...groups.entries()]).toEqual([
      ['opencv-python', [`${SP}/cv2/cv2.abi3.so`]],
      ['scipy', [`${SP}/scipy/a.so`, `${SP}/scipy/b.so`]],
    ]);
  });
});

describe('readDistIndex on the demo venv', () => {
  it('reads the RECORD files the demo build wrote', async () => {
    const index = readDistIndex(join(import.meta.dirname, '../../fixtures/demo/.venv'));
    expect(index.records.map((r) => r.name).sort()).toEqual([
      'acme-sensor',
      'fastzip',
      'imgview',
      'nvidia-cuda-runtime-cu12',
      'tinygpu',
    ]);
    expect(distributionOf(`${SP}/acmesensor/_acme.cpython-312-x86_64-linux-gnu.so`, index)).toBe('acme-sensor');
    expect(distributionOf(`${SP}/fastzip.libs/libzstd-a1b2c3d4.so.1.5.5`, index)).toBe('fastzip');
  });

  it('gives an empty index for a directory without site-packages', async () => {
    const index = readDistIndex(import.meta.dirname);
    expect(index.records).toEqual([]);
  });
});

describe('.egg-info distributions (setuptools, Debian python3-* packages)', () => {
  const DP = 'lib/python3.11/dist-packages';

  it("reads Debian's egg-info: PKG-INFO for name and version, top_level.txt for what they own", async () => {
    const index = readDistIndex(join(import.meta.dirname, '../../fixtures/egg-info/venv'));
    expect(index.records.map((r) => [r.name, r.version])).toEqual([
      ['PyGObject', '3.42.2'],
      ['dbus-python', '1.3.2'],
    ]);
    expect(distributionOf(`${DP}/gi/_gi.cpython-311-x86_64-linux-gnu.so`, index)).toBe('PyGObject');
    expect(distributionOf(`${DP}/_dbus_bindings.cpython-311-x86_64-linux-gnu.so`, index)).toBe('dbus-python');
    expect(distributionOf(`${DP}/dbus/mainloop/glib.py`, index)).toBe('dbus-python');
    expect(versionOf('PyGObject', index)).toBe('3.42.2');
    // Not owned by any of them: the top-level directory, as before.
    expect(distributionOf(`${DP}/PIL/_imaging.cpython-311-x86_64-linux-gnu.so`, index)).toBe('PIL');
  });

  it("pip's installed-files.txt and a PKG-INFO-less egg-info named only by its directory", () => {
    const index = buildDistIndex(
      [],
      [
        {
          eggInfo: `${SP}/Pillow-9.4.0-py3.12.egg-info`,
          pkgInfo: null,
          installedFiles: '../PIL/__init__.py\n../PIL/_imaging.cpython-312-x86_64-linux-gnu.so\nPKG-INFO\n',
          topLevel: null,
        },
      ],
    );
    expect(distributionOf(`${SP}/PIL/_imaging.cpython-312-x86_64-linux-gnu.so`, index)).toBe('Pillow');
    expect(versionOf('Pillow', index)).toBe('9.4.0');
  });
});
