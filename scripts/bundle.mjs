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
// - yargs looks for "its" package.json from the directory before `node_modules` in its own path
//   (the same file's `mainFilename`), or else from the working directory, reading every directory
//   up to one that has a package.json on every run. It is pointed at nixpy's own directory.
import { build } from 'esbuild';
import { cpSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'dist', 'bundle');
const yargsDir = dirname(createRequire(join(root, 'package.json')).resolve('yargs/package.json'));

/** What the yargs shim says, and what it says in the bundle (dist/bundle/ is two levels down). */
const SHIM_EDITS = [
  ["resolve(__dirname, '../../../locales')", "fileURLToPath(new URL('./locales', import.meta.url))"],
  ["__dirname.substring(0, __dirname.lastIndexOf('node_modules'))", "fileURLToPath(new URL('../../', import.meta.url))"],
];

/** Points yargs' shim at the bundle's files; fails the build if yargs has changed those lines. */
const yargsShim = {
  name: 'yargs-shim',
  setup(b) {
    b.onLoad({ filter: /yargs[\\/]lib[\\/]platform-shims[\\/]esm\.mjs$/ }, ({ path }) => {
      let text = readFileSync(path, 'utf8');
      for (const [from, to] of SHIM_EDITS) {
        if (!text.includes(from)) throw new Error(`${path}: no \`${from}\` to point at the bundle`);
        text = text.replace(from, to);
      }
      return { contents: text, loader: 'js' };
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
  plugins: [yargsShim],
  logLevel: 'warning',
});
cpSync(join(yargsDir, 'locales'), join(out, 'locales'), { recursive: true });
