import { execFileSync } from 'node:child_process';
import { readdirSync, realpathSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { DF_1_NODEFLIB, ElfError, readElfFile, type ElfInfo } from '../../src/elf/index.js';
import { describeWithTool } from '../helpers/tools.js';
import { elfFixtureNames, fixture } from './fixtures.js';

interface ReadelfView {
  needed: string[];
  soname: string | null;
  rpath: string | null;
  runpath: string | null;
  nodeflib: boolean;
  verneed: { file: string; versions: string[] }[];
  verdef: string[];
}

/** `readelf -dVW` over many files at once (one process), split per file. */
function readelfViews(paths: readonly string[]): Map<string, ReadelfView> {
  const out = new Map<string, ReadelfView>();
  if (paths.length === 0) return out;
  let text: string;
  try {
    text = execFileSync('readelf', ['-dVW', ...paths], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 1 << 28 });
  } catch (err) {
    // readelf exits non-zero when any file is not ELF; its stdout is still complete.
    text = (err as { stdout?: string }).stdout ?? '';
  }
  const starts = [...text.matchAll(/^File: (.*)$/gm)];
  // With a single file readelf prints no "File:" header.
  if (paths.length === 1 && starts.length === 0) out.set(paths[0]!, parseReadelf(text));
  starts.forEach((m, i) => {
    const end = i + 1 < starts.length ? starts[i + 1]!.index : text.length;
    out.set(m[1]!, parseReadelf(text.slice(m.index, end)));
  });
  return out;
}

function readelfView(path: string): ReadelfView {
  const v = readelfViews([path]).get(path);
  if (v === undefined) throw new Error(`readelf printed nothing for ${path}`);
  return v;
}

/** What `readelf -dVW` prints, reduced to the fields nixpy reads. */
function parseReadelf(out: string): ReadelfView {
  const v: ReadelfView = { needed: [], soname: null, rpath: null, runpath: null, nodeflib: false, verneed: [], verdef: [] };
  let section: 'none' | 'verdef' | 'verneed' = 'none';
  for (const line of out.split('\n')) {
    let m: RegExpMatchArray | null;
    if ((m = line.match(/\(NEEDED\)\s+Shared library: \[(.*)\]$/))) v.needed.push(m[1]!);
    else if ((m = line.match(/\(SONAME\)\s+Library soname: \[(.*)\]$/))) v.soname = m[1]!;
    else if ((m = line.match(/\(RPATH\)\s+Library rpath: \[(.*)\]$/))) v.rpath = m[1]!;
    else if ((m = line.match(/\(RUNPATH\)\s+Library runpath: \[(.*)\]$/))) v.runpath = m[1]!;
    else if ((m = line.match(/\(FLAGS_1\)\s+Flags: (.*)$/))) v.nodeflib = m[1]!.split(/\s+/).includes('NODEFLIB');
    else if (line.startsWith('Version definition section')) section = 'verdef';
    else if (line.startsWith('Version needs section')) section = 'verneed';
    else if (line.startsWith('Version symbols section')) section = 'none';
    else if (section === 'verdef' && (m = line.match(/Flags: (\S+)\s+Index: \d+\s+Cnt: \d+\s+Name: (\S+)/))) {
      if (m[1] !== 'BASE') v.verdef.push(m[2]!);
    } else if (section === 'verneed' && (m = line.match(/Version: \d+\s+File: (\S+)\s+Cnt:/))) {
      v.verneed.push({ file: m[1]!, versions: [] });
    } else if (section === 'verneed' && (m = line.match(/Name: (\S+)\s+Flags:/))) {
      v.verneed.at(-1)?.versions.push(m[1]!);
    }
  }
  return v;
}

function ourView(e: ElfInfo): ReadelfView {
  return {
    needed: e.needed,
    soname: e.soname,
    rpath: e.rpath,
    runpath: e.runpath,
    nodeflib: (e.flags1 & DF_1_NODEFLIB) !== 0,
    verneed: e.verneed,
    verdef: e.verdef,
  };
}

/** A spread of this machine's own shared libraries (distinct files), capped for speed. */
function systemLibraries(limit: number): string[] {
  const dir = '/usr/lib/x86_64-linux-gnu';
  const seen = new Set<string>();
  const out: string[] = [];
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => /\.so(\.|$)/.test(n)).sort();
  } catch {
    return [];
  }
  for (const n of names) {
    try {
      const real = realpathSync(join(dir, n));
      if (seen.has(real)) continue;
      const st = statSync(real);
      if (!st.isFile() || st.size > 1_000_000) continue;
      seen.add(real);
      out.push(real);
    } catch {
      continue;
    }
  }
  const step = Math.max(1, Math.floor(out.length / limit));
  return out.filter((_, i) => i % step === 0).slice(0, limit);
}

describeWithTool('readelf', 'reader agrees with readelf -dV', () => {
  it('on every fixture (both classes, both byte orders)', () => {
    const names = elfFixtureNames();
    const views = readelfViews(names.map(fixture));
    for (const name of names) {
      expect(ourView(readElfFile(fixture(name))), name).toEqual(views.get(fixture(name)));
    }
    // And one file alone (readelf prints no File: header then).
    expect(ourView(readElfFile(fixture('libcxx.so')))).toEqual(readelfView(fixture('libcxx.so')));
  });

  it('on a spread of this machine\'s shared libraries', () => {
    const libs = systemLibraries(150);
    const ours = new Map<string, ElfInfo>();
    for (const lib of libs) {
      try {
        ours.set(lib, readElfFile(lib));
      } catch (err) {
        // Linker scripts (libc.so, libm.so) and other non-objects: readelf must reject them too.
        expect(err, lib).toBeInstanceOf(ElfError);
        expect(() => execFileSync('readelf', ['-h', lib], { stdio: 'ignore' }), lib).toThrow();
      }
    }
    const views = readelfViews([...ours.keys()]);
    for (const [lib, info] of ours) expect(ourView(info), lib).toEqual(views.get(lib));
    expect(ours.size).toBeGreaterThan(Math.min(20, libs.length / 2));
  });
});
