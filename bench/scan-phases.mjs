#!/usr/bin/env node
// Where a scan's time goes, phase by phase, in one cold process (development aid for the
// benchmark; run it several times and compare medians, one run is noisy):
//   node bench/scan-phases.mjs DIR [nixos|host]
// Phases run in scan order on one ObjectCache, so each phase pays only its own first-time costs:
// imports, loader environment, walk, a stat per file, ELF reads, closures, then the rest of the
// scan (judging, collecting what is missing) with everything above cached.
// Wall time and CPU time (user + system) of each phase: on a shared machine the CPU time is the
// steadier figure.
const lap = (() => {
  let t = performance.now();
  let cpu = process.cpuUsage();
  return (what) => {
    const now = performance.now();
    const used = process.cpuUsage(cpu);
    console.log(`${what.padEnd(28)} ${(now - t).toFixed(1).padStart(7)} ms wall ${((used.user + used.system) / 1000).toFixed(1).padStart(7)} ms CPU`);
    t = now;
    cpu = process.cpuUsage();
  };
})();

const [rootArg, envName = 'host'] = process.argv.slice(2);
if (!rootArg) {
  console.error('usage: node bench/scan-phases.mjs DIR [nixos|host]');
  process.exit(2);
}
// Absolute, as scanWith makes it: the phases then probe the very paths the scan's closures probe.
const root = (await import('node:path')).resolve(rootArg);
const { walkVenv } = await import('../dist/scan/walk.js');
const { scanWith } = await import('../dist/scan/scan.js');
const { createLoaderEnv, createObjectCache, loadClosure } = await import('../dist/loader/index.js');
const { classifySoname } = await import('../dist/nixpkgs/classify.js');
lap('imports');
const env = createLoaderEnv(envName, process.env.LD_LIBRARY_PATH ? { ldLibraryPath: process.env.LD_LIBRARY_PATH } : {});
const cache = createObjectCache();
lap('loader environment');
const walk = walkVenv(root);
lap(`walk (${walk.candidates.length} files)`);
const probes = walk.candidates.map((c) => cache.probe(c.abs));
lap('stat per file');
walk.candidates.forEach((c, i) => {
  const p = probes[i];
  if (p !== null && p.kind === 'file') cache.elf(c.abs, p.id);
});
lap('ELF reads');
for (const c of walk.candidates) {
  try {
    loadClosure(c.abs, env, cache);
  } catch {
    // not loadable: the scan skips it
  }
}
lap('closures');
await scanWith(root, { env: envName }, {
  readElf: (abs) => {
    const e = cache.elf(abs, cache.probe(abs).id);
    if (e instanceof Error) throw e;
    return e;
  },
  closureOf: (abs) => {
    try {
      return loadClosure(abs, env, cache);
    } catch (err) {
      return { refused: err.message };
    }
  },
  classify: (soname, venvProviders) => classifySoname(soname, { venvProviders }),
  target: { machine: env.machine, elfClass: env.elfClass },
});
lap('whole scan again, cached');
