import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { distributionOf, type DistIndex } from '../project/dists.js';
import type { PythonWalk } from '../scan/python-walk.js';
import { walkForRuntime } from './runtime-walk.js';

/**
 * The static run-time pass (every Python file of the venv read for ctypes and cffi calls) on a
 * second thread, while this one scans the ELF objects: the two share nothing until the plan
 * joins them, and the pass holds most of a command's file reads (17,442 files on the bench venv).
 * On a machine with a spare core a command then takes about as long as the longer of the two
 * instead of their sum; on a busy one, as long as before.
 *
 * The worker runs the same walkForRuntime on the same files, so its answer is the in-thread one.
 * The pass runs in the thread instead when the built worker is not there (the sources, run by
 * the test runner) or when a worker cannot be had or fails.
 */

export interface WalkRequest {
  venv: string;
  /** `[tool.nixpy] runtime-ignore`. */
  disabled: string[];
}

export type WalkReply = { ok: PythonWalk } | { error: string };

/** A pass under way: its result, or its end when the command fails first. */
export interface PendingWalk {
  /** The walk; `dists` (the venv's metadata) serves a pass that has to run here after all. */
  result(dists: DistIndex): Promise<PythonWalk>;
  cancel(): void;
  /** Where the pass runs. */
  thread: 'worker' | 'main';
}

/** Beside this module in every build (dist/plan/ from tsc, dist/bundle/ from esbuild). */
const WORKER_FILE = fileURLToPath(new URL('./runtime-worker.js', import.meta.url));

/** A worker started ahead of need (warmRuntimeWorker), waiting for its request. */
let spare: Worker | null = null;

/**
 * Starts the worker before the venv is known: a command that will plan calls this before it loads
 * its own modules, so the worker's start-up (about 30 ms) overlaps theirs. Unreferenced until a
 * pass takes it, so an unused one never keeps the process alive.
 */
export function warmRuntimeWorker(): void {
  if (spare === null) spare = spawn();
  spare?.unref();
}

export function startPythonWalk(venv: string, disabled: readonly string[]): PendingWalk {
  const here = (dists: DistIndex): PythonWalk => walkForRuntime(venv, (rel) => distributionOf(rel, dists), disabled);
  const worker = spare ?? spawn();
  spare = null;
  if (worker === null) return { result: (dists) => Promise.resolve(here(dists)), cancel: () => {}, thread: 'main' };
  const answer = new Promise<PythonWalk | null>((resolve) => {
    worker.once('message', (reply: WalkReply) => resolve('ok' in reply ? reply.ok : null));
    // A worker that fails or dies says nothing useful: the pass is done here instead.
    worker.once('error', () => resolve(null));
    worker.once('exit', () => resolve(null));
  });
  worker.ref();
  worker.postMessage({ venv, disabled: [...disabled] } satisfies WalkRequest);
  return {
    result: async (dists) => (await answer) ?? here(dists),
    cancel: () => void worker.terminate(),
    thread: 'worker',
  };
}

/** Runs `work` while the pass goes on; a failure of `work` ends the pass, which nobody will read. */
export async function whileRunning<T>(pending: PendingWalk | null, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (e) {
    pending?.cancel();
    throw e;
  }
}

/** A worker waiting for its request; null where none is built or none can be had. */
function spawn(): Worker | null {
  if (!existsSync(WORKER_FILE)) return null;
  try {
    return new Worker(WORKER_FILE);
  } catch {
    return null;
  }
}
