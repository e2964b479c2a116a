#!/usr/bin/env node
// `npm run bench`: the runtime pass (src/plan/runtime-loads.ts, reading through src/scan/python-walk.ts) over a venv-sized tree of Python
// sources. Builds bench/.work/runtime-venv (gitignored): NIXPY_BENCH_PY_FILES files (default
// 30 000, about 200 MB, the size of a venv with torch and tensorflow), one in a hundred with a
// ctypes call, then times the pass twice (cold-ish, then warm page cache) and prints what it read.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const VENV = join(HERE, '.work/runtime-venv');
const FILES = Number(process.env.NIXPY_BENCH_PY_FILES ?? 30000);
const { scanRuntimeLoads } = await import(join(HERE, '../dist/plan/runtime-loads.js'));

const body = Array.from({ length: 100 }, (_, i) => `def f${i}(x):\n    return x + ${i}  # filler to give the file a real size\n`).join('');
if (!existsSync(join(VENV, '.complete'))) {
  for (let i = 0; i < FILES; i++) {
    const dir = join(VENV, 'lib/python3.12/site-packages', `pkg${Math.floor(i / 100)}`, ...Array.from({ length: i % 3 }, (_, k) => `sub${k}`));
    mkdirSync(dir, { recursive: true });
    const call = i % 100 === 0 ? `import ctypes\n_l = ctypes.CDLL("libbench${i / 100}.so.1")\n` : '';
    writeFileSync(join(dir, `m${i}.py`), call + body);
  }
  writeFileSync(join(VENV, '.complete'), '');
}
const dists = { names: [], distributionOf: (rel) => rel.split('/')[3] };
for (const label of ['first', 'second']) {
  const t0 = performance.now();
  const r = scanRuntimeLoads(VENV, dists);
  const ms = Math.round(performance.now() - t0);
  console.log(`runtime pass (${label}): ${ms} ms, ${r.pass.files} files, ${(r.pass.bytes / 1e6).toFixed(0)} MB, ${r.runtime.length} loads found, truncated: ${r.pass.truncated ?? 'no'}`);
}
