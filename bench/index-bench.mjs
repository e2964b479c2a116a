#!/usr/bin/env node
// Index bench (issue 3): builds a local index from a synthetic one-million-line nix-locate dump
// and times what every nixpy command pays: loading the cache and resolving a few sonames.
// Run after `npm run build`:  node bench/index-bench.mjs [LINES]
import { mkdtempSync, writeFileSync, statSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const LINES = Number(process.argv[2] ?? 1_000_000);
const root = fileURLToPath(new URL('..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'nixpy-index-bench-'));
const dump = join(dir, 'dump.txt');
const cacheHome = join(dir, 'cache');

// Realistic shape: many attributes, a few outputs, files under lib/ and deeper (python, qt),
// symlink chains (libfoo.so -> .so.N -> .so.N.M), some non-top-level hits in parentheses.
const alpha = '0123456789abcdfghijklmnpqrsvwxyz';
let seed = 42;
const rnd = (n) => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) % n);
const hash = () => Array.from({ length: 32 }, () => alpha[rnd(32)]).join('');
const chunks = [];
let n = 0;
for (let a = 0; n < LINES; a++) {
  const attr = rnd(10) === 0 ? `python313Packages.pkg${a}` : rnd(20) === 0 ? `haskellPackages.some-long-attribute-name-${a}` : `pkg${a}`;
  const top = rnd(15) !== 0;
  const output = rnd(5) === 0 ? 'lib' : 'out';
  const store = `/nix/store/${hash()}-${attr.replace(/.*\./, '')}-1.${a % 10}`;
  const libs = 1 + rnd(6);
  for (let l = 0; l < libs && n < LINES; l++) {
    const deep = rnd(4) === 0 ? `lib/python3.13/site-packages/m${a}/` : rnd(8) === 0 ? 'lib/qt-6/plugins/' : 'lib/';
    const name = `lib${attr.replace(/[^a-z0-9]/gi, '')}_${l}.so`;
    for (const [file, type] of [[name, 's'], [`${name}.${l + 1}`, 's'], [`${name}.${l + 1}.0.${a % 7}`, 'x']]) {
      if (n >= LINES) break;
      const at = `${attr}.${output}`;
      chunks.push(`${(top ? at : `(${at})`).padEnd(40)} ${type === 's' ? '0'.padStart(14) : (1000 + rnd(9e6)).toLocaleString('en-US').padStart(14)} ${type} ${store}/${deep}${file}\n`);
      n++;
    }
  }
}
writeFileSync(dump, chunks.join(''));
console.log(`dump: ${n} lines, ${(statSync(dump).size / 1e6).toFixed(1)} MB`);

// The same steps as `nixpy index build --from` (src/cli/commands/index-build.ts), called
// directly so the bench does not depend on every other command loading.
const { hitsFromDump } = await import(join(root, 'dist/nixpkgs/build.js'));
const { encodeIndex, writeIndexFile } = await import(join(root, 'dist/nixpkgs/cache.js'));
const { loadIndex, resolveSoname, defaultCacheFile } = await import(join(root, 'dist/nixpkgs/index.js'));
const env = { XDG_CACHE_HOME: cacheHome };
const file = defaultCacheFile(env);
const t0 = performance.now();
const { hits } = await hitsFromDump(dump, async () => null);
const t1 = performance.now();
writeIndexFile(file, encodeIndex(hits, dump));
const t2 = performance.now();
console.log(`index build: parse ${(t1 - t0).toFixed(0)} ms, encode + atomic write ${(t2 - t1).toFixed(0)} ms`);
console.log(`cache file: ${(statSync(file).size / 1e6).toFixed(1)} MB`);

loadIndex({ env }).local?.close(); // warm: the embedded index and module code are loaded once per process
const runs = 20;
const times = [];
for (let i = 0; i < runs; i++) {
  const s = performance.now();
  const loaded = loadIndex({ env });
  times.push(performance.now() - s);
  loaded.local?.close();
}
times.sort((a, b) => a - b);
console.log(`load cache: median ${times[runs >> 1].toFixed(2)} ms, max ${times[runs - 1].toFixed(2)} ms (${runs} runs)`);
const idx = loadIndex({ env });
const s = performance.now();
for (const so of ['libz.so.1', 'libpkg77_0.so.1', 'libnothere.so.9', 'libstdc++.so.6', 'libGL.so.1']) resolveSoname(so, idx);
console.log(`resolve 5 sonames: ${(performance.now() - s).toFixed(2)} ms`);
rmSync(dir, { recursive: true, force: true });
