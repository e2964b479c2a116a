#!/usr/bin/env node
// `npm run build`, second step: the command-line program as one ES module graph in dist/bundle/
// (bin/nixpy.js runs dist/bundle/main.js), with the run-time pass's worker beside it.
//
// Why: Node 20 spends most of a short run's start-up resolving and loading modules one file at a
// time (yargs alone: ~20 files, 68 ms to import). One bundle, split only where the CLI loads a
// command on use, starts `nixpy --version` in 0.11 s instead of 0.15 s. tsc still type-checks and
// writes dist/ for the tests and the bench; the bundle is built from the same sources.
//
// Bundled dependencies keep working as in node_modules:
// - CommonJS ones (fast-glob) call `require`, which an ES module lacks: the banner defines it.
// - yargs finds its message translations relative to its own file (lib/platform-shims/esm.mjs:
//   `resolve(__dirname, '../../../locales')`); they are copied beside the bundle and the path
//   is rewritten to point there, or a German user would get English usage errors.
import { build } from 'esbuild';
import { cpSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'dist', 'bundle');
const yargsDir = dirname(createRequire(join(root, 'package.json')).resolve('yargs/package.json'));

const LOCALES_FROM = "resolve(__dirname, '../../../locales')";
const LOCALES_TO = "fileURLToPath(new URL('./locales', import.meta.url))";

/** Points yargs' shim at dist/bundle/locales; fails the build if yargs has changed that line. */
const yargsLocales = {
  name: 'yargs-locales',
  setup(b) {
    b.onLoad({ filter: /yargs[\\/]lib[\\/]platform-shims[\\/]esm\.mjs$/ }, ({ path }) => {
      const text = readFileSync(path, 'utf8');
      if (!text.includes(LOCALES_FROM)) throw new Error(`${path}: no \`${LOCALES_FROM}\` to point at the bundled locales`);
      return { contents: text.replace(LOCALES_FROM, LOCALES_TO), loader: 'js' };
    });
  },
};

rmSync(out, { recursive: true, force: true });
await build({
  absWorkingDir: root,
  entryPoints: { main: 'src/cli/main.ts', 'runtime-worker': 'src/plan/runtime-worker.ts' },
  outdir: out,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  banner: { js: "import { createRequire as __nixpyCreateRequire } from 'node:module'; const require = __nixpyCreateRequire(import.meta.url);" },
  plugins: [yargsLocales],
  logLevel: 'warning',
});
cpSync(join(yargsDir, 'locales'), join(out, 'locales'), { recursive: true });
