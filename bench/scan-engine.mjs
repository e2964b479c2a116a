#!/usr/bin/env node
// The scan engine without the CLI around it: `node bench/scan-engine.mjs DIR [nixos|host]`
// prints the same JSON document as `nixpy scan DIR --json`. The benchmark runs it beside the
// real command to show how much of nixpy's time is start-up (yargs and every command module).
// With the CLI's V8 settings (src/cli/tiering.ts), so that the two differ by start-up only.
import '../dist/cli/tiering.js';
import { scanVenv } from '../dist/scan/index.js';
import { classifySoname } from '../dist/nixpkgs/classify.js';

const [root, env = 'host'] = process.argv.slice(2);
const report = await scanVenv(root, { classify: (s, p) => classifySoname(s, { venvProviders: p }), env, ldLibraryPath: process.env.LD_LIBRARY_PATH });
process.stdout.write(JSON.stringify(report.result, null, 2) + '\n');
process.exitCode = report.result.missing.length > 0 ? 1 : 0;
