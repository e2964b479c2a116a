import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Chalk } from 'chalk';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import type { Io } from '../../src/cli/io.js';
import { recordingIo, type RecordingIo } from '../helpers/io.js';
import { formatScan } from '../../src/cli/render/scan.js';
import { truncateList } from '../../src/cli/render/text.js';
import type { ScanResult } from '../../src/scan/types.js';

const FIX = join(import.meta.dirname, '../../fixtures/scan');
const VENV = join(FIX, 'venv');
const SP = 'lib/python3.12/site-packages';

function fakeIo(over: Partial<Io> = {}): RecordingIo {
  return recordingIo({ env: { LD_LIBRARY_PATH: '' }, cwd: FIX, ...over });
}

describe('nixpy scan', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'nixpy-scan-cli-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('a found library without a needed symbol version: versionErrors, exit 1', async () => {
    const src = join(import.meta.dirname, '../../fixtures/loader/missing_symbol_version_is_refused');
    const venv = join(tmp, 'vers-venv');
    mkdirSync(join(venv, SP, 'pkg/lib'), { recursive: true });
    copyFileSync(join(src, 'libroot.so'), join(venv, SP, 'pkg/_v.cpython-312-x86_64-linux-gnu.so'));
    copyFileSync(join(src, 'lib/libvers.so'), join(venv, SP, 'pkg/lib/libvers.so'));
    const io = fakeIo();
    expect(await main(['scan', venv, '--json', '--env', 'host'], io)).toBe(1);
    const doc = JSON.parse(io.out) as ScanResult;
    expect(doc.missing).toEqual([]);
    expect(doc.versionErrors).toEqual([
      { soname: 'libvers.so', version: 'VERS_2', neededBy: `${SP}/pkg/_v.cpython-312-x86_64-linux-gnu.so`, library: join(venv, SP, 'pkg/lib/libvers.so') },
    ]);
  });

  it('--json prints exactly the contract document and exits 1 when something is missing', async () => {
    const io = fakeIo();
    expect(await main(['scan', VENV, '--json'], io)).toBe(1);
    const doc = JSON.parse(io.out) as ScanResult;
    expect(Object.keys(doc).sort()).toEqual(['env', 'interpreter', 'missing', 'objects', 'root', 'runtime', 'skipped', 'typelibs', 'versionErrors']);
    expect(doc.root).toBe(VENV);
    expect(doc.env).toBe('nixos');
    expect(doc.objects).toBe(13);
    expect(doc.missing.map((m) => m.soname)).toEqual(['libalpha_missing.so.1', 'libbeta.so.1', 'libbetadep_missing.so.2', 'libeta_dep.so.1', 'libzeta_a.so.1']);
    expect(io.err).toBe('');
  });

  it('a relative VENV is taken from the working directory; --env host is passed through', async () => {
    const io = fakeIo({ cwd: FIX });
    expect(await main(['scan', 'venv', '--json', '--env', 'host'], io)).toBe(1);
    const doc = JSON.parse(io.out) as ScanResult;
    expect(doc.root).toBe(VENV);
    expect(doc.env).toBe('host');
  });

  it('defaults to $VIRTUAL_ENV, then ./.venv', async () => {
    const io = fakeIo({ env: { VIRTUAL_ENV: VENV, LD_LIBRARY_PATH: '' }, cwd: tmp });
    expect(await main(['scan', '--json'], io)).toBe(1);
    expect((JSON.parse(io.out) as ScanResult).root).toBe(VENV);

    const none = fakeIo({ cwd: tmp });
    expect(await main(['scan'], none)).toBe(2);
    expect(none.err).toBe(`nixpy: no venv found (looked at ${join(tmp, '.venv')}, ${join(tmp, '.devenv/state/venv')}); create one with \`uv sync\`, or name it on the command line\n`);
  });

  it('exits 2 with one line for a path that is not a directory', async () => {
    writeFileSync(join(tmp, 'file'), 'x');
    const io = fakeIo();
    expect(await main(['scan', join(tmp, 'file')], io)).toBe(2);
    expect(io.err).toMatch(new RegExp(`^nixpy: ${join(tmp, 'file')}: (no such|not a) directory.*\\n$`));
    expect(io.out).toBe('');
  });

  it('an empty venv: nothing to check, exit 0', async () => {
    const io = fakeIo({ cwd: tmp });
    mkdirSync(join(tmp, '.venv'), { recursive: true });
    expect(await main(['scan', '--json'], io)).toBe(0);
    expect(JSON.parse(io.out)).toEqual({
      root: join(tmp, '.venv'),
      env: 'nixos',
      objects: 0,
      skipped: [],
      missing: [],
      versionErrors: [],
      // No pyvenv.cfg, no bin/python: nothing says which Python, and this machine's is assumed.
      interpreter: { kind: 'unknown', home: null, via: null, machine: 'x86_64', sink: 'LD_LIBRARY_PATH', warnings: [expect.stringMatching(/bin\/python could not be read/)] },
      runtime: [],
      typelibs: [],
    });
  });

  it('missing entries carry providedBy only for the venv category', async () => {
    const io = fakeIo();
    await main(['scan', VENV, '--json'], io);
    for (const m of (JSON.parse(io.out) as ScanResult).missing) {
      expect(Object.keys(m).sort(), m.soname).toEqual(
        m.category === 'venv' ? ['category', 'neededBy', 'providedBy', 'soname'] : ['category', 'neededBy', 'soname'],
      );
    }
  });

  it('exits 0 when everything resolves', async () => {
    const io = fakeIo();
    expect(await main(['scan', join(VENV, SP, 'gamma.libs'), '--json'], io)).toBe(0);
    expect((JSON.parse(io.out) as ScanResult).missing).toEqual([]);
  });

  it('--ld-library-path overrides $LD_LIBRARY_PATH', async () => {
    const io = fakeIo({ env: { LD_LIBRARY_PATH: '/nonexistent' } });
    await main(['scan', VENV, '--json', '--ld-library-path', join(VENV, SP, 'beta.libs')], io);
    expect((JSON.parse(io.out) as ScanResult).missing.map((m) => m.soname)).not.toContain('libbeta.so.1');
  });

  it('human output names each missing soname, its category and who needs it, without colour off a TTY', async () => {
    const io = fakeIo();
    expect(await main(['scan', VENV], io)).toBe(1);
    expect(io.out).toContain('libbeta.so.1');
    expect(io.out).toContain(`needed by ${SP}/alpha/_core.cpython-312-x86_64-linux-gnu.so`);
    expect(io.out).toContain(`found at ${SP}/beta.libs/libbeta.so.1`);
    expect(io.out).toContain('broken/i386.so: ELF32 object in a 64-bit venv');
    expect(io.out).not.toMatch(/\u001b\[/);
  });
});

