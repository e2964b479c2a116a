#!/usr/bin/env node
// `npm run prepare`: builds dist/ (the bin runs dist/bundle/main.js) for every install that starts
// from the source rather than from the registry tarball:
//
// - `npm ci` in a working copy;
// - `npm pack` (pre-commit 3.x and 4.0-4.6.0: `npm install` in the hook's clone, then `npm pack`,
//   whose stdout it reads as the tarball name; see .npmrc for why nothing else lands there);
// - `npm install -g git+file://CLONE` (pre-commit 4.6.1+, pre_commit/languages/node.py). npm
//   prepares a git dependency by running `npm install` in the clone, but that child npm inherits
//   the parent's configuration through `npm_config_*` variables (global, prefix), so it installs
//   into the global prefix and the clone never gets its devDependencies: `tsc` is missing when
//   this script runs (nor esbuild). Then the clone's own dependencies are installed here, from the lock file,
//   with the location options forced back to the clone.
//
// Prints only to stderr: in `npm pack` it must not add to the tarball name on stdout.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
const esbuild = join(root, 'node_modules', 'esbuild', 'package.json');

/** Runs a command in the package root with its output on stderr; exits with its failure. */
function run(file, args) {
  const r = spawnSync(file, args, { cwd: root, stdio: ['ignore', 2, 2] });
  if (r.error) {
    process.stderr.write(`prepare: cannot run ${file}: ${r.error.message}\n`);
    process.exit(1);
  }
  if (r.status !== 0) process.exit(r.status ?? 1);
}

if (!existsSync(tsc) || !existsSync(esbuild)) {
  // npm sets npm_execpath for scripts; the same npm, run by the same node.
  const npmCli = process.env.npm_execpath;
  const [file, pre] = npmCli ? [process.execPath, [npmCli]] : ['npm', []];
  process.stderr.write('prepare: installing the build dependencies in the package directory\n');
  run(file, [
    ...pre,
    'ci',
    '--global=false',
    `--prefix=${root}`,
    '--include=dev',
    '--ignore-scripts',
    '--install-links=false',
    '--no-audit',
    '--no-fund',
  ]);
}
run(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')]);
run(process.execPath, [join(root, 'scripts', 'bundle.mjs')]);
