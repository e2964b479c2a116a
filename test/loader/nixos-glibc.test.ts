import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { readElfFile } from '../../src/elf/index.js';
import { createLoaderEnv, createObjectCache, loadClosure, NIXOS_GLIBC_X86_64_LIBRARIES, RootObjectError, type Closure } from '../../src/loader/index.js';
import { describeWithTool } from '../helpers/tools.js';
import { mapLimit, parseLdd } from './ldd-oracle.js';

const SYSTEM = '/lib/x86_64-linux-gnu';
const RTLD = '/lib64/ld-linux-x86-64.so.2';
/** Objects compared with the real loader: bounded work, not a timeout (a busy 2-core machine). */
const SAMPLE = 150;

/** ld.so --list in a NixOS-like root: no cache, glibc's libraries (and nothing else) on the path. */
function listInGlibcRoot(file: string, glibcDir: string): Promise<ReturnType<typeof parseLdd>> {
  return new Promise((resolve, reject) => {
    execFile(RTLD, ['--inhibit-cache', '--library-path', glibcDir, '--list', file], { env: { LC_ALL: 'C' }, maxBuffer: 1 << 22 }, (err, stdout, stderr) => {
      try {
        resolve(parseLdd(String(stdout), String(stderr), err ? 1 : 0));
      } catch (e) {
        reject(e as Error);
      }
    });
  });
}

/** Each mapped object once, in load order, by soname (the loader's bare line is its soname). */
function modelOrder(c: Closure): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const l of c.libraries) {
    if (l.path === null || seen.has(l.path)) continue;
    seen.add(l.path);
    out.push(l.soname);
  }
  return out;
}

describeWithTool('ldd', "nixos model: the virtual glibc's DT_NEEDED lists", () => {
  it("are Debian glibc's own, library by library (readelf's view of the real files)", () => {
    let compared = 0;
    for (const [soname, needed] of NIXOS_GLIBC_X86_64_LIBRARIES) {
      const file = join(SYSTEM, soname);
      if (!existsSync(file)) continue; // libnss_db.so.2: not in Debian's libc6
      expect([soname, readElfFile(file).needed]).toEqual([soname, needed]);
      compared++;
    }
    expect(compared).toBeGreaterThanOrEqual(NIXOS_GLIBC_X86_64_LIBRARIES.size - 2);
  });

  it('list glibc breadth-first as the real ld.so does in a root where only glibc is on the path', { timeout: 3_600_000 }, async () => {
    const glibc = mkdtempSync(join(tmpdir(), 'nixpy-glibc-'));
    try {
      for (const soname of NIXOS_GLIBC_X86_64_LIBRARIES.keys()) {
        if (soname !== 'ld-linux-x86-64.so.2' && existsSync(join(SYSTEM, soname))) symlinkSync(join(SYSTEM, soname), join(glibc, soname));
      }
      const host = createLoaderEnv('host');
      const nixos = createLoaderEnv('nixos');
      const objects = createObjectCache();
      // Objects whose whole closure is glibc: there the NixOS-like root and the model agree on
      // every name, so the order is what is compared.
      const all = readdirSync(SYSTEM).filter((n) => /\.so(\.|$)/.test(n)).sort().map((n) => join(SYSTEM, n));
      const glibcOnly = all.filter((f) => {
        try {
          const c = loadClosure(f, host, objects);
          return c.error === undefined && c.libraries.length > 0 && c.libraries.every((l) => NIXOS_GLIBC_X86_64_LIBRARIES.has(l.soname));
        } catch (err) {
          if (err instanceof RootObjectError) return false;
          throw err;
        }
      });
      const step = Math.max(1, glibcOnly.length / SAMPLE);
      const files = Array.from({ length: Math.min(SAMPLE, glibcOnly.length) }, (_, i) => glibcOnly[Math.floor(i * step)] as string);
      const results = await mapLimit(files, 3, async (f) => {
        const real = await listInGlibcRoot(f, glibc);
        if (real.kind !== 'listed') return `${f}: ld.so ${JSON.stringify(real)}`;
        const theirs = real.lines.map((l) => (l.arrow ? l.name : l.path === RTLD ? 'ld-linux-x86-64.so.2' : l.name));
        const ours = modelOrder(loadClosure(f, nixos, objects));
        return JSON.stringify(ours) === JSON.stringify(theirs) ? null : `${f}: model ${ours.join(' ')} | ld.so ${theirs.join(' ')}`;
      });
      const disagree = results.filter((r) => r !== null);
      console.log(`nixos glibc order: ${files.length} of ${glibcOnly.length} glibc-only objects, ${disagree.length} disagree`);
      expect(disagree.slice(0, 5)).toEqual([]);
      expect(files.length).toBeGreaterThan(20);
    } finally {
      rmSync(glibc, { recursive: true, force: true });
    }
  });
});