describe('formatScan', () => {
  const result: ScanResult = {
    root: '/v',
    env: 'nixos',
    objects: 7,
    skipped: [],
    missing: [{ soname: 'libGL.so.1', category: 'driver', neededBy: ['a.so', 'b.so', 'c.so', 'd.so', 'e.so'] }],
    versionErrors: [],
  };

  it('lists the symbol versions found libraries lack', () => {
    const text = formatScan(
      { ...result, missing: [], versionErrors: [{ soname: 'libvers.so', version: 'VERS_2', neededBy: 'a.so', library: '/v/lib/libvers.so' }] },
      new Chalk({ level: 0 }),
    );
    expect(text).toContain('1 symbol version not found (the loader refuses the objects that need them):\n  VERS_2 of libvers.so at /v/lib/libvers.so\n    needed by a.so');
  });

  it('truncates long neededBy lists', () => {
    expect(formatScan(result, new Chalk({ level: 0 }))).toContain('needed by a.so, b.so, c.so and 2 more');
    expect(truncateList(['a', 'b'], 3)).toBe('a, b');
  });

  it('lists at most ten skipped files', () => {
    const many: ScanResult = {
      ...result,
      missing: [],
      skipped: Array.from({ length: 13 }, (_, i) => ({ path: `f${String(i).padStart(2, '0')}.so`, reason: 'not an ELF file' })),
    };
    const text = formatScan(many, new Chalk({ level: 0 }));
    expect(text).toContain('f09.so: not an ELF file');
    expect(text).not.toContain('f10.so');
    expect(text).toContain('and 3 more');
    expect(text).toContain('every needed library resolves');
  });

  it('colours only through the chalk it is given', () => {
    expect(formatScan(result, new Chalk({ level: 1 }))).toMatch(/\u001b\[/);
    expect(formatScan(result, new Chalk({ level: 0 }))).not.toMatch(/\u001b\[/);
  });
});
