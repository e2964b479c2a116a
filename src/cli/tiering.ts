import { setFlagsFromString } from 'node:v8';

/*
 * Imported first by main.ts, for its side effect: V8 compiles a function with TurboFan once it
 * has spent its interrupt budget (67,584 bytecode units by default in Node 20's V8). A nixpy run
 * is short and walks a lot of code a few thousand times: TurboFan compiled hundreds of such
 * functions per scan, on a background thread, for code that had nearly finished running (`node
 * --no-opt` cut a bench scan's CPU by 30 %). A budget 15x larger leaves those runs to Ignition
 * and Sparkplug while code that really is hot for long (building the nix-locate index: seconds
 * of loops over a million lines) is still optimised. Measured (bench/README.md): `nixpy scan
 * --json` on the bench venv 0.63 s -> 0.43 s of CPU; the index build's CPU unchanged.
 * Process-wide, so it is set by the CLI entry only, never by the library modules.
 */
setFlagsFromString('--interrupt-budget=1000000');
