import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { describeWithTool } from '../helpers/tools.js';
import { createLoaderEnv } from '../../src/loader/index.js';

const FIX = join(dirname(fileURLToPath(import.meta.url)), '../../fixtures/loader');
const RTLD = '/lib64/ld-linux-x86-64.so.2';

// This machine's ld.so is the oracle for the host environment's fixed facts, whatever the CPU.
describeWithTool('ldd', "host environment vs this machine's ld.so", () => {
  it('searches the glibc-hwcaps levels and system directories ld.so --help reports', () => {
    if (!existsSync(RTLD)) return;
    const help = execFileSync(RTLD, ['--help'], { encoding: 'utf8', env: { LC_ALL: 'C' } });
    const searched = [...help.matchAll(/^\s+(x86-64-v\d) \(supported, searched\)$/gm)].map((m) => `glibc-hwcaps/${m[1]}/`);
    const env = createLoaderEnv('host');
    expect(env.subdirs.filter((s) => s.startsWith('glibc-hwcaps/'))).toEqual(searched);
    expect(createLoaderEnv('nixos').subdirs).toEqual([...searched, '']);
    const system = [...help.matchAll(/^\s+(\S+) \(system search path\)$/gm)].map((m) => `${m[1]}/`);
    expect(env.defaultDirs).toEqual(system);
    const platform = /^\s+(\S+) \(AT_PLATFORM; /m.exec(help)?.[1];
    if (platform !== undefined) expect(env.dstPlatform).toBe(platform);
  });

  it('tries the same subdirectories, in the same order, as LD_DEBUG=libs shows', () => {
    if (!existsSync(RTLD)) return;
    const root = join(FIX, 'missing_library_reported_not_found/libroot.so');
    // LD_DEBUG writes to stderr.
    const err = spawnSync(RTLD, [root], {
      encoding: 'utf8',
      env: { LC_ALL: 'C', LD_TRACE_LOADED_OBJECTS: '1', LD_DEBUG: 'libs' },
    }).stderr;
    const lists = [...err.matchAll(/search path=(\S*)/g)].map((m) => [...new Set((m[1] as string).split(':'))]);
    expect(lists.length).toBeGreaterThanOrEqual(2);
    const env = createLoaderEnv('host');
    const expand = (dirs: readonly string[]) => dirs.flatMap((d) => env.subdirs.map((s) => (d + s).replace(/\/$/, '')));
    // First the root's RUNPATH ($ORIGIN/gone), then the system directories.
    expect(lists[0]).toEqual(expand([join(FIX, 'missing_library_reported_not_found/gone') + '/']));
    expect(lists[1]).toEqual(expand(env.defaultDirs));
  });
});
